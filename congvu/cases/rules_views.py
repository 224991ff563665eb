"""Pages for the rules cases run on (Department of Home Affairs): the track clocks,
the routing rules (add, edit, order, activate) and the discipline forms. The writes
are in `rules.py` (audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from congvu.core import stale
from congvu.core.types import AuthenticatedHttpRequest
from congvu.organisations.models import Organisation

from . import rules, tags
from .forms import CaseTagForm, DisciplineFormForm, RoutingRuleForm, TrackClockForm
from .models import CaseTag, DisciplineForm, RoutingRule, Track, TrackClock


def _form_errors(form: BaseForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
@require_GET
def rules_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    root = rules.require_manage(request.user)
    clocks = {clock.track: clock for clock in TrackClock.objects.all()}
    return render(
        request,
        "cases/rules.html",
        {
            "clocks": [(value, label, clocks.get(value)) for value, label in Track.choices],
            "routing_rules": RoutingRule.objects.select_related(
                "organisation_kind", "fixed_organisation"
            ).order_by("order", "pk"),
            "discipline_forms": DisciplineForm.objects.order_by("rank", "code"),
            "case_tags": tags.of_province(root.pk),
        },
    )


def _edit_page(
    request: AuthenticatedHttpRequest, form: BaseForm, title: str, *, status: int = 200
) -> HttpResponse:
    return render(request, "cases/rules_form.html", {"form": form, "title": title}, status=status)


def _save(
    request: AuthenticatedHttpRequest, form: BaseForm, title: str, save: Any, done: str
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        data = {name: value for name, value in form.cleaned_data.items() if name != stale.FIELD}
        try:
            # An edit form carries its version (`core.stale`): not over someone's change.
            with stale.guard(form):
                save(data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("cases:rules")
    return _edit_page(request, form, title, status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def clock_edit(request: AuthenticatedHttpRequest, track: str) -> HttpResponse:
    rules.require_manage(request.user)
    if track not in Track.values:
        raise Http404
    clock = TrackClock.objects.filter(track=track).first()
    if clock is None:
        raise Http404
    form = TrackClockForm(request.POST if request.method == "POST" else None, instance=clock)
    stale.add_field(form, clock)
    return _save(
        request,
        form,
        _("Thời hạn xử lý: %(track)s") % {"track": clock.get_track_display()},
        lambda data: rules.update_clock(clock, actor=request.user, **data),
        _("Đã lưu thời hạn xử lý. / Clock saved."),
    )


def _rule_form(request: AuthenticatedHttpRequest, rule: RoutingRule | None) -> RoutingRuleForm:
    return RoutingRuleForm(
        request.POST if request.method == "POST" else None,
        instance=rule,
        organisations=Organisation.objects.current().filter(kind__is_division=False),
    )


@login_required
@require_http_methods(["GET", "POST"])
def rule_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    rules.require_manage(request.user)
    # An unsaved instance: the ModelForm would otherwise write into it while validating.
    form = _rule_form(request, RoutingRule())
    return _save(
        request,
        form,
        _("Thêm quy tắc chuyển xử lý"),
        lambda data: rules.create_routing_rule(actor=request.user, **data),
        _("Đã thêm quy tắc. / Rule added."),
    )


def _rule(pk: int) -> RoutingRule:
    rule = RoutingRule.objects.filter(pk=pk).first()
    if rule is None:
        raise Http404
    return rule


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rules.require_manage(request.user)
    rule = _rule(pk)
    form = _rule_form(request, _rule(pk))
    stale.add_field(form, rule)
    return _save(
        request,
        form,
        _("Sửa quy tắc: %(name)s") % {"name": rule.name},
        lambda data: rules.update_routing_rule(rule, actor=request.user, **data),
        _("Đã lưu quy tắc. / Rule saved."),
    )


@login_required
@require_POST
def rule_move(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rules.require_manage(request.user)
    rule = _rule(pk)
    rules.move_routing_rule(rule, actor=request.user, up=request.POST.get("direction") == "up")
    messages.success(request, _("Đã đổi thứ tự. / Order changed."))
    return redirect("cases:rules")


@login_required
@require_POST
def rule_toggle(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rules.require_manage(request.user)
    rule = _rule(pk)
    rules.update_routing_rule(rule, actor=request.user, is_active=not rule.is_active)
    messages.success(
        request,
        _("Đã áp dụng quy tắc. / Rule activated.")
        if not rule.is_active
        else _("Đã ngừng áp dụng quy tắc. / Rule deactivated."),
    )
    return redirect("cases:rules")


@login_required
@require_http_methods(["GET", "POST"])
def discipline_form_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rules.require_manage(request.user)
    item = DisciplineForm.objects.filter(pk=pk).first()
    if item is None:
        raise Http404
    form = DisciplineFormForm(
        request.POST if request.method == "POST" else None,
        instance=DisciplineForm.objects.get(pk=pk),
    )
    stale.add_field(form, item)
    return _save(
        request,
        form,
        _("Hình thức kỷ luật: %(name)s") % {"name": str(item)},
        lambda data: rules.update_discipline_form(item, actor=request.user, **data),
        _("Đã lưu hình thức kỷ luật. / Discipline form saved."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def tag_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    rules.require_manage(request.user)
    form = CaseTagForm(request.POST if request.method == "POST" else None, instance=CaseTag())
    return _save(
        request,
        form,
        _("Thêm nhãn vụ việc"),
        lambda data: tags.create_tag(actor=request.user, **data),
        _("Đã thêm nhãn. / Tag added."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def tag_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    root = rules.require_manage(request.user)
    tag = tags.of_province(root.pk).filter(pk=pk).first()
    if tag is None:
        raise Http404
    # A copy for the form: a ModelForm writes into its instance while validating.
    form = CaseTagForm(
        request.POST if request.method == "POST" else None,
        instance=tags.of_province(root.pk).get(pk=pk),
    )
    stale.add_field(form, tag)
    return _save(
        request,
        form,
        _("Nhãn vụ việc: %(name)s") % {"name": tag.name},
        lambda data: tags.update_tag(tag, actor=request.user, **data),
        _("Đã lưu nhãn. / Tag saved."),
    )

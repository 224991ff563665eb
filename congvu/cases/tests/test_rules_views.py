"""The rules pages (Home Affairs): clocks, routing rules, discipline forms; audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from congvu.accounts.models import User
from congvu.audit.models import AuditEvent
from congvu.conftest import client_for, page_form, said_changed_meanwhile
from congvu.organisations.models import Organisation

from .. import rules, tags
from ..models import CaseTag, DisciplineForm, RoutingRule, TrackClock

RULES = reverse("cases:rules")


def test_the_rules_page_lists_clocks_rules_and_forms(as_officer: Client) -> None:
    response = as_officer.get(RULES)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tố cáo" in html
    for rule in RoutingRule.objects.all():
        assert rule.name in html
    assert DisciplineForm.objects.first().name in html  # type: ignore[union-attr]


def test_a_head_a_viewer_an_outsider_and_a_staff_user_get_403(
    as_head: Client, as_viewer: Client, as_outsider: Client, staff_user: User
) -> None:
    clock = TrackClock.objects.get(track="denunciation")
    edit = reverse("cases:clock_edit", args=[clock.track])
    for client in (as_head, as_viewer, as_outsider, client_for(staff_user)):
        assert client.get(RULES).status_code == 403
        assert client.post(edit, {"acknowledge_days": 1}).status_code == 403


def test_changing_a_clock_is_saved_and_audited(as_officer: Client) -> None:
    edit = reverse("cases:clock_edit", args=["denunciation"])
    response = as_officer.post(
        edit,
        {
            "acknowledge_days": 7,
            "settle_days": 30,
            "settle_in_working_days": "",
            "extension_days": 30,
            "max_extensions": 2,
            "due_soon_days": 5,
        },
    )
    assert response.status_code == 302
    clock = TrackClock.objects.get(track="denunciation")
    assert (clock.acknowledge_days, clock.due_soon_days) == (7, 5)
    event = AuditEvent.objects.filter(action="cases.clock_update").get()
    assert event.data["changed"]["acknowledge_days"][1] == 7


def test_a_bad_clock_value_is_refused_and_the_input_kept(as_officer: Client) -> None:
    edit = reverse("cases:clock_edit", args=["denunciation"])
    response = as_officer.post(
        edit,
        {
            "acknowledge_days": 0,
            "settle_days": "abc",
            "extension_days": 30,
            "max_extensions": 9,
            "due_soon_days": 3,
        },
    )
    assert response.status_code == 400
    assert 'value="30"' in response.content.decode()
    assert TrackClock.objects.get(track="denunciation").acknowledge_days != 0
    assert as_officer.get(reverse("cases:clock_edit", args=["nope"])).status_code == 404


def test_the_feedback_clock_without_extensions_saves_as_it_is_shown(as_officer: Client) -> None:
    # The default rules give feedback (phản ánh) no extension: 0 extensions of 0 days.
    clock = TrackClock.objects.get(track="feedback")
    assert (clock.extension_days, clock.max_extensions) == (0, 0)
    edit = reverse("cases:clock_edit", args=["feedback"])
    shown = {
        "acknowledge_days": clock.acknowledge_days,
        "settle_days": clock.settle_days,
        "settle_in_working_days": "on" if clock.settle_in_working_days else "",
        "extension_days": 0,
        "max_extensions": 0,
        "due_soon_days": 4,
    }
    assert as_officer.post(edit, shown).status_code == 302
    assert TrackClock.objects.get(track="feedback").due_soon_days == 4
    response = as_officer.post(edit, {**shown, "max_extensions": 1})
    assert response.status_code == 400
    assert "mỗi lần gia hạn phải từ 1 ngày" in response.content.decode()
    assert TrackClock.objects.get(track="feedback").max_extensions == 0


def test_adding_ordering_and_deactivating_a_routing_rule(
    as_officer: Client, province: dict[str, Organisation]
) -> None:
    response = as_officer.post(
        reverse("cases:rule_new"),
        {
            "name": "Tố cáo về mọi người: Sở Nội vụ",
            "order": 1,
            "subject_is_leader": "unknown",
            "track": "denunciation",
            "route_to": "fixed",
            "fixed_organisation": province["dept_home"].pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    rule = RoutingRule.objects.get(name="Tố cáo về mọi người: Sở Nội vụ")
    assert rule.fixed_organisation == province["dept_home"]
    assert RoutingRule.objects.order_by("order", "pk").first() == rule
    assert as_officer.post(reverse("cases:rule_move", args=[rule.pk]), {"direction": "down"})
    assert list(RoutingRule.objects.order_by("order", "pk"))[1] == rule
    as_officer.post(reverse("cases:rule_toggle", args=[rule.pk]))
    rule.refresh_from_db()
    assert not rule.is_active
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "cases.routing_rule_create",
        "cases.routing_rule_move",
        "cases.routing_rule_update",
    } <= actions


def test_a_fixed_rule_needs_its_organisation(as_officer: Client) -> None:
    response = as_officer.post(
        reverse("cases:rule_new"),
        {"name": "Thiếu cơ quan", "order": 5, "route_to": "fixed", "is_active": "on"},
    )
    assert response.status_code == 400
    assert "Chọn cơ quan xử lý cố định" in response.content.decode()
    assert not RoutingRule.objects.filter(name="Thiếu cơ quan").exists()


def test_editing_a_discipline_form(as_officer: Client) -> None:
    item = DisciplineForm.objects.order_by("rank").first()
    assert item is not None
    url = reverse("cases:discipline_form_edit", args=[item.pk])
    assert as_officer.get(url).status_code == 200
    response = as_officer.post(
        url,
        {
            "name": item.name,
            "name_en": item.name_en,
            "rank": item.rank,
            "limitation_years": 6,
            "for_civil_servant": "on",
            "is_active": "",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.limitation_years == 6 and not item.is_active and not item.for_leader
    assert AuditEvent.objects.filter(action="cases.discipline_form_update").exists()


def test_in_english_the_rules_page_names_forms_of_discipline_and_counts_days_in_english(
    as_officer: Client,
) -> None:
    as_officer.cookies["congvu_lang"] = "en"
    html = as_officer.get(RULES).content.decode()
    reprimand = DisciplineForm.objects.get(code="khien-trach")
    assert f">{reprimand.name_en}</a>" in html
    assert f">{reprimand.name}</a>" not in html
    # Complaints are settled in 30 calendar days; feedback has no extension at all.
    assert "<td>30 days</td>" in html
    assert "30 date" not in html
    assert "No extension" in html and "at most 0 ×" not in html
    # "Cán bộ" as a category of staff is an official, not staff in general.
    assert "<li>Official</li>" in html and "<li>Staff</li>" not in html


def test_the_routing_rule_form_says_what_each_blank_means_and_keeps_a_leader_rule(
    as_officer: Client,
) -> None:
    html = as_officer.get(reverse("cases:rule_new")).content.decode()
    assert "---------" not in html
    assert "Mọi loại cơ quan" in html and "Mọi loại đơn" in html and "Mọi người" in html
    leader_rule = RoutingRule.objects.get(subject_is_leader=True)
    edit = as_officer.get(reverse("cases:rule_edit", args=[leader_rule.pk])).content.decode()
    assert '<option value="true" selected>Là lãnh đạo</option>' in edit


@pytest.mark.parametrize(
    ("what", "theirs", "mine"),
    [
        ("clock", ("settle_days", "45"), ("due_soon_days", "5")),
        ("rule", ("name", "Quy tắc do B sửa"), ("order", "77")),
        ("discipline_form", ("name_en", "Reprimand by B"), ("limitation_years", "7")),
        ("tag", ("name", "Khẩn do B sửa"), ("colour", "orange")),
    ],
)
def test_a_rule_saved_from_a_page_someone_else_saved_since_is_refused_and_keeps_the_input(
    as_officer: Client, officer: User, what: str, theirs: tuple[str, str], mine: tuple[str, str]
) -> None:
    changed: type[TrackClock | RoutingRule | DisciplineForm | CaseTag]
    if what == "clock":
        changed, url = TrackClock, reverse("cases:clock_edit", args=["denunciation"])
    elif what == "rule":
        rule = RoutingRule.objects.order_by("pk").first()
        assert rule is not None
        changed, url = RoutingRule, reverse("cases:rule_edit", args=[rule.pk])
    elif what == "discipline_form":
        item = DisciplineForm.objects.order_by("rank").first()
        assert item is not None
        changed, url = DisciplineForm, reverse("cases:discipline_form_edit", args=[item.pk])
    else:
        tag = tags.create_tag(actor=officer, name="Khẩn", colour="red")
        changed, url = CaseTag, reverse("cases:tag_edit", args=[tag.pk])
    tab_a, tab_b = page_form(as_officer.get(url)), page_form(as_officer.get(url))
    assert as_officer.post(url, {**tab_b, theirs[0]: theirs[1]}).status_code == 302
    refused = as_officer.post(url, {**tab_a, mine[0]: mine[1]})
    assert refused.status_code == 400 and said_changed_meanwhile(refused)
    assert page_form(refused)[mine[0]] == mine[1]  # A's input, kept
    assert f"hiện là: «{theirs[1]}»" in refused.content.decode()
    assert not changed.objects.filter(**{mine[0]: mine[1]}).exists()
    assert changed.objects.filter(**{theirs[0]: theirs[1]}).exists()


def test_the_rules_page_shows_the_tags_and_the_add_a_tag_button_in_its_body(
    as_officer: Client, province: dict[str, Organisation]
) -> None:
    CaseTag.objects.create(
        province=province["root"], name="Báo chí", name_folded="bao chi", colour="blue"
    )
    html = as_officer.get(RULES).content.decode()
    head, body = html.split("</title>", 1)
    title = head.split("<title>", 1)[1]
    assert title.startswith("Quy định xử lý phản ánh ·")
    assert "<" not in title
    assert 'data-testid="tag-table"' in body and "Báo chí" in body
    assert f'href="{reverse("cases:tag_new")}">Thêm nhãn</a>' in body


def test_a_fixed_rule_without_its_organisation_is_refused_in_the_readers_language(
    officer: User,
) -> None:
    # The form refuses it first; the service's own check answers anyone else (the API).
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        rules.create_routing_rule(
            actor=officer,
            name="Không có cơ quan",
            order=1,
            subject_is_leader="unknown",
            track="denunciation",
            route_to="fixed",
            fixed_organisation=None,
        )
    assert refused.value.message_dict == {
        "fixed_organisation": ["Choose the fixed handling organisation."]
    }

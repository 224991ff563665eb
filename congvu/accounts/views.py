from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from congvu.core.net import safe_next
from congvu.core.types import AuthenticatedHttpRequest
from congvu.organisations.models import Organisation, OrganisationQuerySet

from . import access, services
from .access import Perm
from .forms import ApiTokenForm, GrantForm, UserCreateForm, UserSearchForm, apply_service_error
from .models import ApiToken, Role, RoleGrant, User
from .selectors import search_users

PER_PAGE = 50


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        # A browser that never chose a language takes the user's last choice (the one
        # their mail is in); a choice made on this browser stays.
        language = form.get_user().language
        if settings.LANGUAGE_COOKIE_NAME not in self.request.COOKIES and (
            language != settings.LANGUAGE_CODE and language in dict(settings.LANGUAGES)
        ):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password; afterwards back to `next` (where the sign-in was
    going when a given password had to be replaced first), else the account page."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:settings")

    def _next(self) -> str:
        target = self.request.POST.get("next") or self.request.GET.get("next") or ""
        return safe_next(self.request, target)

    def get_success_url(self) -> str:
        return self._next() or str(self.success_url)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "next": self._next()}

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        with transaction.atomic():
            response = super().form_valid(form)
            services.password_changed(form.user)
        messages.success(self.request, _("Đã đổi mật khẩu."))
        return response


@login_required
def settings_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The signed-in user's account: roles, password, personal API tokens."""
    new_key = None
    form = ApiTokenForm()
    if request.method == "POST":
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            _token, new_key = services.create_api_token(
                request.user, name=form.cleaned_data["name"]
            )
            form = ApiTokenForm()
    grants = RoleGrant.objects.filter(user=request.user).select_related("organisation")
    return render(
        request,
        "accounts/settings.html",
        {
            "form": form,
            "new_key": new_key,
            "tokens": ApiToken.objects.filter(user=request.user),
            "grants": grants,
            "roles": access.roles_of(request.user),
        },
    )


@login_required
@require_POST
def revoke_token(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    token = ApiToken.objects.filter(user=request.user, pk=pk, revoked_at__isnull=True).first()
    if token is None:
        raise Http404
    services.revoke_api_token(token, actor=request.user)
    messages.success(request, _("Đã thu hồi mã truy cập."))
    return redirect("accounts:settings")


# --- Managing other people's accounts (GRANT_MANAGE) ---------------------------------


def _scope(user: User) -> OrganisationQuerySet:
    """Current organisations where `user` may grant roles."""
    return access.organisations_for(user, Perm.GRANT_MANAGE).current()


def offered_roles(user: User) -> set[Role]:
    """Roles `user` may grant somewhere: what a role picker offers (the service checks where)."""
    if user.is_superuser:
        return set(Role)
    ids = {
        g.organisation_id
        for g in access.grants_of(user)
        if Perm.GRANT_MANAGE in access.ROLE_PERMS[g.role]
    }
    roles: set[Role] = set()
    for organisation in Organisation.objects.filter(pk__in=ids):
        roles |= access.grantable_roles(user, organisation)
    return roles


def _user(request: AuthenticatedHttpRequest, pk: int) -> User:
    """A user the actor may see: 403 without GRANT_MANAGE anywhere, 404 when out of scope."""
    access.require_anywhere(request.user, Perm.GRANT_MANAGE)
    user = access.visible_users(request.user).filter(pk=pk).first()
    if user is None:
        raise Http404
    return user


@login_required
def user_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require_anywhere(request.user, Perm.GRANT_MANAGE)
    form = UserSearchForm(request.GET or None)
    form.is_valid()  # an invalid search is reported and ignored
    query = getattr(form, "cleaned_data", {}).get("q", "")
    visible_grants = RoleGrant.objects.filter(
        organisation__in=Organisation.objects.visible_to(request.user)
    ).select_related("organisation")
    users = search_users(access.visible_users(request.user), query).prefetch_related(
        Prefetch("grants", queryset=visible_grants, to_attr="visible_grants")
    )
    page = Paginator(users.order_by("username", "pk"), PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "accounts/user_list.html",
        {"form": form, "page": page, "querystring": params.urlencode()},
    )


def _codes(request: AuthenticatedHttpRequest) -> Any:
    return _scope(request.user).values_list("code", "name").order_by("code")


@login_required
def user_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require_anywhere(request.user, Perm.GRANT_MANAGE)
    form = UserCreateForm(
        request.POST if request.method == "POST" else None,
        organisations=_scope(request.user),
        roles=offered_roles(request.user),
        staff=access.visible_staff(request.user).filter(
            organisation__in=access.organisations_for(request.user, Perm.STAFF_MANAGE)
        ),
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            user, password = services.create_user(
                actor=request.user,
                username=d["username"],
                full_name=d["full_name"],
                email=d["email"],
                organisation=d["organisation"],
                role=d["role"],
                include_subtree=d["include_subtree"],
                staff_member=d["staff_code"],
            )
        except ValidationError as error:
            apply_service_error(form, error)
        except PermissionDenied:
            form.add_error("role", _not_grantable_here())
        else:
            # Rendered, not redirected: the password is shown this once and kept nowhere.
            return render(
                request,
                "accounts/user_password.html",
                {"subject": user, "password": password, "created": True},
            )
    return render(request, "accounts/user_form.html", {"form": form, "codes": _codes(request)})


def _not_grantable_here() -> str:
    return _(
        "Bạn không được cấp vai trò này tại cơ quan đã chọn. / "
        "You may not grant this role on the chosen organisation."
    )


def _render_user(
    request: AuthenticatedHttpRequest, subject: User, *, grant_form: GrantForm | None = None
) -> HttpResponse:
    actor = request.user
    visible = Organisation.objects.visible_to(actor)
    grants = [
        (
            grant,
            actor.pk != subject.pk
            and Role(grant.role)
            in access.grantable_roles(
                actor, grant.organisation, include_subtree=grant.include_subtree
            ),
        )
        for grant in subject.grants.filter(organisation__in=visible)
        .select_related("organisation")
        .order_by("organisation__path", "role")
    ]
    roles = offered_roles(actor)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "subject": subject,
            "grants": grants,
            "hidden_grants": subject.grants.exclude(organisation__in=visible).count(),
            "grant_form": grant_form
            or GrantForm(organisations=_scope(actor), roles=roles, prefix="grant"),
            "can_grant": bool(roles) and actor.pk != subject.pk,
            "can_manage": access.may_manage_user(actor, subject) and actor.pk != subject.pk,
            "staff_member": getattr(subject, "staff_member", None),
            "codes": _codes(request),
        },
    )


@login_required
def user_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _render_user(request, _user(request, pk))


@login_required
@require_POST
def user_grant(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    subject = _user(request, pk)
    form = GrantForm(
        request.POST,
        organisations=_scope(request.user),
        roles=offered_roles(request.user),
        prefix="grant",
    )
    if form.is_valid():
        try:
            services.grant_role(
                subject,
                role=form.cleaned_data["role"],
                organisation=form.cleaned_data["organisation"],
                include_subtree=form.cleaned_data["include_subtree"],
                actor=request.user,
            )
        except ValidationError as error:
            apply_service_error(form, error)
        except PermissionDenied:
            form.add_error("role", _not_grantable_here())
        else:
            messages.success(request, _("Đã cấp quyền."))
            return redirect("accounts:user_detail", pk=subject.pk)
    return _render_user(request, subject, grant_form=form)


@login_required
@require_POST
def grant_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    access.require_anywhere(request.user, Perm.GRANT_MANAGE)
    grant = RoleGrant.objects.select_related("user", "organisation").filter(pk=pk).first()
    if grant is None or not access.visible_users(request.user).filter(pk=grant.user_id).exists():
        raise Http404
    try:
        services.revoke_grant(grant, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Đã thu hồi quyền."))
    if access.visible_users(request.user).filter(pk=grant.user_id).exists():
        return redirect("accounts:user_detail", pk=grant.user_id)
    return redirect("accounts:user_list")


def _account_action(
    request: AuthenticatedHttpRequest, pk: int, action: Any, done: str
) -> HttpResponse:
    subject = _user(request, pk)
    try:
        action(subject, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("accounts:user_detail", pk=subject.pk)


@login_required
@require_POST
def user_deactivate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _account_action(
        request,
        pk,
        services.deactivate_user,
        _("Đã khóa tài khoản; người dùng không thể đăng nhập."),
    )


@login_required
@require_POST
def user_reactivate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _account_action(request, pk, services.reactivate_user, _("Đã mở khóa tài khoản."))


@login_required
@require_POST
def user_reset_password(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    subject = _user(request, pk)
    try:
        password = services.reset_password(subject, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("accounts:user_detail", pk=subject.pk)
    return render(
        request,
        "accounts/user_password.html",
        {"subject": subject, "password": password, "created": False},
    )

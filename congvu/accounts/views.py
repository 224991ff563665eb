from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from congvu.core.middleware import set_language_cookie
from congvu.core.net import safe_next
from congvu.core.types import AuthenticatedHttpRequest
from congvu.organisations.models import Organisation, OrganisationQuerySet

from . import access, passkeys, services, session_limits, sign_ins, trusted_browsers, two_factor
from .access import Perm
from .forms import (
    ApiTokenForm,
    GrantForm,
    LoginCodeForm,
    MailPreferencesForm,
    PasskeyNameForm,
    PasswordAgainForm,
    TwoFactorConfirmForm,
    TwoFactorOffForm,
    UserCreateForm,
    UserSearchForm,
    apply_service_error,
)
from .middleware import signed_out_message
from .models import ApiToken, Role, RoleGrant, SignIn, User
from .selectors import search_users

PER_PAGE = 50


def _remember_language(request: HttpRequest, response: HttpResponse, user: User) -> None:
    """A browser that never chose a language takes the user's last choice (the one
    their mail is in); a choice made on this browser stays."""
    language = user.language
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and (
        language != settings.LANGUAGE_CODE and language in dict(settings.LANGUAGES)
    ):
        set_language_cookie(response, language)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # After an idle or too-old session was signed out (`session_limits`): say why, once.
        reason = self.request.session.pop(session_limits.SIGNED_OUT, None)
        if isinstance(reason, str):
            context["signed_out"] = signed_out_message(reason)
        return context

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        user = form.get_user()
        if two_factor.is_on(user) and trusted_browsers.use(user, self.request):
            # A browser remembered at an earlier code step: the password was enough.
            self.request.session.pop(two_factor.PENDING, None)
            sign_ins.mark(self.request, SignIn.Method.REMEMBERED_BROWSER)
            response = super().form_valid(form)
            self.request.session[two_factor.VERIFIED] = True
            _remember_language(self.request, response, user)
            return response
        if two_factor.is_on(user):
            # Right password: nobody is signed in until the code (two_factor.py).
            self.request.session[two_factor.PENDING] = {
                "user": user.pk,
                "backend": user.backend,
                "since": time.time(),
                "failures": 0,
            }
            url = reverse("accounts:login_code")
            target = self.get_redirect_url()
            return redirect(f"{url}?{urlencode({'next': target})}" if target else url)
        sign_ins.mark(self.request, SignIn.Method.PASSWORD)
        response = super().form_valid(form)
        _remember_language(self.request, response, user)
        return response


def pending_user(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    pending = request.session.get(two_factor.PENDING)
    if not isinstance(pending, dict):
        return None
    fresh = time.time() - float(pending.get("since", 0)) < two_factor.PENDING_SECONDS
    user = User.objects.filter(pk=int(pending.get("user") or 0), is_active=True).first()
    if user is None or not fresh or pending.get("failures", 0) >= two_factor.PENDING_FAILURES:
        del request.session[two_factor.PENDING]
        return None
    return user, pending


def back_to_login(request: HttpRequest, target: str) -> HttpResponse:
    messages.error(
        request,
        _(
            "Phiên đăng nhập đã hết hạn hoặc nhập sai mã quá nhiều lần: hãy đăng nhập lại. / "
            "The sign-in expired or the code was wrong too many times: sign in again."
        ),
    )
    url = reverse("accounts:login")
    return redirect(f"{url}?{urlencode({'next': target})}" if target else url)


def login_code(request: HttpRequest) -> HttpResponse:
    """The second sign-in step, for a user whose password was right a moment ago: a code,
    or a passkey (the page's script posts `method=passkey` once it passed)."""
    target = safe_next(request, request.POST.get("next") or request.GET.get("next") or "")
    if request.user.is_authenticated:
        return redirect(target or settings.LOGIN_REDIRECT_URL)
    found = pending_user(request)
    if found is None:
        return back_to_login(request, target)
    user, pending = found
    posted = request.method == "POST"
    by_passkey = posted and request.POST.get("method") == "passkey"
    form = LoginCodeForm(request.POST if posted else None, passkey=by_passkey)
    if form.is_valid() and by_passkey:
        if passkeys.take_passed(pending, user):
            return _second_step_passed(
                request, user, pending, target, form, method=SignIn.Method.PASSKEY
            )
        request.session[two_factor.PENDING] = pending
        form.add_error(
            None,
            _(
                "Khóa truy cập chưa được xác nhận: hãy thử lại hoặc nhập mã. / "
                "The passkey was not verified: try again or type a code."
            ),
        )
    elif form.is_valid():
        typed = form.cleaned_data["code"]
        problem = two_factor.verify(user, typed)
        by_app = two_factor.is_app_code(two_factor.device_of(user), typed)
        method = SignIn.Method.CODE if by_app else SignIn.Method.RECOVERY_CODE
        if problem is None:
            return _second_step_passed(request, user, pending, target, form, method=method)
        # The right password and a wrong code (or one refused while the app's throttle
        # waits): the owner sees it in their history; what was typed is not kept.
        sign_ins.record_failure(
            user,
            outcome=SignIn.Outcome.WRONG_CODE,
            method=method,
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
        pending["failures"] = int(pending.get("failures", 0)) + 1
        request.session[two_factor.PENDING] = pending
        if pending["failures"] >= two_factor.PENDING_FAILURES:
            del request.session[two_factor.PENDING]
            return back_to_login(request, target)
        form.add_error("code", problem)
    days = trusted_browsers.remember_days()
    return render(
        request,
        "accounts/login_code.html",
        {
            "form": form,
            "next": target,
            "remember_days": days,
            "has_app": two_factor.device_of(user) is not None,
            "has_passkeys": passkeys.has_any(user),
            "passkeys_elsewhere": passkeys.elsewhere(request),
        },
    )


def _second_step_passed(
    request: HttpRequest,
    user: User,
    pending: dict[str, Any],
    target: str,
    form: LoginCodeForm,
    *,
    method: SignIn.Method,
) -> HttpResponse:
    """The same end for a right code and a passkey: signed in (the history says how),
    the session verified, the browser remembered when the box was ticked."""
    del request.session[two_factor.PENDING]
    sign_ins.mark(request, method)
    auth_login(request, user, backend=pending["backend"])
    request.session[two_factor.VERIFIED] = True
    response = redirect(target or settings.LOGIN_REDIRECT_URL)
    _remember_language(request, response, user)
    if form.cleaned_data["remember"] and trusted_browsers.enabled():
        _trusted, token = trusted_browsers.remember(
            user, user_agent=request.META.get("HTTP_USER_AGENT", "")
        )
        trusted_browsers.set_cookie(response, token, request)
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
def settings_page(
    request: AuthenticatedHttpRequest, mail_form: MailPreferencesForm | None = None
) -> HttpResponse:
    """The signed-in user's account: roles, password, e-mails, personal API tokens."""
    new_key = None
    form = ApiTokenForm()
    if request.method == "POST":
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            _token, new_key = services.create_api_token(
                request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
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
            "two_factor_on": two_factor.is_on(request.user),
            "last_sign_in": sign_ins.successes(request.user).first(),
            "this_sign_in": request.session.get(sign_ins.SESSION_KEY),
            "mail_form": mail_form or MailPreferencesForm(instance=request.user),
        },
        status=400 if mail_form is not None else 200,
    )


@login_required
@require_POST
def mail_preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Save how one's own notices are e-mailed; a bad value shows the page again with it."""
    form = MailPreferencesForm(request.POST, instance=request.user)
    if not form.is_valid():
        return settings_page(request, mail_form=form)
    form.save()
    messages.success(request, _("Đã lưu cách nhận thông báo qua e-mail."))
    return redirect("accounts:settings")


@login_required
def sign_in_history(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The signed-in user's own recent sign-ins, newest first (there is no way to name
    another user's)."""
    return render(
        request,
        "accounts/sign_in_list.html",
        {
            "sign_ins": list(sign_ins.of(request.user)),
            "this_sign_in": request.session.get(sign_ins.SESSION_KEY),
            "kept": sign_ins.history_length(),
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


# --- Two-step sign-in (two_factor.py) -------------------------------------------------


def _two_factor_page(
    request: AuthenticatedHttpRequest,
    *,
    confirm_form: TwoFactorConfirmForm | None = None,
    off_form: TwoFactorOffForm | None = None,
    app_form: PasswordAgainForm | None = None,
    codes: list[str] | None = None,
    rename_form: PasskeyNameForm | None = None,
    renaming: int | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    device = two_factor.device_of(user)
    keys = list(passkeys.of(user))
    new = None if device is not None else two_factor.unconfirmed_device(user)
    return render(
        request,
        "accounts/two_factor.html",
        {
            "device": device,
            "new": new,
            "qr": two_factor.qr_svg(new) if new is not None else "",
            "secret": two_factor.secret_text(new) if new is not None else "",
            "confirm_form": confirm_form or TwoFactorConfirmForm(),
            "off_form": off_form or TwoFactorOffForm(),
            "app_form": app_form or PasswordAgainForm(),
            "codes": codes,
            "is_on": device is not None or bool(keys),
            "codes_left": two_factor.recovery_codes_left(user),
            "passkeys": keys,
            "passkeys_elsewhere": passkeys.elsewhere(request),
            "rename_form": rename_form or PasskeyNameForm(),
            "renaming": renaming,
            "required": two_factor.required_for(user),
            "trusted": [
                (trusted, trusted_browsers.is_this_browser(trusted, request))
                for trusted in trusted_browsers.active(user)
            ],
            "remember_days": trusted_browsers.remember_days(),
        },
        status=status,
    )


@login_required
def two_factor_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Turn two-step sign-in on (scan, type a code back) or add passkeys, renew the recovery
    codes, turn off."""
    return _two_factor_page(request)


@login_required
@require_POST
def two_factor_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    if two_factor.device_of(request.user) is not None:
        return redirect("accounts:two_factor")
    two_factor.start(request.user)
    return redirect("accounts:two_factor")


@login_required
@require_POST
def two_factor_confirm(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = TwoFactorConfirmForm(request.POST)
    if not form.is_valid():
        return _two_factor_page(request, confirm_form=form, status=400)
    try:
        codes = two_factor.confirm(request.user, form.cleaned_data["code"])
    except ValidationError as error:
        apply_service_error(form, error)
        return _two_factor_page(request, confirm_form=form, status=400)
    # Whoever typed the code holds the phone: this session has passed the second step.
    request.session[two_factor.VERIFIED] = True
    messages.success(request, _("Đã bật đăng nhập hai bước."))
    return _two_factor_page(request, codes=codes)


@login_required
@require_POST
def two_factor_recovery_codes(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        codes = two_factor.renew_recovery_codes(request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("accounts:two_factor")
    return _two_factor_page(request, codes=codes)


@login_required
@require_POST
def two_factor_app_remove(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Remove the authenticator app, keeping two-step sign-in on by passkeys (a new phone):
    the password again, in a session that passed the second step."""
    form = PasswordAgainForm(request.POST)
    if form.is_valid():
        if not request.session.get(two_factor.VERIFIED):
            form.add_error(
                None,
                _(
                    "Hãy đăng nhập lại qua bước thứ hai trước khi gỡ ứng dụng. / Sign in again "
                    "through the second step before removing the app."
                ),
            )
        else:
            try:
                two_factor.remove_app(request.user, password=form.cleaned_data["password"])
            except ValidationError as error:
                if not hasattr(error, "error_dict"):
                    # No app, or no passkey: the page shows no such form to put it on.
                    for message in error.messages:
                        messages.error(request, message)
                    return redirect("accounts:two_factor")
                apply_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("Đã gỡ ứng dụng xác thực; đăng nhập hai bước vẫn bật bằng khóa truy cập."),
                )
                return redirect("accounts:two_factor")
    return _two_factor_page(request, app_form=form, status=400)


@login_required
@require_POST
def two_factor_off(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = TwoFactorOffForm(request.POST)
    if form.is_valid():
        try:
            two_factor.turn_off(
                request.user,
                password=form.cleaned_data["password"],
                code=form.cleaned_data["code"],
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            request.session.pop(two_factor.VERIFIED, None)
            messages.success(request, _("Đã tắt đăng nhập hai bước."))
            return redirect("accounts:two_factor")
    return _two_factor_page(request, off_form=form, status=400)


@login_required
@require_POST
def trusted_browser_forget(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Forget one of one's own remembered browsers (another's: 404)."""
    trusted = trusted_browsers.active(request.user).filter(pk=pk).first()
    if trusted is None:
        raise Http404
    trusted_browsers.forget(trusted, actor=request.user)
    messages.success(
        request,
        _("Đã quên trình duyệt %(label)s: lần đăng nhập tới trên đó sẽ hỏi mã.")
        % {"label": trusted.label},
    )
    response = redirect("accounts:two_factor")
    trusted_browsers.refresh_cookie(response, request)
    return response


@login_required
@require_POST
def trusted_browser_forget_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    count = trusted_browsers.forget_all(request.user, actor=request.user)
    if count:
        messages.success(request, _("Đã quên mọi trình duyệt được ghi nhớ."))
    response = redirect("accounts:two_factor")
    trusted_browsers.refresh_cookie(response, request)
    return response


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
    today = timezone.localdate()
    # After a merge or a dissolution: who still holds a role only on what closed.
    closed_only = request.GET.get("closed") == "1"
    if closed_only:
        users = users.filter(
            pk__in=visible_grants.filter(organisation__valid_to__lt=today).values("user_id")
        )
    page = Paginator(users.order_by("username", "pk"), PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "accounts/user_list.html",
        {
            "form": form,
            "page": page,
            "querystring": params.urlencode(),
            "today": today,
            "closed_only": closed_only,
        },
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
            "today": timezone.localdate(),
            "two_factor_on": two_factor.is_on(subject),
            "tokens": ApiToken.objects.filter(user=subject),
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
def user_reset_two_factor(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A lost phone: the account manager removes the user's authenticator."""
    subject = _user(request, pk)
    try:
        two_factor.reset(subject, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _(
                "Đã đặt lại đăng nhập hai bước của %(user)s: lần đăng nhập tới chỉ cần mật khẩu"
                " (và phải bật lại nếu vai trò bắt buộc)."
            )
            % {"user": subject},
        )
    return redirect("accounts:user_detail", pk=subject.pk)


@login_required
@require_POST
def user_token_revoke(request: AuthenticatedHttpRequest, pk: int, token: int) -> HttpResponse:
    """An account manager revokes one of the user's API tokens (kept, marked revoked);
    the owner is told."""
    subject = _user(request, pk)
    found = ApiToken.objects.filter(user=subject, pk=token).first()
    if found is None:
        raise Http404
    services.revoke_api_token(found, actor=request.user)
    messages.success(request, _("Đã thu hồi mã truy cập."))
    return redirect("accounts:user_detail", pk=subject.pk)


@login_required
@require_POST
def user_tokens_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """An account manager revokes every API token of the user; the owner is told."""
    subject = _user(request, pk)
    count = services.revoke_api_tokens(subject, actor=request.user)
    messages.success(
        request,
        ngettext("Đã thu hồi %(count)s mã truy cập.", "Đã thu hồi %(count)s mã truy cập.", count)
        % {"count": count},
    )
    return redirect("accounts:user_detail", pk=subject.pk)


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

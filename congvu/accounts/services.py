"""Writes on accounts: users, role grants and personal API tokens."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING, Any, Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congvu.audit.services import record
from congvu.organisations.models import Organisation, StaffMember

from . import access, trusted_browsers
from .access import Perm
from .models import ApiToken, Role, RoleGrant, User

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# 16 characters from 56 unambiguous letters and digits: ~93 bits, read aloud or
# copied from the screen without mixing up 0/O or 1/l/I.
_ONE_TIME_CHARS = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_ONE_TIME_LENGTH = 16


def _one_time_password() -> str:
    while True:
        password = "".join(secrets.choice(_ONE_TIME_CHARS) for _ in range(_ONE_TIME_LENGTH))
        # Letters and digits both, so no password validator can ever refuse it.
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password


def _require_visible_user(actor: Any, user: User) -> None:
    if not access.visible_users(actor).filter(pk=user.pk).exists():
        raise Http404


def _require_not_self(actor: Any, user: User, message: StrOrPromise) -> None:
    if actor is not None and actor.pk == user.pk:
        raise ValidationError(message)


def _require_current(organisation: Organisation, field: str = "organisation") -> None:
    if not organisation.is_active:
        raise ValidationError(
            {
                field: _(
                    "Cơ quan này không còn hiệu lực; hãy chọn cơ quan kế thừa. / "
                    "This organisation is no longer in force; choose its successor."
                )
            }
        )


def _add_grant(
    user: User, *, role: Role, organisation: Organisation, include_subtree: bool, actor: Any
) -> RoleGrant:
    """Create the grant after the caller's checks; refuse an exact duplicate."""
    _require_current(organisation)
    existing = RoleGrant.objects.filter(user=user, role=role, organisation=organisation).first()
    if existing is not None:
        if existing.include_subtree == include_subtree:
            raise ValidationError(
                {
                    "role": _(
                        "Người dùng đã có vai trò này tại cơ quan này. / "
                        "The user already holds this role on this organisation."
                    )
                }
            )
        if actor is not None:
            # Changing the extent also takes away the old grant: it must be revocable too.
            access.require_grantable(
                actor, role, organisation, include_subtree=existing.include_subtree
            )
        existing.include_subtree = include_subtree
        existing.save(update_fields=["include_subtree"])
        grant = existing
    else:
        grant = RoleGrant.objects.create(
            user=user, role=role, organisation=organisation, include_subtree=include_subtree
        )
    record(
        "accounts.grant_role",
        actor=actor,
        obj=grant,
        organisation=organisation,
        summary=f"{user.username}: {role.value} @ {organisation.code}",
        data={"include_subtree": include_subtree},
    )
    access.forget(user)
    return grant


@transaction.atomic
def grant_role(
    user: User,
    *,
    role: Role,
    organisation: Organisation,
    actor: Any,
    include_subtree: bool = True,
) -> RoleGrant:
    """Give `user` `role` on `organisation`; the actor may grant only what they hold there.

    `actor=None` is the system (data loads, commands) and skips the checks.
    """
    role = Role(role)
    if actor is not None:
        access.require_grantable(actor, role, organisation, include_subtree=include_subtree)
        _require_visible_user(actor, user)
        _require_not_self(
            actor,
            user,
            _(
                "Bạn không thể tự thay đổi quyền của chính mình. / "
                "You cannot change your own grants."
            ),
        )
    return _add_grant(
        user, role=role, organisation=organisation, include_subtree=include_subtree, actor=actor
    )


@transaction.atomic
def revoke_grant(grant: RoleGrant, *, actor: Any) -> None:
    """Take a grant away; only someone who could have granted it may."""
    grant = RoleGrant.objects.select_related("user", "organisation").get(pk=grant.pk)
    access.require_grantable(
        actor, Role(grant.role), grant.organisation, include_subtree=grant.include_subtree
    )
    _require_not_self(
        actor,
        grant.user,
        _("Bạn không thể tự thu hồi quyền của chính mình. / You cannot revoke your own grants."),
    )
    record(
        "accounts.revoke_grant",
        actor=actor,
        obj=grant,
        organisation=grant.organisation,
        summary=f"{grant.user.username}: {grant.role} @ {grant.organisation.code}",
        data={"include_subtree": grant.include_subtree},
    )
    grant.delete()
    access.forget(grant.user)


@transaction.atomic
def create_user(
    *,
    actor: Any,
    username: str,
    full_name: str,
    email: str,
    organisation: Organisation,
    role: Role = Role.STAFF,
    include_subtree: bool = False,
    staff_member: StaffMember | None = None,
) -> tuple[User, str]:
    """Create an account with a first grant on `organisation`; return it with its password.

    The password is random, shown once and never stored in clear; the person
    changes it after signing in. Linking a staff member needs the right to
    manage that staff member.
    """
    role = Role(role)
    access.require_grantable(actor, role, organisation, include_subtree=include_subtree)
    if staff_member is not None:
        access.require_staff(actor, Perm.STAFF_MANAGE, staff_member)
    username = (username or "").strip()
    full_name = " ".join((full_name or "").split())
    email = (email or "").strip()
    errors: dict[str, list[Any]] = {}
    try:
        User.username_validator(username)
    except ValidationError:
        errors.setdefault("username", []).append(
            _(
                "Tên đăng nhập chỉ gồm chữ, số và các ký tự @ . + - _ (không dấu cách). / "
                "A username holds only letters, digits and @ . + - _ (no spaces)."
            )
        )
    if len(username) > User._meta.get_field("username").max_length:  # type: ignore[operator]
        errors.setdefault("username", []).append(
            _("Tên đăng nhập tối đa 150 ký tự. / A username has at most 150 characters.")
        )
    if username and User.objects.filter(username__iexact=username).exists():
        errors.setdefault("username", []).append(
            _("Tên đăng nhập này đã có người dùng. / This username is already taken.")
        )
    if not full_name:
        errors.setdefault("full_name", []).append(_("Hãy nhập họ và tên. / Enter the full name."))
    elif len(full_name) > User._meta.get_field("full_name").max_length:  # type: ignore[operator]
        errors.setdefault("full_name", []).append(
            _("Họ và tên tối đa 120 ký tự. / A full name has at most 120 characters.")
        )
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.setdefault("email", []).append(
                _("Địa chỉ thư điện tử không hợp lệ. / Invalid e-mail address.")
            )
    if staff_member is not None:
        staff_member = StaffMember.objects.select_for_update().get(pk=staff_member.pk)
        if staff_member.user_id is not None:
            errors.setdefault("staff_member", []).append(
                _("Cán bộ này đã có tài khoản. / This staff member already has an account.")
            )
    if errors:
        raise ValidationError(errors)
    password = _one_time_password()
    user = User.objects.create_user(
        username=username,
        email=email,
        password=password,
        full_name=full_name,
        must_change_password=True,
    )
    record(
        "accounts.create_user",
        actor=actor,
        obj=user,
        organisation=organisation,
        summary=f"{username} ({full_name})",
        data={"staff_member": staff_member.pk if staff_member else None},
    )
    if staff_member is not None:
        staff_member.user = user
        staff_member.save(update_fields=["user", "updated_at"])
    _add_grant(
        user, role=role, organisation=organisation, include_subtree=include_subtree, actor=actor
    )
    return user, password


def _require_manageable(actor: Any, user: User, self_message: StrOrPromise) -> None:
    _require_visible_user(actor, user)
    _require_not_self(actor, user, self_message)
    if not access.may_manage_user(actor, user):
        raise PermissionDenied


@transaction.atomic
def deactivate_user(user: User, *, actor: Any) -> User:
    """Stop `user` from signing in (sessions and API tokens stop working too)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    _require_manageable(
        actor,
        user,
        _(
            "Bạn không thể tự khóa tài khoản của chính mình. / "
            "You cannot deactivate your own account."
        ),
    )
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
        record("accounts.deactivate_user", actor=actor, obj=user, summary=user.username)
        trusted_browsers.forget_all(user, actor=actor, reason="deactivated")
        revoke_api_tokens(user, actor=actor, reason="deactivated")
    return user


@transaction.atomic
def reactivate_user(user: User, *, actor: Any) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    _require_manageable(
        actor,
        user,
        _(
            "Bạn không thể tự mở khóa tài khoản của chính mình. / "
            "You cannot reactivate your own account."
        ),
    )
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
        record("accounts.reactivate_user", actor=actor, obj=user, summary=user.username)
    return user


@transaction.atomic
def reset_password(user: User, *, actor: Any) -> str:
    """Give `user` a new random password, shown once to the actor."""
    user = User.objects.select_for_update().get(pk=user.pk)
    _require_manageable(
        actor,
        user,
        _(
            "Hãy đổi mật khẩu của chính mình ở trang Tài khoản. / "
            "Change your own password on the Account page."
        ),
    )
    password = _one_time_password()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    record("accounts.reset_password", actor=actor, obj=user, summary=user.username)
    trusted_browsers.forget_all(user, actor=actor, reason="password_reset")
    revoke_api_tokens(user, actor=actor, reason="password_reset")
    return password


@transaction.atomic
def password_changed(user: User) -> None:
    """After `user` set their own password: the one they were given no longer binds them."""
    if user.must_change_password:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
    record("accounts.change_password", actor=user, obj=user, summary=user.username)
    # A new password ends the trust given to browsers and tokens under the old one.
    trusted_browsers.forget_all(user, actor=user, reason="password_change")
    revoke_api_tokens(user, actor=user, reason="password_change")


def token_lifetimes() -> list[int | None]:
    """The lifetimes (days) offered when making a token, the default first; None = never."""
    days: list[int | None] = list(settings.API_TOKEN_LIFETIMES or [365])
    if settings.API_TOKEN_NEVER_EXPIRES:
        days.append(None)
    return days


@transaction.atomic
def create_api_token(
    user: User, *, name: str, days: int | Literal["default"] | None = "default"
) -> tuple[ApiToken, str]:
    """Create a token and return it with the clear key, which is never stored.

    It expires after `days` (the first of `token_lifetimes()` by default); None, never,
    is refused unless `settings.API_TOKEN_NEVER_EXPIRES` allows it."""
    lifetime = token_lifetimes()[0] if days == "default" else days
    if lifetime not in token_lifetimes():
        raise ValidationError(
            {"days": _("Thời hạn không được phép. / This lifetime is not allowed.")}
        )
    key = ApiToken.generate_key()
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        key_prefix=key[:10],
        key_hash=ApiToken.hash_key(key),
        expires_at=None if lifetime is None else now + dt.timedelta(days=lifetime),
    )
    record(
        "accounts.create_api_token",
        actor=user,
        obj=token,
        summary=name,
        data={"days": lifetime},
    )
    return token, key


def _require_token_manager(actor: Any, owner: User) -> None:
    """The owner revokes their own tokens; anyone else must be able to manage the owner
    (an invisible owner: 404; visible, not manageable: 403)."""
    if getattr(actor, "pk", None) == owner.pk:
        return
    _require_visible_user(actor, owner)
    if not access.may_manage_user(actor, owner):
        raise PermissionDenied


@transaction.atomic
def revoke_api_token(token: ApiToken, *, actor: Any) -> ApiToken:
    """Revoke one token (kept, with its `revoked_at`); the owner is told when it was
    someone else."""
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    _require_token_manager(actor, token.user)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(
            "accounts.revoke_api_token",
            actor=actor,
            obj=token,
            summary=f"{token.user.username}: {token.name}",
            data={"count": 1},
        )
        if actor.pk != token.user_id:
            from . import notices

            notices.api_tokens_revoked(token.user, by=actor, count=1)
    return token


@transaction.atomic
def revoke_api_tokens(user: User, *, actor: Any, reason: str = "manager") -> int:
    """Revoke every usable token of `user` (kept, with their `revoked_at`); audited when
    there were any.

    Called by an account manager (`reason="manager"`: the owner is told) and wherever
    trust in the account ends: a password changed or reset, two-step sign-in reset, the
    account deactivated (the same places that forget remembered browsers). A token made
    before the event must not outlive it: it is how a stolen session stays in."""
    if reason == "manager":
        _require_token_manager(actor, user)
    count = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if count:
        record(
            "accounts.revoke_api_token",
            actor=actor,
            obj=user,
            summary=user.username,
            data={"count": count, "reason": reason},
        )
        if reason == "manager" and getattr(actor, "pk", None) != user.pk:
            from . import notices

            notices.api_tokens_revoked(user, by=actor, count=count)
    return count


def user_for_api_key(key: str) -> User | None:
    """The active user an unrevoked, unexpired bearer key belongs to, or None. Marks the
    token as used (at most every five minutes)."""
    if not key or not key.startswith(ApiToken.PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True)
        .first()
    )
    now = timezone.now()
    if token is None or not token.user.is_active:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user

"""Writes on accounts: role grants and personal API tokens."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from congvu.audit.services import record

from . import access
from .access import Perm
from .models import ApiToken, Role, RoleGrant, User


@transaction.atomic
def grant_role(
    user: User, *, role: Role, organisation: Any, actor: Any, include_subtree: bool = True
) -> RoleGrant:
    if actor is not None:
        access.require(actor, Perm.GRANT_MANAGE, organisation)
    grant, _ = RoleGrant.objects.update_or_create(
        user=user,
        role=role,
        organisation=organisation,
        defaults={"include_subtree": include_subtree},
    )
    record(
        "accounts.grant_role",
        actor=actor,
        obj=grant,
        organisation=organisation,
        summary=f"{user.username}: {role.value} @ {organisation.code}",
    )
    access.forget(user)
    return grant


@transaction.atomic
def create_api_token(user: User, *, name: str) -> tuple[ApiToken, str]:
    """Create a token and return it with the clear key, which is never stored."""
    key = ApiToken.generate_key()
    token = ApiToken.objects.create(
        user=user, name=name, key_prefix=key[:10], key_hash=ApiToken.hash_key(key)
    )
    record("accounts.create_api_token", actor=user, obj=token, summary=name)
    return token, key


@transaction.atomic
def revoke_api_token(token: ApiToken, *, actor: User) -> ApiToken:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record("accounts.revoke_api_token", actor=actor, obj=token, summary=token.name)
    return token


def user_for_api_key(key: str) -> User | None:
    """The active user a bearer key belongs to, or None. Marks the token as used."""
    if not key or not key.startswith(ApiToken.PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user

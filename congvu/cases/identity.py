"""Revealing a reporter's identity to an overseer, for one case, with a reason.

The Law on Denunciation 2018 (art. 47-48) and Decree 13/2023 keep a denouncer's identity
to those settling the denunciation. The Department of Home Affairs and the administrator
hold every permission over the province so that they can step in on any case; that makes
them able to learn who reported, not people who see it in passing. So they see "[…]"
(`visibility.can_see_identity` is false for them) and reveal it case by case:

* a reason, 10–500 characters, is required;
* each reveal is an audit event `case.identity_reveal` (its data: the reason, never the
  identity) and a timeline entry for the handlers only ("Danh tính người phản ánh đã được
  xem bởi …: …"), so the people settling the case know who looked and why — the reporter
  and the subject never see it;
* in the browser it lasts `REVEAL_MINUTES` for that case and that session (`remember`,
  `revealed`); the API answers the identity to the one request that asked.

Nothing is revealed of an anonymous case or one whose identity was erased (`NothingToReveal`).
"""

from __future__ import annotations

import time
from typing import Any, Final

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from congvu.accounts import access
from congvu.accounts.access import Perm

from . import history, timeline, visibility
from .models import Case, CaseEvent

REASON_MIN: Final = 10
REASON_MAX: Final = 500
#: How long a reveal lasts in the browser session that asked, for that case.
REVEAL_MINUTES: Final = 60
SESSION_KEY: Final = "cases.identity_revealed"


class NothingToReveal(Exception):
    """The case is anonymous, or its reporter's identity was erased."""

    def message(self) -> str:
        return _(
            "Vụ việc ẩn danh hoặc thông tin người phản ánh đã được xóa: không có danh tính để "
            "xem. / The case is anonymous or its reporter's details were erased: there is no "
            "identity to show."
        )


def clean_reason(reason: str) -> str:
    """The reason as it will be recorded, or a ValidationError saying what is wrong."""
    reason = " ".join((reason or "").split())
    if len(reason) < REASON_MIN:
        raise ValidationError(
            {
                "reason": _(
                    "Vui lòng ghi lý do cần xem danh tính (ít nhất %(n)d ký tự). / Please give "
                    "the reason you need the identity (at least %(n)d characters)."
                )
                % {"n": REASON_MIN}
            }
        )
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {
                "reason": _(
                    "Lý do dài quá %(n)d ký tự. / The reason is longer than %(n)d characters."
                )
                % {"n": REASON_MAX}
            }
        )
    return reason


def _name(user: Any) -> str:
    return str(getattr(user, "full_name", "") or user.get_username())


@timeline.in_vietnamese
def reveal(case: Case, *, actor: Any, reason: str) -> dict[str, str]:
    """The reporter's identity of `case` for `actor`, who gives `reason`.

    For one who sees it directly, simply the identity (nothing is revealed to them). For an
    overseer (`visibility.may_reveal_identity`): recorded first — audit event and a
    handlers' timeline entry — in one transaction. PermissionDenied for anyone else with
    the case in view (a role without CASE_IDENTITY, the subject); the caller answers 404
    for a case out of view before calling."""
    reason = clean_reason(reason)
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("handling_organisation")
            .get(pk=case.pk)
        )
        if visibility.is_subject(actor, case) or not access.can(
            actor, Perm.CASE_IDENTITY, case.handling_organisation
        ):
            raise PermissionDenied
        if not visibility.has_identity(case):
            raise NothingToReveal
        if visibility.may_reveal_identity(actor, case):
            timeline.add(
                case,
                kind=CaseEvent.Kind.IDENTITY_REVEALED,
                actor=actor,
                action="case.identity_reveal",
                audience=CaseEvent.Audience.INTERNAL,
                body=history.IDENTITY_REVEALED.write(reader=_name(actor), reason=reason),
                data={"reason": reason},
            )
    return {
        "name": case.reporter_name,
        "phone": case.reporter_phone,
        "email": case.reporter_email,
    }


def remember(request: HttpRequest, case: Case) -> None:
    """Show `case`'s reporter to this browser session for `REVEAL_MINUTES`."""
    now = time.time()
    kept = {
        key: until
        for key, until in dict(request.session.get(SESSION_KEY) or {}).items()
        if isinstance(until, (int, float)) and until > now
    }
    kept[str(case.pk)] = now + REVEAL_MINUTES * 60
    request.session[SESSION_KEY] = kept


def revealed_cases(request: HttpRequest) -> set[int]:
    """The cases whose reporter this session revealed within the last `REVEAL_MINUTES`."""
    session = getattr(request, "session", None)
    if session is None:
        return set()
    now = time.time()
    found: set[int] = set()
    for key, until in dict(session.get(SESSION_KEY) or {}).items():
        if isinstance(until, (int, float)) and until > now and str(key).isdigit():
            found.add(int(key))
    return found


def revealed(request: HttpRequest, case: Case) -> bool:
    """Did this session reveal `case`'s reporter (and may the user still)?"""
    return case.pk in revealed_cases(request) and visibility.may_reveal_identity(request.user, case)


def sees(request: HttpRequest, case: Case) -> bool:
    """Does the user of `request` see `case`'s reporter now: directly, or revealed here?"""
    return visibility.can_see_identity(request.user, case) or revealed(request, case)

"""Revealing a reporter's identity to an overseer, one case and one request at a time.

`GET /cases/{code}` gives `reporter` to the handling organisation's own (and the assigned
officer) only; the Department of Home Affairs and the administrator, who reach every case
through oversight, get `reporter: null` and `identity_hidden: true`. With a reason they
may ask `POST /cases/{code}/identity`: the answer carries the identity for that request
only (the browser's page keeps it an hour; an API client asks again), and each call is
recorded — audit event `case.identity_reveal` with the reason, a handlers' timeline entry
(`cases.identity`).

Answers: 200 with the identity; 404 for a case outside the caller's scope (or about the
caller: a case is never confirmed to its subject); 403 for a caller without CASE_IDENTITY
there; 422 for a missing, short (< 10) or long (> 500) reason, nothing recorded; 409 for
an anonymous case or one whose reporter's details were erased. A caller who already sees
the identity directly gets it without anything being recorded.
"""

from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Router
from ninja.errors import HttpError
from pydantic import StringConstraints

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.cases import identity, visibility

from .cases.lookups import get_case
from .cases.schemas import CaseCode, ReporterOut
from .common import NO_NUL
from .errors import ErrorOut
from .plans import WRITE_ERRORS, BodyIn
from .security import AUTH, user_of

router = Router(tags=["Vụ việc / Cases"], auth=AUTH)


class RevealIn(BodyIn):
    reason: Annotated[str, StringConstraints(max_length=2000, pattern=NO_NUL)] = Field(
        "",
        description="Lý do cần xem danh tính, 10–500 ký tự (được ghi lại, người xử lý được "
        "biết) / why the identity is needed, 10–500 characters (recorded, told to the handlers)",
    )


class RevealedOut(ReporterOut):
    recorded: bool = Field(
        ...,
        description="Lần xem đã được ghi nhật ký và báo người xử lý (người giám sát); false "
        "với người vốn được xem trực tiếp / the reveal was audited and told to the handlers "
        "(an overseer); false for a caller who sees the identity directly",
    )


@router.post(
    "/cases/{code}/identity",
    response={200: RevealedOut, 409: ErrorOut, **WRITE_ERRORS},
    summary="Xem danh tính người phản ánh, kèm lý do / reveal the reporter's identity, with a "
    "reason (overseers; audited, told to the handlers; 409 anonymous or erased)",
)
def reveal_case_identity(request: HttpRequest, code: CaseCode, payload: RevealIn) -> Any:
    user = user_of(request)
    case = get_case(user, code)
    if visibility.is_subject(user, case) or not access.can(
        user, Perm.CASE_IDENTITY, case.handling_organisation
    ):
        raise PermissionDenied
    recorded = visibility.may_reveal_identity(user, case)
    try:
        found = identity.reveal(case, actor=user, reason=payload.reason)
    except identity.NothingToReveal as exc:
        raise HttpError(409, exc.message()) from exc
    return {**found, "recorded": recorded}

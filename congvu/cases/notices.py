"""The cases app's notices (`core.notices`): the handlers' daily digest, the staff
member's request for a statement, what is decided about them, and the discipline proposed
to whoever decides it.

A digest names cases by code, track, status and deadline only: no reporter data,
no description (a digest can be forwarded or misdelivered)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from congvu.accounts.access import Perm, holders
from congvu.core.notices import Message, Params, day, letter, message, notify, site_url

from .models import Case, DisciplineDecision, Track


def _digest_title(params: Params) -> str:
    return _("Vụ việc ngày %(day)s: %(soon)d sắp đến hạn, %(overdue)d quá hạn") % {
        "day": day(params["day"]),
        "soon": len(params["due_soon"]),
        "overdue": len(params["overdue"]),
    }


def _case_line(row: Params) -> str:
    if row["due"] is None:
        return f"- {row['code']}"
    values = {
        "code": row["code"],
        "track": Track(row["track"]).label,
        "status": Case.Status(row["status"]).label,
        "due": day(row["due"]),
    }
    if row["acknowledging"]:
        return _("- %(code)s (%(track)s, %(status)s), hạn thụ lý: %(due)s") % values
    return _("- %(code)s (%(track)s, %(status)s), hạn giải quyết: %(due)s") % values


def _digest_body(params: Params) -> str:
    def lines(rows: list[Params]) -> list[str]:
        return [
            text
            for row in rows
            for text in (_case_line(row), "  " + site_url(f"/cases/{row['code']}/"))
        ]

    overdue, soon = len(params["overdue"]), len(params["due_soon"])
    return letter(
        params["name"],
        [
            (
                ngettext("QUÁ HẠN: %(count)d vụ việc", "QUÁ HẠN: %(count)d vụ việc", overdue)
                % {"count": overdue},
                lines(params["overdue"]),
            ),
            (
                ngettext("SẮP ĐẾN HẠN: %(count)d vụ việc", "SẮP ĐẾN HẠN: %(count)d vụ việc", soon)
                % {"count": soon},
                lines(params["due_soon"]),
            ),
        ],
    )


DIGEST = message("cases.digest", title=_digest_title, body=_digest_body)
STATEMENT_REQUESTED = message(
    "cases.statement_requested", title=gettext_noop("Đề nghị giải trình về vụ việc %(code)s")
)
ASSIGNED = message("cases.assigned", title=gettext_noop("Bạn được giao xử lý vụ việc %(code)s"))
# The staff member concerned is told of what is decided about them (due process); the
# notice names the case by its code, the decision by its number and date, nothing more.
SUBJECT_CONCLUDED = message(
    "cases.subject_concluded",
    title=gettext_noop("Vụ việc %(code)s liên quan đến bạn đã có kết luận"),
    body=gettext_noop("Xem kết luận trên trang “Phản ánh về tôi”."),
)
SUBJECT_DISCIPLINE = message(
    "cases.subject_discipline",
    title=gettext_noop("Quyết định kỷ luật số %(number)s ngày %(day)s (vụ việc %(code)s)"),
    body=gettext_noop("Xem quyết định trên trang “Phản ánh về tôi”."),
)
SUBJECT_SIGNED = message(
    "cases.subject_signed",
    title=gettext_noop("Đã có bản đã ký của kết luận vụ việc %(code)s"),
    body=gettext_noop("Số %(number)s, ngày %(day)s."),
)


def _many_title(params: Params) -> str:
    count = len(params["codes"])
    return ngettext(
        "Bạn được giao xử lý %(count)d vụ việc", "Bạn được giao xử lý %(count)d vụ việc", count
    ) % {"count": count}


def _many_body(params: Params) -> str:
    lines = [_("Các vụ việc được giao cho bạn:")]
    for code in params["codes"]:
        lines.append(f"- {code}: {site_url(f'/cases/{code}/')}")
    return "\n".join(lines)


#: One notice for the cases given to one person in one action (by their codes only).
ASSIGNED_MANY = message("cases.assigned_many", title=_many_title, body=_many_body)


def after_commit(user_id: int, notice: Message, case: Case, *, kind: str, url: str) -> None:
    """Tell one user about `case` once the transaction commits: a change rolled back
    tells nobody. The notice names the case by its code only."""
    code = case.code
    transaction.on_commit(
        lambda: notify(user_id, kind=kind, key=notice.key, params={"code": code}, url=url)
    )


def tell_subject(case: Case, notice: Message, **params: Any) -> None:
    """Tell the staff member concerned (if they have an account) about `case` once the
    transaction commits, with a link to their own page of it."""
    staff = case.subject_staff
    if staff is None or staff.user_id is None:
        return
    user_id, values = staff.user_id, {"code": case.code, **params}
    url = f"/cases/mine/{case.code}/"
    transaction.on_commit(
        lambda: notify(user_id, kind="case_subject", key=notice.key, params=values, url=url)
    )


def many_after_commit(user_id: int, codes: list[str]) -> None:
    """Tell `user_id` once, after the commit, of every case in `codes` given to them."""
    params: dict[str, Any]
    if len(codes) == 1:
        url = f"/cases/{codes[0]}/"
        key, params = ASSIGNED.key, {"code": codes[0]}
    else:
        url = "/cases/?assigned=me"
        key, params = ASSIGNED_MANY.key, {"codes": list(codes)}
    transaction.on_commit(
        lambda: notify(user_id, kind="case_assigned", key=key, params=params, url=url)
    )


# --- a discipline proposed: the one who decides it is told (discipline.propose) ---------------


def _proposed_body(params: Params) -> str:
    english = translation.get_language() or ""
    form = params["form_en"] if params["form_en"] and english.startswith("en") else params["form"]
    return _("Hình thức đề xuất: %(form)s. Xem đề xuất và quyết định trên trang vụ việc.") % {
        "form": form
    }


DISCIPLINE_KIND = "discipline_proposed"
DISCIPLINE_PROPOSED = message(
    "cases.discipline_proposed",
    title=gettext_noop("Đề xuất kỷ luật chờ quyết định: vụ việc %(code)s"),
    body=_proposed_body,
)


def discipline_proposed(case: Case, decision: DisciplineDecision, *, actor: Any) -> None:
    """Tell whoever may decide the discipline of `case` (DISCIPLINE_DECIDE on its handling
    organisation, as a duty: its head, or a head above it with the subtree — not Home
    Affairs' oversight) once the transaction commits: the case's code and the form
    proposed, nothing of the report, the reporter or the proposal's note. Neither the one
    who proposed it nor the staff member concerned (who may be a head there, and whom
    due process tells of the decision, not of the handlers' proposal)."""
    deciders = holders(Perm.DISCIPLINE_DECIDE, case.handling_organisation, duty=True)
    if case.subject_staff is not None and case.subject_staff.user_id is not None:
        deciders = deciders.exclude(pk=case.subject_staff.user_id)
    targets = list(deciders.exclude(pk=actor.pk).values_list("pk", flat=True))
    form = decision.form
    params = {"code": case.code, "form": form.name, "form_en": form.name_en}
    url = f"/cases/{case.code}/#h-discipline"

    def send() -> None:
        for user_id in targets:
            notify(
                user_id, kind=DISCIPLINE_KIND, key=DISCIPLINE_PROPOSED.key, params=params, url=url
            )

    transaction.on_commit(send)


# --- a case nobody would see: its overseers are told (unattended) ------------------------


def _unattended_title(params: Params) -> str:
    count = len(params["codes"])
    return ngettext(
        "%(count)d vụ việc chưa có người xử lý", "%(count)d vụ việc chưa có người xử lý", count
    ) % {"count": count}


def _unattended_body(params: Params) -> str:
    return "\n".join(f"- {code}: {site_url(f'/cases/{code}/')}" for code in params["codes"])


# An open case whose handling organisation has nobody who would see it as their work
# (`unattended`): told to those overseeing it, with what would fix it.
UNATTENDED = message(
    "cases.unattended",
    title=gettext_noop("Vụ việc %(code)s chưa có người xử lý"),
    body=gettext_noop(
        "Cơ quan xử lý chưa có ai được giao xử lý vụ việc: hãy giao quyền cho thủ trưởng "
        "hoặc người xử lý, hoặc chỉ định người nhận vụ việc mặc định."
    ),
)
UNATTENDED_MANY = message("cases.unattended_many", title=_unattended_title, body=_unattended_body)

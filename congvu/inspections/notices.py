"""The inspections app's notices (`core.notices`).

The inspected organisation's own people (those who answer corrective actions, never the
Department of Home Affairs' oversight) are told when an announced inspection is planned,
moved to another day or cancelled, when an inspection of theirs is concluded, when a
corrective action is set after the conclusion and when a signed copy of its papers is
recorded; the team's people are told when they are put on
it (by someone else) and when the organisation answers a corrective action.
When an approved amendment cancels a programme item, its lead is told with the reason, and
so are the organisation's people if the item was announced (they could see it).
An unannounced inspection is told of to nobody before it starts: it is not visible to
the organisation until then.

A notice names the inspection by its code, the organisation, dates and counts only: never
a staff member named in a finding (a notice can be forwarded or misdelivered).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from congvu.accounts.access import Perm, holders
from congvu.core.notices import Params, day, letter, message, notify, site_url

from .models import CorrectiveAction, Inspection, Observation, ProgrammeItem, _period_label
from .signed_models import SignedPaper

KIND = "inspection"

PLANNED = message(
    "inspections.planned",
    title=gettext_noop("Thông báo kiểm tra công vụ tại %(organisation)s ngày %(day)s"),
    body=gettext_noop(
        "Đoàn kiểm tra công vụ dự kiến làm việc tại %(organisation)s ngày %(day)s (cuộc kiểm "
        "tra %(code)s). Đề nghị đơn vị chuẩn bị hồ sơ, tài liệu liên quan."
    ),
)
MOVED = message(
    "inspections.moved",
    title=gettext_noop("Cuộc kiểm tra %(code)s tại %(organisation)s chuyển sang ngày %(day)s"),
)
TEAM = message(
    "inspections.team",
    title=gettext_noop("Bạn được cử vào đoàn kiểm tra %(code)s tại %(organisation)s, ngày %(day)s"),
)
CANCELLED = message(
    "inspections.cancelled",
    title=gettext_noop("Cuộc kiểm tra %(code)s tại %(organisation)s đã được hủy"),
)


def _item_cancelled_title(params: Params) -> str:
    return _(
        "Mục kiểm tra %(organisation)s (%(period)s năm %(year)d) trong kế hoạch kiểm tra đã "
        "được hủy"
    ) % {**params, "period": _period_label(params["quarter"], params["month"])}


ITEM_CANCELLED = message(
    "inspections.item_cancelled",
    title=_item_cancelled_title,
    body=gettext_noop(
        "Lý do hủy: %(reason)s\nTheo quyết định điều chỉnh kế hoạch số %(decision)s ngày "
        "%(day)s (%(programme)s)."
    ),
)


def _concluded_title(params: Params) -> str:
    return _("Kết luận kiểm tra công vụ %(code)s tại %(organisation)s") % params


def _concluded_body(params: Params) -> str:
    lines = [
        _("Số vi phạm ghi nhận: %(breaches)d. Biện pháp khắc phục phải thực hiện: %(actions)d.")
        % params
    ]
    if params.get("first_due"):
        lines.append(
            _(
                "Hạn khắc phục sớm nhất: %(day)s. Báo cáo kết quả khắc phục kèm minh chứng "
                "trên hệ thống."
            )
            % {"day": day(params["first_due"])}
        )
    return "\n".join(lines)


CONCLUDED = message("inspections.concluded", title=_concluded_title, body=_concluded_body)


def _signed_title(params: Params) -> str:
    paper = SignedPaper.Document(params["document"]).label
    return _("Đã có bản đã ký: %(paper)s, cuộc kiểm tra %(code)s") % {
        "paper": paper,
        "code": params["code"],
    }


SIGNED_PAPER = message(
    "inspections.signed_paper",
    title=_signed_title,
    body=gettext_noop("Số %(number)s, ngày %(day)s. Bản chụp có trên trang cuộc kiểm tra."),
)


def _answered_title(params: Params) -> str:
    if params["done"]:
        return _("%(organisation)s báo cáo đã hoàn thành khắc phục (cuộc kiểm tra %(code)s)") % (
            params
        )
    return _("%(organisation)s báo cáo tiến độ khắc phục (cuộc kiểm tra %(code)s)") % params


ANSWERED = message("inspections.answered", title=_answered_title)
ACTION_ADDED = message(
    "inspections.action_added",
    title=gettext_noop("Biện pháp khắc phục mới sau kiểm tra %(code)s, hạn %(day)s"),
    body=gettext_noop(
        "Đoàn kiểm tra đề nghị %(organisation)s khắc phục thêm một vi phạm đã ghi nhận "
        "(cuộc kiểm tra %(code)s), hạn %(day)s. Báo cáo kết quả khắc phục kèm minh chứng "
        "trên hệ thống."
    ),
)


def _url(inspection: Inspection) -> str:
    return f"/inspections/{inspection.code}/"


def _later(user_ids: Iterable[int], key: str, params: dict[str, Any], url: str) -> None:
    """Tell each of `user_ids` once the transaction commits: a change rolled back tells
    nobody."""
    targets = list(dict.fromkeys(user_ids))

    def send() -> None:
        for user_id in targets:
            notify(user_id, kind=KIND, key=key, params=params, url=url)

    transaction.on_commit(send)


def _organisation_people(inspection: Inspection, *, but: Any = None) -> list[int]:
    ids = holders(Perm.INSPECTION_RESPOND, inspection.organisation, duty=True).values_list(
        "pk", flat=True
    )
    return [pk for pk in ids if but is None or pk != but.pk]


def _team(inspection: Inspection) -> list[int]:
    return [inspection.lead_id, *inspection.members.values_list("pk", flat=True)]


def _basics(inspection: Inspection) -> dict[str, Any]:
    return {"code": inspection.code, "organisation": inspection.organisation.name}


def planned(inspection: Inspection, *, actor: Any) -> None:
    """An announced (scheduled) inspection was planned: its organisation prepares."""
    if inspection.kind != Inspection.Kind.SCHEDULED:
        return
    params = {**_basics(inspection), "day": inspection.planned_on}
    _later(_organisation_people(inspection, but=actor), PLANNED.key, params, _url(inspection))


def moved(inspection: Inspection, *, actor: Any) -> None:
    """An announced inspection's day changed: its organisation prepares for the new one."""
    if inspection.kind != Inspection.Kind.SCHEDULED:
        return
    params = {**_basics(inspection), "day": inspection.planned_on}
    _later(_organisation_people(inspection, but=actor), MOVED.key, params, _url(inspection))


def team_added(inspection: Inspection, users: Iterable[Any], *, actor: Any) -> None:
    """`users` were put on the inspection's team (by someone else than themselves)."""
    params = {**_basics(inspection), "day": inspection.planned_on}
    people = [user.pk for user in users if user.pk != actor.pk]
    _later(people, TEAM.key, params, _url(inspection))


def cancelled(inspection: Inspection, *, actor: Any) -> None:
    """An inspection the organisation knew of (announced, or already started) is off."""
    if inspection.kind != Inspection.Kind.SCHEDULED and inspection.started_at is None:
        return
    people = _organisation_people(inspection, but=actor)
    _later(people, CANCELLED.key, _basics(inspection), _url(inspection))


def item_cancelled(item: ProgrammeItem, *, decision: str, decided_on: Any, actor: Any) -> None:
    """An approved amendment cancelled a programme item: its lead is told, with the reason;
    so are the organisation's own people when they could see the item (an announced one —
    an unannounced one is kept from them, and one whose inspection started cannot be
    cancelled). Not the actor, and nobody if the approval is rolled back."""
    people = [item.lead_id] if item.lead_id is not None else []
    if item.kind == Inspection.Kind.SCHEDULED:
        people += holders(Perm.INSPECTION_RESPOND, item.organisation, duty=True).values_list(
            "pk", flat=True
        )
    params = {
        "organisation": item.organisation.name,
        "quarter": item.quarter,
        "month": item.month,
        "year": item.programme.year,
        "programme": item.programme.title,
        "reason": item.cancel_reason,
        "decision": decision,
        "day": decided_on,
    }
    _later(
        [pk for pk in people if pk != actor.pk],
        ITEM_CANCELLED.key,
        params,
        # The site's page, also when the change comes through the API (whose URLconf alone
        # serves the API in the API's tests).
        reverse("inspections:programme", args=[item.programme_id], urlconf="config.urls"),
    )


def concluded(inspection: Inspection, *, actor: Any) -> None:
    """The findings and corrective actions are now the organisation's to read and answer."""
    actions = CorrectiveAction.objects.filter(observation__inspection=inspection)
    first = actions.order_by("due_on").values_list("due_on", flat=True).first()
    params = {
        **_basics(inspection),
        "breaches": inspection.observations.filter(result=Observation.Result.BREACHED).count(),
        "actions": actions.count(),
        "first_due": first,
    }
    people = _organisation_people(inspection, but=actor)
    _later(people, CONCLUDED.key, params, _url(inspection))


def signed_paper(inspection: Inspection, *, paper: Any, actor: Any) -> None:
    """The signed copy of a paper the organisation may download was recorded."""
    params = {
        "code": inspection.code,
        "document": paper.document,
        "number": paper.number,
        "day": paper.signed_on,
    }
    people = _organisation_people(inspection, but=actor)
    _later(people, SIGNED_PAPER.key, params, _url(inspection))


def action_added(action: CorrectiveAction, inspection: Inspection, *, actor: Any) -> None:
    """A corrective action set after the conclusion (the conclusion's notice counted those
    before it): the organisation learns of it and its deadline, not only 7 days before."""
    if inspection.status != Inspection.Status.CONCLUDED:
        return
    params = {**_basics(inspection), "day": action.due_on}
    people = _organisation_people(inspection, but=actor)
    _later(people, ACTION_ADDED.key, params, _url(inspection))


def answered(action: CorrectiveAction, inspection: Inspection, *, actor: Any) -> None:
    """The organisation reported on a corrective action: the team reads it."""
    params = {**_basics(inspection), "done": action.status == CorrectiveAction.Status.DONE}
    team = [pk for pk in _team(inspection) if pk != actor.pk]
    _later(team, ANSWERED.key, params, _url(inspection))


# --- the daily digest of corrective actions (digest.py builds and sends it) ---------------


def _digest_title(params: Params) -> str:
    return _("Biện pháp khắc phục ngày %(day)s: %(soon)d sắp đến hạn, %(overdue)d quá hạn") % {
        "day": day(params["day"]),
        "soon": len(params["due_soon"]),
        "overdue": len(params["overdue"]),
    }


def _digest_body(params: Params) -> str:
    def lines(rows: list[Params]) -> list[str]:
        return [
            text
            for row in rows
            for text in (
                _("- %(code)s (%(organisation)s), hạn khắc phục: %(due)s")
                % {**row, "due": day(row["due"])},
                "  " + site_url(f"/inspections/{row['code']}/"),
            )
        ]

    overdue, soon = len(params["overdue"]), len(params["due_soon"])
    return letter(
        params["name"],
        [
            (
                ngettext(
                    "QUÁ HẠN: %(count)d biện pháp khắc phục",
                    "QUÁ HẠN: %(count)d biện pháp khắc phục",
                    overdue,
                )
                % {"count": overdue},
                lines(params["overdue"]),
            ),
            (
                ngettext(
                    "SẮP ĐẾN HẠN: %(count)d biện pháp khắc phục",
                    "SẮP ĐẾN HẠN: %(count)d biện pháp khắc phục",
                    soon,
                )
                % {"count": soon},
                lines(params["due_soon"]),
            ),
        ],
    )


DIGEST = message("inspections.digest", title=_digest_title, body=_digest_body)

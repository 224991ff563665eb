"""The planning app's notices (`core.notices`): the reminder digest, the head's
confirmation of completion and the decision on an extension request."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from congvu.core.notices import Params, day, message, site_url

from .models import period_text


def _digest_title(params: Params) -> str:
    return _("Nhắc việc ngày %(day)s: %(soon)d sắp đến hạn, %(overdue)d quá hạn") % {
        "day": day(params["day"]),
        "soon": len(params["due_soon"]),
        "overdue": len(params["overdue"]),
    }


def _heading(rows: list[Params], *, overdue: bool, days: int) -> str:
    count = len(rows)
    if overdue:
        return ngettext("QUÁ HẠN: %(count)d nhiệm vụ", "QUÁ HẠN: %(count)d nhiệm vụ", count) % {
            "count": count
        }
    return ngettext(
        "SẮP ĐẾN HẠN (trong %(days)d ngày làm việc tới): %(count)d nhiệm vụ",
        "SẮP ĐẾN HẠN (trong %(days)d ngày làm việc tới): %(count)d nhiệm vụ",
        count,
    ) % {"count": count, "days": days}


def _assignment_lines(row: Params) -> list[str]:
    # The stored code ("2026-Q3") is worded for the reader ("Quý III/2026", "Q3 2026").
    period = (
        " " + _("(kỳ %(period)s)") % {"period": period_text(row["period"])} if row["period"] else ""
    )
    return [
        f"- {row['code']}. {row['content']}{period}",
        "  " + _("Cơ quan: %(organisation)s") % {"organisation": row["organisation"]},
        "  " + _("Hạn: %(due)s") % {"due": day(row["due"])},
        f"  {site_url(row['path'])}",
    ]


def _digest_body(params: Params) -> str:
    lines = [_("Kính gửi %(name)s,") % {"name": params["name"]}, ""]
    for rows, overdue in ((params["overdue"], True), (params["due_soon"], False)):
        if not rows:
            continue
        lines.append(_heading(rows, overdue=overdue, days=params["days"]))
        for row in rows:
            lines.extend(_assignment_lines(row))
        lines.append("")
    lines += [
        _("Xem tất cả thông báo: %(url)s") % {"url": site_url("/notifications/")},
        "",
        _("Thư này được gửi tự động mỗi ngày làm việc từ hệ thống Công vụ."),
    ]
    return "\n".join(lines)


DIGEST = message("planning.digest", title=_digest_title, body=_digest_body)
PROGRESS_CONFIRMED = message(
    "planning.progress_confirmed",
    title=gettext_noop("Đã xác nhận hoàn thành: %(task)s"),
    body=gettext_noop("Người đứng đầu đã xác nhận nhiệm vụ hoàn thành ngày %(day)s."),
)
EXTENSION_APPROVED = message(
    "planning.extension_approved",
    title=gettext_noop("Đề nghị gia hạn được chấp thuận: %(task)s"),
    body=gettext_noop("Hạn mới: %(due)s (hạn ban đầu: %(original)s)."),
)
EXTENSION_REFUSED = message(
    "planning.extension_refused",
    title=gettext_noop("Đề nghị gia hạn không được chấp thuận: %(task)s"),
    body=gettext_noop("Lý do: %(reason)s. Hạn vẫn là %(due)s."),
)


# --- tasks newly given to organisations (services.create_task, update_task, task_import) ---


def _task_line(row: Params) -> str:
    if row.get("due") is None:
        return f"{row['code']}. {row['content']}"
    return _("%(code)s. %(content)s — hạn %(due)s") % {**row, "due": day(row["due"])}


def _organisations_line(params: Params) -> str:
    names = params["organisations"]
    more = params["organisation_count"] - len(names)
    text = ", ".join(names)
    if more > 0:
        text += " " + _("và %(count)d cơ quan khác") % {"count": more}
    return _("Cơ quan thực hiện: %(names)s") % {"names": text}


def _task_new_title(params: Params) -> str:
    task = params["tasks"][0]
    return _("Nhiệm vụ mới: %(task)s") % {"task": _task_line(task)}


def _tasks_new_title(params: Params) -> str:
    count = params["count"]
    return ngettext(
        "%(count)d nhiệm vụ mới của kế hoạch %(plan)s",
        "%(count)d nhiệm vụ mới của kế hoạch %(plan)s",
        count,
    ) % {"count": count, "plan": params["plan"]}


def _task_new_body(params: Params) -> str:
    lines = [_("Kế hoạch %(plan)s.") % {"plan": params["plan"]}, _organisations_line(params)]
    return "\n".join(lines)


def _tasks_new_body(params: Params) -> str:
    lines = [_organisations_line(params), ""]
    lines += [f"- {_task_line(row)}" for row in params["tasks"]]
    more = params["count"] - len(params["tasks"])
    if more > 0:
        lines.append(_("và %(count)d nhiệm vụ khác") % {"count": more})
    return "\n".join(lines)


#: One task given to the reader's organisation(s) by one action.
TASK_NEW = message("planning.task_new", title=_task_new_title, body=_task_new_body)
#: Several tasks of one plan given in one action (an imported task table).
TASKS_NEW = message("planning.tasks_new", title=_tasks_new_title, body=_tasks_new_body)

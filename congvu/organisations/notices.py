"""The organisations app's notices (`core.notices`): what a restructuring hands over."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from congvu.accounts.models import Role
from congvu.core.notices import Params, day, message, site_url


def _grants_title(params: Params) -> str:
    return _("%(count)d người còn quyền trên cơ quan đã đóng: %(organisation)s") % {
        "count": len(params["grants"]),
        "organisation": params["organisation"],
    }


def _grants_body(params: Params) -> str:
    lines = [
        _(
            "Quyền trên cơ quan đã đóng không được tự động chuyển sang cơ quan kế thừa. "
            "Hãy xem xét cấp lại quyền cho những người sau:"
        )
    ]
    if params["successor"]:
        lines = [_("Cơ quan kế thừa: %(name)s.") % {"name": params["successor"]}, *lines]
    for row in params["grants"]:
        lines.append(f"- {row['name']} ({Role(row['role']).label}): {site_url(row['path'])}")
    return "\n".join(lines)


#: Told to those who manage accounts where the closed organisation's work went.
GRANTS_ON_CLOSED = message("organisations.grants_on_closed", title=_grants_title, body=_grants_body)
#: Told to the heads of the organisation that now handles a case of a closed one.
CASE_HANDED_OVER = message(
    "organisations.case_handed_over",
    title=gettext_noop("Vụ việc %(code)s được chuyển đến cơ quan bạn xử lý"),
    body=gettext_noop("%(previous)s không còn hoạt động; vụ việc chưa giao cho ai xử lý."),
)


def _inspection_cancelled_body(params: Params) -> str:
    if params["successor"]:
        text = _(
            "%(organisation)s đã sáp nhập vào %(successor)s từ %(day)s. Nếu cần kiểm tra, hãy "
            "lập cuộc kiểm tra mới tại %(successor)s."
        )
    else:
        text = _("%(organisation)s giải thể từ %(day)s.")
    return text % {**params, "day": day(params["day"])}


#: Told to the lead and members of a planned inspection the handover cancelled (the
#: inspected organisation's people are told by `inspections.notices.cancelled`).
INSPECTION_CANCELLED = message(
    "organisations.inspection_cancelled",
    title=gettext_noop("Cuộc kiểm tra %(code)s tại %(organisation)s đã được hủy"),
    body=_inspection_cancelled_body,
)

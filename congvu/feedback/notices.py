"""The feedback app's notices (`core.notices`): the reviewers' daily notice of flagged
ratings. Counts and organisation names only, never a comment or a detection reason."""

from __future__ import annotations

from typing import Final

from django.utils.translation import gettext as _

from congvu.core.notices import Params, day, message, site_url

#: Organisations named one by one in a notice; the rest are counted.
LISTED: Final = 10


def _title(params: Params) -> str:
    return _(
        "Đánh giá chờ xem xét ngày %(day)s: %(total)d lượt bị gắn cờ, %(new)d lượt mới từ hôm qua"
    ) % {
        "day": day(params["day"]),
        "total": sum(row["total"] for row in params["rows"]),
        "new": sum(row["new"] for row in params["rows"]),
    }


def _body(params: Params) -> str:
    rows = params["rows"]
    lines = [
        _("Kính gửi %(name)s,") % {"name": params["name"]},
        "",
        _(
            "Các lượt đánh giá sau bị gắn cờ nghi bất thường và chưa được tính vào chỉ số "
            "hài lòng cho đến khi được xem xét (tính vào hoặc loại ra, có ghi lý do)."
        ),
        "",
    ]
    for row in rows[:LISTED]:
        lines.append(
            _("- %(name)s: %(total)d lượt chờ xem xét (%(new)d mới)")
            % {"name": row["name"], "total": row["total"], "new": row["new"]}
        )
        lines.append("  " + site_url(row["path"]))
    hidden = rows[LISTED:]
    if hidden:
        lines.append(
            _("- và %(count)d cơ quan khác: %(total)d lượt chờ xem xét")
            % {"count": len(hidden), "total": sum(row["total"] for row in hidden)}
        )
    lines += [
        "",
        _("Xem tất cả: %(url)s") % {"url": site_url("/ratings/flagged/")},
        "",
        _("Thư này được gửi tự động mỗi ngày từ hệ thống Công vụ."),
    ]
    return "\n".join(lines)


FLAGGED = message("feedback.ratings_flagged", title=_title, body=_body)

"""The navigation a user sees depends on what they may do, decided by access.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.cases.rules import may_manage as may_manage_case_rules

from . import notices


@dataclass(frozen=True)
class NavItem:
    label: Any
    url: str
    key: str


@dataclass(frozen=True)
class NavGroup:
    """A menu of the header; a group of one item is shown as a plain link."""

    label: Any
    key: str
    items: list[NavItem] = field(default_factory=list)


def _groups(user: Any) -> list[NavGroup]:
    """The logged-in user's menus, each item shown only where access.py allows it."""
    can = access.can_anywhere
    work = NavGroup(_("Kế hoạch"), "work")
    if can(user, Perm.PLAN_VIEW):
        work.items.extend(
            [
                NavItem(_("Theo dõi"), reverse("dashboards:province"), "dashboard"),
                NavItem(_("Kế hoạch"), reverse("planning:plan_list"), "plans"),
                NavItem(_("Nhiệm vụ"), reverse("assignments:list"), "assignments"),
                NavItem(_("Báo cáo"), reverse("reporting:index"), "reports"),
                NavItem(_("Quán triệt"), reverse("dissemination:list"), "dissemination"),
            ]
        )
    if can(user, Perm.PLAN_VIEW) or can(user, Perm.SCORE_MANAGE):
        work.items.append(NavItem(_("Chấm điểm, xếp hạng"), reverse("scoring:list"), "scoring"))
    ratings = NavGroup(_("Đánh giá"), "ratings")
    if can(user, Perm.RATING_VIEW):
        ratings.items.append(
            NavItem(_("Mức độ hài lòng"), reverse("feedback:province"), "satisfaction")
        )
    if can(user, Perm.RATING_REVIEW):
        ratings.items.append(
            NavItem(_("Đánh giá chờ xem xét"), reverse("feedback:flagged"), "flagged")
        )
    if can(user, Perm.DOSSIER_REGISTER) or can(user, Perm.COUNTER_MANAGE):
        ratings.items.append(
            NavItem(_("Hồ sơ và quầy một cửa"), reverse("feedback_manage:index"), "one_stop")
        )
    cases = NavGroup(_("Vụ việc"), "cases")
    if can(user, Perm.CASE_VIEW):
        cases.items.extend(
            [
                NavItem(_("Vụ việc"), reverse("cases:list"), "case_list"),
                NavItem(_("Thống kê vụ việc"), reverse("cases:dashboard"), "case_dashboard"),
            ]
        )
    if may_manage_case_rules(user):
        cases.items.append(
            NavItem(_("Quy định xử lý phản ánh"), reverse("cases:rules"), "case_rules")
        )
    if can(user, Perm.INSPECTION_RUN) or can(user, Perm.INSPECTION_RESPOND):
        cases.items.append(
            NavItem(_("Kiểm tra công vụ"), reverse("inspections:list"), "inspections")
        )
    organisation = NavGroup(_("Tổ chức"), "organisation")
    if can(user, Perm.ORG_VIEW):
        organisation.items.append(
            NavItem(_("Cơ quan, đơn vị"), reverse("organisations:tree"), "organisations")
        )
    if can(user, Perm.STAFF_VIEW):
        organisation.items.append(
            NavItem(_("Cán bộ"), reverse("organisations:staff_list"), "staff")
        )
    if can(user, Perm.IMPORT_RUN):
        organisation.items.append(NavItem(_("Nhập từ Excel"), reverse("imports:start"), "import"))
    if can(user, Perm.CATALOGUE_MANAGE):
        organisation.items.append(
            NavItem(_("Quản lý quy tắc"), reverse("conduct:manage"), "conduct_manage")
        )
    if can(user, Perm.GRANT_MANAGE):
        organisation.items.append(NavItem(_("Người dùng"), reverse("accounts:user_list"), "users"))
    if can(user, Perm.AUDIT_VIEW):
        organisation.items.append(NavItem(_("Nhật ký hoạt động"), reverse("audit:list"), "audit"))
    mine = NavGroup(_("Của tôi"), "mine")
    if getattr(user, "staff_member", None) is not None:
        mine.items.extend(
            [
                NavItem(_("Hồ sơ của tôi"), reverse("organisations:my_profile"), "me"),
                NavItem(_("Xác nhận quy tắc"), reverse("dissemination:acknowledge"), "acknowledge"),
                NavItem(_("Người dân đánh giá tôi"), reverse("feedback:mine"), "my_ratings"),
                NavItem(_("Phản ánh về tôi"), reverse("cases:mine"), "my_cases"),
            ]
        )
    if mine.items and (can(user, Perm.CASE_VIEW) or can(user, Perm.BADGE_PRINT)):
        # Those who may make a background export (the cases list, badge sheets), in the menu
        # they already have: a menu of its own would wrap the officers' header onto a second
        # line. Everyone finds the page on the account page and on each export's own page.
        mine.items.append(NavItem(_("Tệp xuất của tôi"), reverse("core:my_exports"), "my_exports"))
    return [g for g in (work, ratings, cases, organisation, mine) if g.items]


def _public_group() -> NavGroup:
    """What every visitor, logged in or not, may open."""
    return NavGroup(
        _("Công khai"),
        "public",
        [
            NavItem(_("Chuẩn mực ứng xử"), reverse("conduct:public"), "standards"),
            NavItem(_("Phản ánh, tố cáo"), reverse("cases_public:report"), "report"),
            NavItem(_("Theo dõi phản ánh"), reverse("cases_public:track"), "track"),
            NavItem(_("Công khai mức độ hài lòng"), reverse("transparency:index"), "transparency"),
            NavItem(_("Xếp hạng cơ quan"), reverse("rankings:index"), "rankings"),
        ],
    )


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    groups: list[NavGroup] = []
    unread = 0
    if user is not None and user.is_authenticated:
        groups.append(
            NavGroup(
                _("Trang chủ"), "home", [NavItem(_("Trang chủ"), reverse("core:home"), "home")]
            )
        )
        groups += _groups(user)
        unread = notices.unread_count(user)
        label = _("Thông báo (%(count)d)") % {"count": unread} if unread else _("Thông báo")
        groups.append(
            NavGroup(
                label,
                "notifications",
                [NavItem(label, reverse("notifications:list"), "notifications")],
            )
        )
    groups.append(_public_group())
    items = [item for group in groups for item in group.items]
    return {"nav_groups": groups, "nav_items": items, "unread_notifications": unread}

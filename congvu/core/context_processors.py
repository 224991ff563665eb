"""The navigation a user sees depends on what they may do, decided by access.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from congvu.accounts import access
from congvu.accounts.access import Perm

from .models import Notification


@dataclass(frozen=True)
class NavItem:
    label: Any
    url: str
    key: str


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    items: list[NavItem] = []
    unread = 0
    if user is not None and user.is_authenticated:
        items.append(NavItem(_("Trang chủ"), reverse("core:home"), "home"))
        if access.can_anywhere(user, Perm.PLAN_VIEW):
            items += [
                NavItem(_("Theo dõi"), reverse("dashboards:province"), "dashboard"),
                NavItem(_("Kế hoạch"), reverse("planning:plan_list"), "plans"),
                NavItem(_("Nhiệm vụ"), reverse("assignments:list"), "assignments"),
                NavItem(_("Báo cáo"), reverse("reporting:index"), "reports"),
                NavItem(_("Quán triệt"), reverse("dissemination:list"), "dissemination"),
            ]
        if access.can_anywhere(user, Perm.ORG_VIEW):
            items.append(
                NavItem(_("Cơ quan, đơn vị"), reverse("organisations:tree"), "organisations")
            )
        if access.can_anywhere(user, Perm.STAFF_VIEW):
            items.append(NavItem(_("Cán bộ"), reverse("organisations:staff_list"), "staff"))
        if access.can_anywhere(user, Perm.IMPORT_RUN):
            items.append(NavItem(_("Nhập từ Excel"), reverse("imports:start"), "import"))
        if access.can_anywhere(user, Perm.CATALOGUE_MANAGE):
            items.append(NavItem(_("Quản lý quy tắc"), reverse("conduct:manage"), "conduct_manage"))
        if access.can_anywhere(user, Perm.GRANT_MANAGE):
            items.append(NavItem(_("Người dùng"), reverse("accounts:user_list"), "users"))
        if getattr(user, "staff_member", None) is not None:
            items.append(NavItem(_("Hồ sơ của tôi"), reverse("organisations:my_profile"), "me"))
            items.append(
                NavItem(_("Xác nhận quy tắc"), reverse("dissemination:acknowledge"), "acknowledge")
            )
        # One indexed count per page (notification_unread_idx on user, read_at).
        unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
        label = _("Thông báo (%(count)d)") % {"count": unread} if unread else _("Thông báo")
        items.append(NavItem(label, reverse("notifications:list"), "notifications"))
    items.append(NavItem(_("Chuẩn mực ứng xử"), reverse("conduct:public"), "standards"))
    return {"nav_items": items, "unread_notifications": unread}

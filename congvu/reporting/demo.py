"""The demo's yearly report: this year's period, opened through the real services by a
Home Affairs user, with one report accepted (the department whose head has a demo login),
one waiting for review (Home Affairs' own) and one draft (the commune whose focal point
has a demo login), so that the reports pages, the period's progress and the provincial
compilation are not empty. A demo built without users has none."""

from __future__ import annotations

from django.utils import timezone

from congvu.accounts.models import Role, RoleGrant, User
from congvu.organisations.models import Organisation
from congvu.planning.models import Plan

from . import services
from .models import ReportPeriod


def _holder(role: Role, root: Organisation) -> RoleGrant | None:
    return (
        RoleGrant.objects.filter(role=role, organisation__path__startswith=root.path)
        .select_related("user", "organisation")
        .order_by("pk")
        .first()
    )


def _home_affairs(root: Organisation) -> tuple[User, Organisation] | None:
    """The Home Affairs officer and their department (the grant is on the province)."""
    grant = _holder(Role.HOME_AFFAIRS, root)
    if grant is None:
        return None
    department = (
        Organisation.objects.filter(parent=root, name__iexact="Sở Nội vụ").current().first()
    )
    return (grant.user, department) if department is not None else None


def load_demo_reports(root: Organisation, plan: Plan | None = None) -> ReportPeriod | None:
    """Open this year's period and write its first reports; returns the period."""
    home_affairs = _home_affairs(root)
    head = _holder(Role.HEAD, root)
    focal = _holder(Role.FOCAL_POINT, root)
    if home_affairs is None or head is None or focal is None:
        return None
    officer, department = home_affairs
    today = timezone.localdate()
    period = services.ensure_yearly_period(
        today.year, actor=officer, issuing_organisation=root, plan=plan, today=today
    )

    accepted = services.create_report(period, organisation=head.organisation, actor=head.user)
    accepted = services.edit_report(
        accepted,
        actor=head.user,
        results="Đã phổ biến Kế hoạch 86/KH-UBND đến 100% cán bộ, công chức, viên chức; "
        "niêm yết quy tắc ứng xử tại bộ phận một cửa; cán bộ đeo thẻ khi làm việc.",
        shortcomings_and_causes="Một số công chức chưa thực hiện đầy đủ “4 xin, 4 luôn” "
        "khi giao tiếp qua điện thoại.",
        proposals="Đề nghị Sở Nội vụ tổ chức tập huấn kỹ năng giao tiếp cho công chức "
        "bộ phận một cửa.",
        signer_name=head.user.full_name,
        signer_title="Giám đốc",
    )
    services.submit_report(accepted, actor=head.user)
    services.accept_report(accepted, actor=officer, comments="Báo cáo đầy đủ, đúng mẫu.")

    waiting = services.create_report(period, organisation=department, actor=officer)
    waiting = services.edit_report(
        waiting,
        actor=officer,
        results="Đã hướng dẫn các cơ quan, đơn vị triển khai Kế hoạch; theo dõi đánh giá "
        "của người dân và xử lý phản ánh trên hệ thống Công vụ.",
        proposals="Tiếp tục kiểm tra công vụ đột xuất tại các xã.",
    )
    services.submit_report(waiting, actor=officer)

    draft = services.create_report(period, organisation=focal.organisation, actor=focal.user)
    services.edit_report(
        draft,
        actor=focal.user,
        results="Đã tổ chức hội nghị phổ biến quy tắc ứng xử cho cán bộ, công chức xã.",
    )
    return period

"""Demo tasks for Plan 86/KH-UBND, drawn from what the seed plan asks of every agency.

The demo follows the plan in the new province from 2026 (the Thái Bình
organisations that issued it were closed by the 1 July 2025 merger, so its
duties fall to their successors). Past periods get plausible results (most
done on time, some late, some left overdue) so that the dashboards have
something to show. The demo must stay fast: the recurring tasks reach the
kinds that report on them, and results are written in a few grouped updates.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.utils import timezone

from congvu.core.text import fold
from congvu.organisations.models import Organisation, OrganisationKind

from . import rollups, services
from .models import Assignment, Plan, Schedule, Task

START = dt.date(2026, 1, 1)
ALL = ("department", "commune_pc", "public_service_unit")
AGENCIES = ("department", "commune_pc")

TASKS: tuple[dict[str, Any], ...] = (
    {
        "code": "1",
        "content": "Tổ chức quán triệt, phổ biến Quyết định số 1847/QĐ-TTg và Kế hoạch số "
        "86/KH-UBND đến toàn thể cán bộ, công chức, viên chức và người lao động của cơ quan, "
        "đơn vị.",
        "deliverable": "Biên bản hội nghị quán triệt; danh sách cán bộ tham dự",
        "kinds": ALL,
        "schedule": Schedule.ONCE,
        "due_on": dt.date(2026, 3, 31),
    },
    {
        "code": "2",
        "content": "Xây dựng, ban hành (hoặc sửa đổi, bổ sung) Quy tắc ứng xử của cán bộ, công "
        "chức, viên chức, người lao động tại cơ quan, đơn vị phù hợp với Đề án Văn hóa công vụ.",
        "deliverable": "Quyết định ban hành Quy tắc ứng xử",
        "kinds": AGENCIES,
        "schedule": Schedule.ONCE,
        "due_on": dt.date(2026, 6, 30),
    },
    {
        "code": "3",
        "content": "Niêm yết công khai chuẩn mực ứng xử \u201c4 xin, 4 luôn\u201d và đường dây "
        "nóng tiếp nhận phản ánh, kiến nghị tại Bộ phận Một cửa.",
        "deliverable": "Ảnh chụp bảng niêm yết tại Bộ phận Một cửa",
        "kinds": ("commune_pc",),
        "schedule": Schedule.ONCE,
        "due_working_days": 20,
    },
    {
        "code": "4",
        "content": "Chấp hành quy định đeo thẻ công chức, viên chức khi thi hành công vụ; trang "
        "phục gọn gàng, lịch sự, phù hợp với tính chất công việc.",
        "deliverable": "Thông báo của người đứng đầu; kết quả tự kiểm tra",
        "kinds": AGENCIES,
        "schedule": Schedule.ONCE,
        "due_on": dt.date(2026, 4, 30),
    },
    {
        "code": "5",
        "content": "Báo cáo kết quả thực hiện Đề án Văn hóa công vụ hằng năm gửi Sở Nội vụ để "
        "tổng hợp, báo cáo Ủy ban nhân dân tỉnh và Bộ Nội vụ.",
        "deliverable": "Báo cáo năm về thực hiện văn hóa công vụ",
        "kinds": ALL,
        "schedule": Schedule.YEARLY,
        "due_month": 11,
        "due_day": 15,
    },
    {
        "code": "6",
        "content": "Tự kiểm tra việc chấp hành kỷ luật, kỷ cương hành chính và thực hiện quy tắc "
        "ứng xử của cán bộ, công chức tại cơ quan, đơn vị.",
        "deliverable": "Biên bản tự kiểm tra hằng quý",
        "kinds": ("department",),
        "schedule": Schedule.QUARTERLY,
        "due_day": 25,
    },
    {
        "code": "7",
        "content": "Khảo sát, lấy ý kiến đánh giá mức độ hài lòng của người dân, tổ chức đối với "
        "thái độ phục vụ của cán bộ, công chức tại Bộ phận Một cửa.",
        "deliverable": "Báo cáo kết quả khảo sát 6 tháng",
        "kinds": ("commune_pc",),
        "schedule": Schedule.HALF_YEARLY,
        "due_day": 20,
    },
    {
        "code": "8",
        "content": "Đưa kết quả thực hiện văn hóa công vụ vào tiêu chí đánh giá, xếp loại chất "
        "lượng cán bộ, công chức, viên chức và bình xét thi đua, khen thưởng cuối năm.",
        "deliverable": "Kết quả đánh giá, xếp loại có tiêu chí văn hóa công vụ",
        "kinds": ("department",),
        "schedule": Schedule.YEARLY,
        "due_month": 12,
        "due_day": 31,
    },
    {
        "code": "9",
        "content": "Kiểm tra công vụ định kỳ và đột xuất việc thực hiện văn hóa công vụ tại các "
        "cơ quan, đơn vị trên địa bàn tỉnh.",
        "deliverable": "Kết luận kiểm tra công vụ",
        "lead": "Sở Nội vụ",
        "schedule": Schedule.YEARLY,
        "due_month": 12,
        "due_day": 15,
    },
    {
        "code": "10",
        "content": "Hướng dẫn, theo dõi, đôn đốc các cơ quan, đơn vị thực hiện Kế hoạch; tổng "
        "hợp kết quả, báo cáo Ủy ban nhân dân tỉnh.",
        "deliverable": "Báo cáo tổng hợp của tỉnh",
        "lead": "Sở Nội vụ",
        "schedule": Schedule.YEARLY,
        "due_month": 12,
        "due_day": 10,
    },
)


def _lead(root: Organisation, name: str) -> Organisation:
    candidates = Organisation.objects.current().filter(
        path__startswith=root.path, kind__code="department"
    )
    for org in candidates:
        if fold(org.name) == fold(name):
            return org
    return root


def _results(plan: Plan, today: dt.date, rng: random.Random) -> None:
    """Past deadlines: ~70 % done (three in four on time), the rest left overdue;
    current periods: some work in progress. One UPDATE per distinct outcome."""
    outcomes: dict[tuple[dt.date | None, str, int], list[int]] = defaultdict(list)
    rows = Assignment.objects.filter(task__plan=plan, period_start__lte=today).values_list(
        "pk", "period_start", "due_on"
    )
    for pk, period_start, due_on in rows.order_by("pk"):
        roll = rng.random()
        if due_on < today and roll < 0.7:
            if rng.random() < 0.75:
                done = due_on - dt.timedelta(days=rng.randint(0, 20))
            else:
                done = min(today, due_on + dt.timedelta(days=rng.randint(1, 25)))
            outcomes[(max(done, period_start), Assignment.Progress.DONE, 100)].append(pk)
        elif roll < 0.85:
            percent = rng.choice((20, 40, 50, 60, 80))
            outcomes[(None, Assignment.Progress.IN_PROGRESS, percent)].append(pk)
    for (completed_on, progress, percent), pks in outcomes.items():
        Assignment.objects.filter(pk__in=pks).update(
            completed_on=completed_on, progress=progress, percent=percent
        )


@transaction.atomic
def load_demo_plan(plan: Plan, root: Organisation, *, actor: Any = None) -> int:
    """Add the demo tasks to `plan` (for organisations under `root`); returns assignments made."""
    today = timezone.localdate()
    kinds = {kind.code: kind for kind in OrganisationKind.objects.all()}
    tasks: list[Task] = []
    for order, item in enumerate(TASKS, start=1):
        lead = _lead(root, item["lead"]) if "lead" in item else None
        by_kinds = "kinds" in item
        # Created as drafts and fanned out below, so the rollups are counted once at the end.
        tasks.append(
            services.create_task(
                plan,
                actor=actor,
                code=item["code"],
                content=item["content"],
                deliverable=item["deliverable"],
                lead_organisation=lead,
                assign_to=Task.AssignTo.KINDS if by_kinds else Task.AssignTo.NAMED,
                assignee_kinds=[kinds[c] for c in item.get("kinds", ()) if c in kinds],
                schedule=item["schedule"],
                due_on=item.get("due_on"),
                due_month=item.get("due_month"),
                due_day=item.get("due_day"),
                due_working_days=item.get("due_working_days"),
                starts_on=max(START, plan.issued_on),
                status=Task.Status.DRAFT,
                order=order,
            )
        )
    Task.objects.filter(pk__in=[t.pk for t in tasks]).update(status=Task.Status.ACTIVE)
    created = 0
    for task in tasks:
        task.status = Task.Status.ACTIVE
        created += services.fan_out(task, today=today, refresh=False)
    _results(plan, today, random.Random(plan.pk))
    organisation_ids = set(
        Assignment.objects.filter(task__plan=plan).values_list("organisation_id", flat=True)
    )
    rollups.refresh(plan_id=plan.pk, organisation_ids=organisation_ids)
    return created

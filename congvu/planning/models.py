"""Plans, their tasks, and each organisation's duty to carry them out.

A `Plan` (86/KH-UBND, or an organisation's own plan derived from it) has
`Task`s; a task is assigned to named organisations or to every organisation
of some kinds, once or per period, which yields one `Assignment` per
organisation and period. Assignments keep the organisation they were made for
(organisations are dated), their original deadline (extensions move `due_on`
only), and their progress. `AssignmentRollup` keeps counts per organisation,
plan and period (one-off tasks: per day they end) so that dashboards cost
organisations × periods, not assignments. Dissemination sessions and acknowledgements of the code of
conduct cover section I.2.a of the seed (every staff member).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congvu.core.models import TimeStampedModel


class PlanQuerySet(models.QuerySet["Plan"]):
    def visible_to(self, user: object) -> PlanQuerySet:
        """Plans issued in the user's PLAN_VIEW scope, plans that give work to an
        organisation in it, and plans of its ancestors (a commune's focal point
        sees the provincial plan above the commune). A closed issuer counts
        through its successor (Plan 86 of the merged Thái Bình committee)."""
        from congvu.accounts import access
        from congvu.organisations.models import PATH_SEGMENT

        if getattr(user, "is_active", False) and getattr(user, "is_superuser", False):
            return self.all()
        scope = access.organisations_for(user, access.Perm.PLAN_VIEW).values("pk")
        ancestors: set[int] = set()
        for grant in access.grants_of(user):
            if access.Perm.PLAN_VIEW in access.ROLE_PERMS[grant.role]:
                path = grant.path
                ancestors.update(
                    int(path[i : i + PATH_SEGMENT]) for i in range(0, len(path), PATH_SEGMENT)
                )
        assigned = Task.objects.filter(
            Q(assignees__in=scope)
            | Q(lead_organisation__in=scope)
            | Q(pk__in=Assignment.objects.filter(organisation__in=scope).values("task_id"))
        ).values("plan_id")
        return self.filter(
            Q(issuing_organisation__in=scope)
            | Q(issuing_organisation__successor__in=scope)
            | Q(issuing_organisation_id__in=ancestors)
            | Q(issuing_organisation__successor_id__in=ancestors)
            | Q(pk__in=assigned)
        )


class Plan(TimeStampedModel):
    number = models.CharField(_("số, ký hiệu"), max_length=60, help_text=_("Ví dụ: 86/KH-UBND"))
    title = models.CharField(_("trích yếu"), max_length=500)
    issuing_organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("cơ quan ban hành"),
        on_delete=models.PROTECT,
        related_name="plans",
    )
    issued_on = models.DateField(_("ngày ban hành"))
    basis = models.TextField(_("căn cứ"), blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("kế hoạch cấp trên"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    document = models.FileField(_("tệp văn bản"), upload_to="plans/%Y/", blank=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "number"]
        verbose_name = _("kế hoạch")
        verbose_name_plural = _("kế hoạch")
        constraints = [
            models.UniqueConstraint(
                fields=["number", "issuing_organisation"], name="plan_number_unique_per_issuer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} — {self.title}"


class Schedule(models.TextChoices):
    ONCE = "once", _("Một lần")
    YEARLY = "yearly", _("Hằng năm")
    HALF_YEARLY = "half_yearly", _("6 tháng một lần")
    QUARTERLY = "quarterly", _("Hằng quý")
    MONTHLY = "monthly", _("Hằng tháng")


class TaskQuerySet(models.QuerySet["Task"]):
    def visible_to(self, user: object) -> TaskQuerySet:
        """The tasks of the plans the user sees (the whole table: context for their own)."""
        return self.filter(plan__in=Plan.objects.visible_to(user).values("pk"))


class Task(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        ACTIVE = "active", _("Đang thực hiện")
        CLOSED = "closed", _("Đã kết thúc")

    class AssignTo(models.TextChoices):
        NAMED = "named", _("Các cơ quan được nêu tên")
        KINDS = "kinds", _("Mọi cơ quan thuộc các loại đã chọn")

    plan = models.ForeignKey(
        Plan, verbose_name=_("kế hoạch"), on_delete=models.CASCADE, related_name="tasks"
    )
    code = models.CharField(_("số thứ tự"), max_length=30)
    content = models.TextField(_("nội dung nhiệm vụ"))
    deliverable = models.CharField(_("sản phẩm"), max_length=500, blank=True)
    lead_organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("cơ quan chủ trì"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_tasks",
    )
    coordinating_organisations = models.ManyToManyField(
        "organisations.Organisation",
        verbose_name=_("cơ quan phối hợp"),
        blank=True,
        related_name="coordinated_tasks",
    )
    assign_to = models.CharField(
        _("giao cho"), max_length=10, choices=AssignTo.choices, default=AssignTo.NAMED
    )
    assignees = models.ManyToManyField(
        "organisations.Organisation",
        verbose_name=_("cơ quan thực hiện"),
        blank=True,
        related_name="assigned_tasks",
    )
    assignee_kinds = models.ManyToManyField(
        "organisations.OrganisationKind",
        verbose_name=_("loại cơ quan thực hiện"),
        blank=True,
        related_name="+",
    )
    schedule = models.CharField(
        _("thời hạn"), max_length=15, choices=Schedule.choices, default=Schedule.ONCE
    )
    due_on = models.DateField(_("hạn hoàn thành"), null=True, blank=True)
    due_month = models.PositiveSmallIntegerField(_("tháng đến hạn"), null=True, blank=True)
    due_day = models.PositiveSmallIntegerField(_("ngày đến hạn"), null=True, blank=True)
    due_working_days = models.PositiveSmallIntegerField(
        _("số ngày làm việc"),
        null=True,
        blank=True,
        help_text=_("Nếu có: hạn = số ngày làm việc kể từ đầu kỳ (không tính ngày nghỉ)."),
    )
    starts_on = models.DateField(_("bắt đầu từ"))
    ends_on = models.DateField(_("kết thúc"), null=True, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    order = models.PositiveIntegerField(_("thứ tự"), default=0)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["plan_id", "order", "code"]
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = _("nhiệm vụ")
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="task_code_unique_per_plan"),
            models.CheckConstraint(
                condition=Q(due_month__isnull=True) | Q(due_month__gte=1, due_month__lte=12),
                name="task_due_month_range",
            ),
            models.CheckConstraint(
                condition=Q(due_day__isnull=True) | Q(due_day__gte=1, due_day__lte=31),
                name="task_due_day_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.content[:80]}"


_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def period_text(code: str) -> str:
    """A period's code ("2026", "2026-H1", "2026-Q3", "2026-05", "" for a one-off task)
    as a reader says it: "Năm 2026", "6 tháng đầu năm 2026", "Quý III/2026",
    "Tháng 5/2026", "Một lần". An unknown code is shown as it is."""
    from django.utils.translation import get_language, gettext

    year, _sep, part = code.partition("-")
    if not code:
        return gettext("Một lần")
    if not year.isdigit():
        return code
    if not part:
        return gettext("Năm %(year)s") % {"year": year}
    if part == "H1":
        return gettext("6 tháng đầu năm %(year)s") % {"year": year}
    if part == "H2":
        return gettext("6 tháng cuối năm %(year)s") % {"year": year}
    if part[:1] == "Q" and part[1:].isdigit() and int(part[1:]) in _ROMAN:
        number = int(part[1:])
        # Vietnamese writes the quarter in Roman numerals ("Quý III/2026"); English "Q3 2026".
        roman = (get_language() or "vi").startswith("vi")
        return gettext("Quý %(quarter)s/%(year)s") % {
            "quarter": _ROMAN[number] if roman else number,
            "year": year,
        }
    if part.isdigit() and 1 <= int(part) <= 12:
        return gettext("Tháng %(month)d/%(year)s") % {"month": int(part), "year": year}
    return code


class AssignmentQuerySet(models.QuerySet["Assignment"]):
    def visible_to(self, user: object) -> AssignmentQuerySet:
        from congvu.accounts import access

        return self.filter(
            organisation__in=access.organisations_for(user, access.Perm.PLAN_VIEW).values("pk")
        )

    def openable_by(self, user: object) -> AssignmentQuerySet:
        """Assignments the user may open: of organisations they see, or assigned by their side.

        The assigning side (PLAN_MANAGE on the plan's issuing organisation) must see
        the work it assigned to decide extensions, even in organisations it does
        not otherwise oversee.
        """
        return self.filter(openable_q(user))


def openable_q(user: object, prefix: str = "") -> Q:
    """`AssignmentQuerySet.openable_by` as a condition, through `prefix` from another model
    ("assignment__" for extension requests): the organisation is one the user sees, or the
    task belongs to a plan their side issued.

    Conditions on the assignment's own indexed columns against small sets (organisations;
    tasks), never a subquery over the assignments themselves: that made SQLite list every
    visible id (500k at provincial scale) even to open one row."""
    from congvu.accounts import access

    if access.is_superuser(user):
        return Q()
    visible = access.organisations_for(user, access.Perm.PLAN_VIEW).values("pk")
    issuers = access.organisations_for(user, access.Perm.PLAN_MANAGE).values("pk")
    issued = Task.objects.filter(
        Q(plan__issuing_organisation__in=issuers)
        | Q(plan__issuing_organisation__successor__in=issuers)
    ).values("pk")
    return Q(**{f"{prefix}organisation__in": visible}) | Q(**{f"{prefix}task__in": issued})


class Assignment(TimeStampedModel):
    """One organisation's duty for one task in one period."""

    class Progress(models.TextChoices):
        NOT_STARTED = "not_started", _("Chưa thực hiện")
        IN_PROGRESS = "in_progress", _("Đang thực hiện")
        DONE = "done", _("Đã hoàn thành")

    class State(models.TextChoices):
        """The government's task statuses, derived from progress, deadline and today."""

        NOT_STARTED = "not_started", _("Chưa thực hiện")
        IN_PROGRESS = "in_progress", _("Đang thực hiện trong hạn")
        OVERDUE = "overdue", _("Quá hạn")
        DONE_ON_TIME = "done_on_time", _("Hoàn thành đúng hạn")
        DONE_LATE = "done_late", _("Hoàn thành trễ hạn")

    task = models.ForeignKey(
        Task, verbose_name=_("nhiệm vụ"), on_delete=models.CASCADE, related_name="assignments"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("cơ quan thực hiện"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    period = models.CharField(
        _("kỳ"), max_length=10, blank=True, help_text="2026, 2026-H1, 2026-Q3, 2026-05"
    )
    period_start = models.DateField(_("đầu kỳ"))
    period_end = models.DateField(_("cuối kỳ"))
    original_due_on = models.DateField(_("hạn ban đầu"))
    due_on = models.DateField(_("hạn hiện tại"), db_index=True)
    progress = models.CharField(
        _("tiến độ"), max_length=12, choices=Progress.choices, default=Progress.NOT_STARTED
    )
    percent = models.PositiveSmallIntegerField(_("tỷ lệ hoàn thành (%)"), default=0)
    completed_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người đứng đầu xác nhận"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("xác nhận lúc"), null=True, blank=True)
    last_update_at = models.DateTimeField(_("cập nhật gần nhất"), null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "task_id", "organisation_id"]
        verbose_name = _("giao nhiệm vụ")
        verbose_name_plural = _("giao nhiệm vụ")
        constraints = [
            models.UniqueConstraint(
                fields=["task", "organisation", "period"], name="assignment_unique_per_period"
            ),
            models.CheckConstraint(
                condition=Q(percent__gte=0, percent__lte=100), name="assignment_percent_range"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "due_on"], name="assignment_org_due_idx"),
            models.Index(fields=["task", "period"], name="assignment_task_period_idx"),
            models.Index(fields=["completed_on", "due_on"], name="assignment_open_due_idx"),
            # The overdue list of one period: SQLite uses the first, PostgreSQL the second
            # (it cannot order by due_on after an IS NULL test on the first).
            models.Index(
                fields=["period", "completed_on", "due_on"], name="assignment_period_open_due_idx"
            ),
            models.Index(
                fields=["period", "due_on"],
                condition=Q(completed_on__isnull=True),
                name="assignment_open_period_due_idx",
            ),
            # The home page's work list, organisation by organisation: the open
            # assignments overdue (task_id: counted without reading the rows), and the
            # completions waiting for the head's confirmation (a few among hundreds).
            models.Index(
                fields=["organisation", "due_on", "task"],
                condition=Q(completed_on__isnull=True),
                name="assignment_open_org_due_idx",
            ),
            models.Index(
                fields=["organisation", "completed_on"],
                condition=Q(progress="done", completed_on__isnull=False, confirmed_at__isnull=True),
                name="assignment_to_confirm_idx",
            ),
        ]

    @property
    def period_label(self) -> str:
        """The period as a reader says it ("Quý III/2026"; "Một lần" for a one-off task)."""
        return period_text(self.period)

    def __str__(self) -> str:
        return f"{self.task_id}/{self.organisation_id}/{self.period or '-'}"

    def state_on(self, day: dt.date) -> Assignment.State:
        S = Assignment.State
        if self.completed_on is not None:
            return S.DONE_ON_TIME if self.completed_on <= self.due_on else S.DONE_LATE
        if self.due_on < day:
            return S.OVERDUE
        return S.IN_PROGRESS if self.progress != self.Progress.NOT_STARTED else S.NOT_STARTED


def evidence_path(instance: models.Model, filename: str) -> str:
    # The stored name is random; the user's file name is kept in `original_name`.
    import uuid

    suffix = Path(filename).suffix.lower()[:10]
    return f"evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class ProgressUpdate(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="updates")
    progress = models.CharField(_("tiến độ"), max_length=12, choices=Assignment.Progress.choices)
    percent = models.PositiveSmallIntegerField(_("tỷ lệ hoàn thành (%)"))
    note = models.TextField(_("ghi chú"), blank=True)
    completed_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("lúc"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["assignment_id", "created_at"]
        verbose_name = _("cập nhật tiến độ")
        verbose_name_plural = _("cập nhật tiến độ")

    def __str__(self) -> str:
        return f"{self.assignment_id}: {self.percent}%"


class EvidenceFile(models.Model):
    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("tệp"), upload_to=evidence_path)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(_("loại tệp"), max_length=100)
    size = models.PositiveIntegerField(_("dung lượng"))
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("tệp minh chứng")
        verbose_name_plural = _("tệp minh chứng")

    def __str__(self) -> str:
        return self.original_name


class ExtensionRequest(TimeStampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ duyệt")
        APPROVED = "approved", _("Đã chấp thuận")
        REFUSED = "refused", _("Không chấp thuận")

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="extensions")
    requested_due_on = models.DateField(_("đề nghị gia hạn đến"))
    previous_due_on = models.DateField(_("hạn trước khi gia hạn"))
    reason = models.TextField(_("lý do"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("quyết định lúc"), null=True, blank=True)
    decision_reason = models.TextField(_("lý do quyết định"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("đề nghị gia hạn")
        verbose_name_plural = _("đề nghị gia hạn")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"],
                condition=Q(status="pending"),
                name="extension_one_pending_per_assignment",
            )
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id} → {self.requested_due_on:%d/%m/%Y}"


class AssignmentRollup(models.Model):
    """Counts per organisation, plan, period and period end, kept current by the services.

    A period label ends on one day, so a recurring period is one row. One-off tasks
    (period "") get a row per `period_end`: each ends on its own day (its deadline, or
    the task's end when later), and a periodic report counts the rows ending inside it.

    `overdue` depends on today's date: the daily refresh recounts every row whose
    `computed_on` is older than today, and every write recounts its own row.
    Sums and counts only, never averages (they would not add up across rows).
    """

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=10, blank=True)
    period_end = models.DateField()
    total = models.PositiveIntegerField(default=0)
    not_started = models.PositiveIntegerField(default=0)
    in_progress = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)
    done_on_time = models.PositiveIntegerField(default=0)
    done_late = models.PositiveIntegerField(default=0)
    computed_on = models.DateField()

    class Meta:
        verbose_name = _("tổng hợp tiến độ")
        verbose_name_plural = _("tổng hợp tiến độ")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "plan", "period", "period_end"], name="rollup_unique"
            )
        ]
        indexes = [models.Index(fields=["plan", "period"], name="rollup_plan_period_idx")]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.plan_id}/{self.period or '-'}"


class Dissemination(TimeStampedModel):
    """A session making the standards known to staff (seed I.2.a)."""

    class Format(models.TextChoices):
        CONFERENCE = "conference", _("Hội nghị")
        TRAINING = "training", _("Tập huấn")
        ONLINE = "online", _("Trực tuyến")
        OTHER = "other", _("Hình thức khác")

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("cơ quan"),
        on_delete=models.PROTECT,
        related_name="disseminations",
    )
    held_on = models.DateField(_("ngày tổ chức"))
    format = models.CharField(_("hình thức"), max_length=12, choices=Format.choices)
    content = models.TextField(_("nội dung"))
    participants = models.PositiveIntegerField(_("số người tham dự"), default=0)
    attendees = models.ManyToManyField(
        "organisations.StaffMember",
        verbose_name=_("danh sách tham dự"),
        blank=True,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-held_on"]
        verbose_name = _("buổi quán triệt, tuyên truyền")
        verbose_name_plural = _("quán triệt, tuyên truyền")

    def __str__(self) -> str:
        return f"{self.held_on:%d/%m/%Y} {self.get_format_display()}"


class Acknowledgement(models.Model):
    """A staff member has read the active code of conduct and will comply."""

    class Method(models.TextChoices):
        SELF = "self", _("Tự xác nhận")
        RECORDED = "recorded", _("Đầu mối ghi nhận")

    staff = models.ForeignKey(
        "organisations.StaffMember", on_delete=models.CASCADE, related_name="acknowledgements"
    )
    code_version = models.ForeignKey(
        "conduct.CodeVersion", on_delete=models.PROTECT, related_name="acknowledgements"
    )
    method = models.CharField(_("cách ghi nhận"), max_length=10, choices=Method.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("xác nhận lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("xác nhận quy tắc ứng xử")
        verbose_name_plural = _("xác nhận quy tắc ứng xử")
        constraints = [
            models.UniqueConstraint(
                fields=["staff", "code_version"], name="acknowledgement_once_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} ✓ {self.code_version_id}"

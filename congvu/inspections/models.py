"""Inspections of public-service conduct (kiểm tra công vụ), scheduled or unannounced.

An `Inspection` of one organisation (kept as it was: a later merge does not move
it) runs planned → in progress → concluded, or is cancelled with a reason
(`workflow.py`). Starting it fixes its checklist: one `Observation` per
observable clause of the code version chosen when it was planned. A breached
observation is a finding: it may open a case (through the cases service, linked
back here) and carry `CorrectiveAction`s, which the organisation answers once
the inspection is concluded. `InspectionFile`s are the evidence: the team's photos
and documents on an observation, the organisation's proof on a corrective action.

Who sees what (`InspectionQuerySet.visible_to`): holders of INSPECTION_RUN see
every inspection of their scope; the inspected organisation's people
(INSPECTION_RESPOND) see a scheduled inspection at once but an unannounced one
only once it has started, and its findings only once it is concluded.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from congvu.core.models import TimeStampedModel

#: Codes avoid letters and digits people confuse (0/O, 1/I/L), like the cases' codes.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_inspection_code() -> str:
    return "KT-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


class InspectionQuerySet(models.QuerySet["Inspection"]):
    def visible_to(self, user: object) -> InspectionQuerySet:
        """Inspections in the user's INSPECTION_RUN scope, plus those of the organisations
        where the user answers (INSPECTION_RESPOND) that are announced or have started.

        An unannounced inspection is hidden from the inspected organisation until it
        starts: the point of it is that nobody there knows the day."""
        from congvu.accounts import access
        from congvu.accounts.access import Perm

        run = access.organisations_for(user, Perm.INSPECTION_RUN).values("pk")
        respond = access.organisations_for(user, Perm.INSPECTION_RESPOND).values("pk")
        announced = Q(kind=Inspection.Kind.SCHEDULED) | Q(started_at__isnull=False)
        return self.filter(Q(organisation__in=run) | (Q(organisation__in=respond) & announced))


class Inspection(TimeStampedModel):
    class Kind(models.TextChoices):
        SCHEDULED = "scheduled", _("Định kỳ (có thông báo)")
        UNANNOUNCED = "unannounced", _("Đột xuất (không báo trước)")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Đã lên kế hoạch")
        IN_PROGRESS = "in_progress", pgettext_lazy("inspection status", "Đang kiểm tra")
        CONCLUDED = "concluded", _("Đã kết luận")
        CANCELLED = "cancelled", _("Đã hủy")

    code = models.CharField(_("mã cuộc kiểm tra"), max_length=20, unique=True)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("cơ quan được kiểm tra"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    kind = models.CharField(_("hình thức"), max_length=12, choices=Kind.choices)
    planned_on = models.DateField(_("ngày dự kiến"))
    purpose = models.TextField(_("nội dung kiểm tra"), blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trưởng đoàn"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("thành viên đoàn"), blank=True, related_name="+"
    )
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    code_version = models.ForeignKey(
        "conduct.CodeVersion",
        verbose_name=_("bộ quy tắc áp dụng"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_at = models.DateTimeField(_("bắt đầu lúc"), null=True, blank=True)
    concluded_at = models.DateTimeField(_("kết luận lúc"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("hủy lúc"), null=True, blank=True)
    cancel_reason = models.TextField(_("lý do hủy"), blank=True)
    conclusion = models.TextField(_("kết luận"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    programme_item = models.ForeignKey(
        "inspections.ProgrammeItem",
        verbose_name=_("mục trong kế hoạch năm"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspections",
    )

    objects = InspectionQuerySet.as_manager()

    class Meta:
        ordering = ["-planned_on", "-pk"]
        verbose_name = _("cuộc kiểm tra")
        verbose_name_plural = _("cuộc kiểm tra")
        indexes = [
            models.Index(fields=["organisation", "status"], name="inspection_org_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                name="inspection_cancelled_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="concluded") | ~Q(conclusion=""),
                name="inspection_concluded_has_conclusion",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def findings_released(self) -> bool:
        """The inspected organisation reads the findings only once the inspection is concluded."""
        return self.status == self.Status.CONCLUDED


class Observation(models.Model):
    """What the team saw of one checklist clause; `result` is empty until answered."""

    class Result(models.TextChoices):
        KEPT = "kept", _("Thực hiện đúng")
        BREACHED = "breached", _("Vi phạm")
        NOT_OBSERVED = "not_observed", _("Không quan sát được")

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="observations"
    )
    clause = models.ForeignKey(
        "conduct.Clause", verbose_name=_("chuẩn mực"), on_delete=models.PROTECT, related_name="+"
    )
    order = models.PositiveIntegerField(default=0)
    result = models.CharField(_("kết quả"), max_length=12, choices=Result.choices, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    staff = models.ForeignKey(
        "organisations.StaffMember",
        verbose_name=_("cán bộ được quan sát"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("vụ việc"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inspection_finding",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("ghi nhận lúc"), null=True, blank=True)

    class Meta:
        ordering = ["inspection_id", "order", "pk"]
        verbose_name = _("kết quả kiểm tra chuẩn mực")
        verbose_name_plural = _("kết quả kiểm tra chuẩn mực")
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "clause"], name="inspection_one_observation_per_clause"
            ),
            models.CheckConstraint(
                condition=~Q(result="breached") | ~Q(note=""),
                name="inspection_breach_has_note",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id} {self.clause_id} {self.result}"

    @property
    def is_breach(self) -> bool:
        return self.result == self.Result.BREACHED


class CorrectiveAction(models.Model):
    """What the inspected organisation must fix after a breach, and by when (working days)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Chưa khắc phục")
        DONE = "done", _("Đã khắc phục")

    observation = models.ForeignKey(
        Observation, on_delete=models.CASCADE, related_name="corrective_actions"
    )
    description = models.TextField(_("nội dung phải khắc phục"))
    due_on = models.DateField(_("hạn khắc phục"))
    status = models.CharField(
        _("trạng thái"), max_length=6, choices=Status.choices, default=Status.OPEN
    )
    response = models.TextField(_("báo cáo của cơ quan"), blank=True)
    responded_at = models.DateTimeField(_("báo cáo lúc"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    done_at = models.DateTimeField(_("hoàn thành lúc"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("biện pháp khắc phục")
        verbose_name_plural = _("biện pháp khắc phục")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | Q(done_at__isnull=False),
                name="corrective_action_done_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.description[:60]

    def is_overdue(self, today: dt.date) -> bool:
        return self.status == self.Status.OPEN and self.due_on < today


def inspection_file_path(instance: Any, filename: str) -> str:
    # The stored name is random (a user's file name stays in `original_name`); `filename`
    # is the extension of the type detected from the content (see uploads.store).
    suffix = filename if filename.startswith(".") and filename[1:].isalnum() else ""
    return f"inspections/{timezone.now():%Y/%m}/{secrets.token_hex(12)}{suffix[:8]}"


class InspectionFile(models.Model):
    """A photo or document kept as evidence of an inspection.

    Without `corrective_action`, the team's evidence of what it observed (attached while
    the inspection is in progress); with it, the inspected organisation's proof that it
    fixed the breach. `observation` is set in both cases, so that every file of an
    inspection is found, and scoped, through its observations.
    """

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="files")
    corrective_action = models.ForeignKey(
        CorrectiveAction,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="files",
    )
    file = models.FileField(upload_to=inspection_file_path, max_length=200)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("tải lên lúc"))

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("tệp minh chứng kiểm tra")
        verbose_name_plural = _("tệp minh chứng kiểm tra")

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class ProgrammeQuerySet(models.QuerySet["InspectionProgramme"]):
    def visible_to(self, user: object) -> ProgrammeQuerySet:
        """Programmes issued in the user's INSPECTION_RUN scope, plus approved ones with an
        item the user sees as the inspected organisation (`ProgrammeItem.visible_to`)."""
        from congvu.accounts import access
        from congvu.accounts.access import Perm

        run = access.organisations_for(user, Perm.INSPECTION_RUN).values("pk")
        seen = ProgrammeItem.objects.respondent_items(user).values("programme_id")
        return self.filter(Q(organisation__in=run) | Q(pk__in=seen))


class InspectionProgramme(TimeStampedModel):
    """The yearly inspection programme (kế hoạch kiểm tra công vụ hằng năm): which
    organisations will be inspected in the year, when, by whom, approved by a decision."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        APPROVED = "approved", _("Đã phê duyệt")

    year = models.PositiveSmallIntegerField(_("năm"))
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("cơ quan ban hành"),
        on_delete=models.PROTECT,
        related_name="inspection_programmes",
    )
    title = models.CharField(_("tên kế hoạch"), max_length=300)
    decision_number = models.CharField(_("số quyết định"), max_length=100, blank=True)
    decision_on = models.DateField(_("ngày quyết định"), null=True, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    approved_at = models.DateTimeField(_("phê duyệt lúc"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-pk"]
        verbose_name = _("kế hoạch kiểm tra năm")
        verbose_name_plural = _("kế hoạch kiểm tra năm")
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="programme_year_range"
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_at__isnull=False),
                name="programme_approved_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class ProgrammeItemQuerySet(models.QuerySet["ProgrammeItem"]):
    def respondent_items(self, user: object) -> ProgrammeItemQuerySet:
        """The items the inspected organisation's people see: only in an approved programme,
        only their organisations' (INSPECTION_RESPOND), and an unannounced one only once an
        inspection carrying it out has started — before that it must stay a surprise."""
        from congvu.accounts import access
        from congvu.accounts.access import Perm

        respond = access.organisations_for(user, Perm.INSPECTION_RESPOND).values("pk")
        started = Inspection.objects.filter(started_at__isnull=False).values("programme_item_id")
        return self.filter(
            Q(programme__status=InspectionProgramme.Status.APPROVED)
            & Q(organisation__in=respond)
            & (Q(kind=Inspection.Kind.SCHEDULED) | Q(pk__in=started))
        )

    def visible_to(self, user: object) -> ProgrammeItemQuerySet:
        from congvu.accounts import access
        from congvu.accounts.access import Perm

        run = access.organisations_for(user, Perm.INSPECTION_RUN).values("pk")
        mine = self.respondent_items(user).values("pk")
        return self.filter(Q(programme__organisation__in=run) | Q(pk__in=mine))


def period_end(year: int, quarter: int, month: int | None) -> dt.date:
    """The last day of the planned month, else of the planned quarter."""
    last_month = month if month else quarter * 3
    if last_month == 12:
        return dt.date(year, 12, 31)
    return dt.date(year, last_month + 1, 1) - dt.timedelta(days=1)


class ProgrammeItem(models.Model):
    """One organisation to inspect in the programme's year, in a quarter (or a month of it)."""

    programme = models.ForeignKey(
        InspectionProgramme, on_delete=models.CASCADE, related_name="items"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("cơ quan được kiểm tra"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    quarter = models.PositiveSmallIntegerField(_("quý"))
    month = models.PositiveSmallIntegerField(_("tháng"), null=True, blank=True)
    kind = models.CharField(_("hình thức"), max_length=12, choices=Inspection.Kind.choices)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trưởng đoàn"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("ghi chú"), blank=True)
    #: Set when an approved amendment cancels the item: it is kept, with the reason.
    cancelled_at = models.DateTimeField(_("hủy lúc"), null=True, blank=True)
    cancel_reason = models.TextField(_("lý do hủy"), blank=True)

    objects = ProgrammeItemQuerySet.as_manager()

    class Meta:
        ordering = ["programme_id", "quarter", "month", "pk"]
        verbose_name = _("mục kế hoạch kiểm tra")
        verbose_name_plural = _("mục kế hoạch kiểm tra")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "organisation", "quarter"],
                name="programme_item_once_per_quarter",
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1) & Q(quarter__lte=4), name="programme_item_quarter"
            ),
            # A month lies in its quarter.
            models.CheckConstraint(
                condition=Q(month__isnull=True)
                | (
                    Q(month__gte=models.F("quarter") * 3 - 2)
                    & Q(month__lte=models.F("quarter") * 3)
                ),
                name="programme_item_month_in_quarter",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} {self.organisation_id} Q{self.quarter}"

    @property
    def period_start(self) -> dt.date:
        return dt.date(self.programme.year, self.month or self.quarter * 3 - 2, 1)

    @property
    def period_end(self) -> dt.date:
        return period_end(self.programme.year, self.quarter, self.month)

    @property
    def period_label(self) -> str:
        return _period_label(self.quarter, self.month)

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class ProgrammeAmendment(TimeStampedModel):
    """An amendment of an approved programme (quyết định điều chỉnh kế hoạch): a reason, its
    proposed changes while a draft, and the decision that approved it. The changes reach the
    programme's items only when it is approved; until then the inspected organisations see
    the approved version."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        APPROVED = "approved", _("Đã phê duyệt")
        #: Given up before approval: kept with who, when and why, counted nowhere.
        ABANDONED = "abandoned", _("Đã hủy bỏ")

    programme = models.ForeignKey(
        InspectionProgramme, on_delete=models.CASCADE, related_name="amendments"
    )
    #: 1, 2, … in the programme: "Điều chỉnh lần 2". An abandoned draft keeps its number
    #: but frees it: the next amendment takes it again, so the decisions stay 1, 2, 3.
    number = models.PositiveSmallIntegerField(_("lần điều chỉnh"))
    reason = models.TextField(_("lý do điều chỉnh"))
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    decision_number = models.CharField(_("số quyết định"), max_length=100, blank=True)
    decision_on = models.DateField(_("ngày quyết định"), null=True, blank=True)
    approved_at = models.DateTimeField(_("phê duyệt lúc"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    abandoned_at = models.DateTimeField(_("hủy bỏ lúc"), null=True, blank=True)
    abandoned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    abandon_reason = models.TextField(_("lý do hủy bỏ"), blank=True)

    class Meta:
        ordering = ["programme_id", "number", "pk"]
        verbose_name = _("điều chỉnh kế hoạch kiểm tra")
        verbose_name_plural = _("điều chỉnh kế hoạch kiểm tra")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "number"],
                condition=~Q(status="abandoned"),
                name="programme_amendment_number_once_live",
            ),
            # One amendment in preparation at a time: two drafts could contradict each other.
            models.UniqueConstraint(
                fields=["programme"],
                condition=Q(status="draft"),
                name="programme_one_draft_amendment",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved")
                | (Q(approved_at__isnull=False) & Q(decision_on__isnull=False)),
                name="programme_amendment_approved_has_decision",
            ),
            models.CheckConstraint(
                condition=~Q(status="abandoned")
                | (Q(abandoned_at__isnull=False) & ~Q(abandon_reason="")),
                name="programme_amendment_abandoned_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} #{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_abandoned(self) -> bool:
        return self.status == self.Status.ABANDONED


class ProgrammeChange(models.Model):
    """One change an amendment makes: an organisation added (the item is created on
    approval), an item cancelled (kept, with its reason) or rescheduled (old and new
    period kept). The item's history is its changes."""

    class Action(models.TextChoices):
        ADD = "add", _("Bổ sung")
        CANCEL = "cancel", _("Hủy")
        RESCHEDULE = "reschedule", _("Đổi thời gian")

    amendment = models.ForeignKey(
        ProgrammeAmendment, on_delete=models.CASCADE, related_name="changes"
    )
    action = models.CharField(_("thay đổi"), max_length=12, choices=Action.choices)
    #: The item cancelled or rescheduled; for an addition, the item created on approval.
    item = models.ForeignKey(
        ProgrammeItem,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="changes",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("cơ quan được kiểm tra"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    #: The new period (addition, rescheduling); the item's period before it for rescheduling.
    quarter = models.PositiveSmallIntegerField(_("quý"), null=True, blank=True)
    month = models.PositiveSmallIntegerField(_("tháng"), null=True, blank=True)
    old_quarter = models.PositiveSmallIntegerField(null=True, blank=True)
    old_month = models.PositiveSmallIntegerField(null=True, blank=True)
    kind = models.CharField(
        _("hình thức"), max_length=12, choices=Inspection.Kind.choices, blank=True
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("ghi chú"), blank=True)
    reason = models.TextField(_("lý do"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["amendment_id", "pk"]
        verbose_name = _("thay đổi kế hoạch kiểm tra")
        verbose_name_plural = _("thay đổi kế hoạch kiểm tra")
        constraints = [
            # An item is cancelled or rescheduled at most once per amendment.
            models.UniqueConstraint(
                fields=["amendment", "item"], name="programme_change_item_once"
            ),
            models.CheckConstraint(
                condition=Q(action="add") | Q(item__isnull=False),
                name="programme_change_names_its_item",
            ),
            models.CheckConstraint(
                condition=Q(quarter__isnull=True) | (Q(quarter__gte=1) & Q(quarter__lte=4)),
                name="programme_change_quarter",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amendment_id} {self.action} {self.organisation_id}"

    @property
    def period_label(self) -> str:
        return _period_label(self.quarter, self.month)

    @property
    def old_period_label(self) -> str:
        return _period_label(self.old_quarter, self.old_month)


def _period_label(quarter: int | None, month: int | None) -> str:
    from django.utils.translation import gettext

    if month:
        return gettext("Tháng %(m)d") % {"m": month}
    if quarter:
        return gettext("Quý %(q)d") % {"q": quarter}
    return ""


from .signed_models import SignedPaper  # noqa: E402,F401

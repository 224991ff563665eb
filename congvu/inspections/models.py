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
        IN_PROGRESS = "in_progress", _("Đang kiểm tra")
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

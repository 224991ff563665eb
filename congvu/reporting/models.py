"""Periodic reports: the period the Department of Home Affairs opens, each organisation's report.

A `ReportPeriod` (by default yearly, due 15 November) names the dates it
covers, the plan whose tasks are counted and the organisation kinds expected
to report. Each organisation files one `OrganisationReport` per period:
indicators filled from the system (a JSON snapshot taken at creation and
again on submission) plus the narrative sections the administrative format
asks for. The state table lives in `workflow.py`.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congvu.core.models import PdfExportBase, TimeStampedModel


class ReportPeriodQuerySet(models.QuerySet["ReportPeriod"]):
    def visible_to(self, user: object) -> ReportPeriodQuerySet:
        """Periods issued above or inside the user's organisations (the province's periods
        reach every organisation in it)."""
        from congvu.accounts import access
        from congvu.organisations.models import PATH_SEGMENT

        if getattr(user, "is_superuser", False) and getattr(user, "is_active", False):
            return self
        q = Q(pk__in=[])
        for grant in access.grants_of(user):
            if access.Perm.ORG_VIEW not in access.ROLE_PERMS[grant.role]:
                continue
            ancestors = [
                int(grant.path[i : i + PATH_SEGMENT])
                for i in range(0, len(grant.path), PATH_SEGMENT)
            ]
            q |= Q(issuing_organisation_id__in=ancestors) | grant.q("issuing_organisation__")
        return self.filter(q)

    def open(self) -> ReportPeriodQuerySet:
        return self.filter(status=ReportPeriod.Status.OPEN)


class ReportPeriod(TimeStampedModel):
    class Kind(models.TextChoices):
        YEARLY = "yearly", _("Hằng năm")
        HALF_YEAR = "half_year", _("6 tháng")
        AD_HOC = "ad_hoc", _("Đột xuất")

    class Status(models.TextChoices):
        OPEN = "open", _("Đang nhận báo cáo")
        CLOSED = "closed", _("Đã đóng")

    name = models.CharField(_("tên kỳ báo cáo"), max_length=255)
    kind = models.CharField(_("loại kỳ"), max_length=12, choices=Kind.choices, default=Kind.YEARLY)
    issuing_organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("cơ quan yêu cầu báo cáo"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Thường là UBND tỉnh: mọi cơ quan trong phạm vi này báo cáo."),
    )
    compiling_organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("cơ quan tổng hợp"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Thường là Sở Nội vụ: cơ quan ban hành báo cáo tổng hợp."),
    )
    covers_from = models.DateField(_("số liệu từ ngày"))
    covers_to = models.DateField(_("số liệu đến ngày"))
    due_on = models.DateField(_("hạn nộp"))
    plan = models.ForeignKey(
        "planning.Plan",
        verbose_name=_("kế hoạch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Kế hoạch có nhiệm vụ được tính; để trống: mọi kế hoạch."),
    )
    reporting_kinds = models.ManyToManyField(
        "organisations.OrganisationKind",
        verbose_name=_("loại cơ quan phải báo cáo"),
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    place = models.CharField(
        _("địa danh"), max_length=80, blank=True, help_text=_("Ví dụ: Hưng Yên")
    )
    number = models.CharField(
        _("số, ký hiệu báo cáo tổng hợp"), max_length=60, blank=True, help_text="120/BC-SNV"
    )
    signer_name = models.CharField(_("người ký"), max_length=120, blank=True)
    signer_title = models.CharField(_("chức vụ người ký"), max_length=120, blank=True)

    objects = ReportPeriodQuerySet.as_manager()

    class Meta:
        ordering = ["-due_on", "name"]
        verbose_name = _("kỳ báo cáo")
        verbose_name_plural = _("kỳ báo cáo")
        constraints = [
            models.CheckConstraint(
                condition=Q(covers_to__gte=F("covers_from")), name="report_period_range"
            ),
            models.UniqueConstraint(
                fields=["issuing_organisation", "name"], name="report_period_name_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class ReportPeriodDueChange(models.Model):
    """One move of a period's due date ("gia hạn nộp báo cáo", or a mistyped date put
    right): the old and new dates, why, by whom and when. The period page lists them, so
    an organisation that reported against the old date sees what changed and why."""

    period = models.ForeignKey(
        ReportPeriod,
        verbose_name=_("kỳ báo cáo"),
        on_delete=models.CASCADE,
        related_name="due_changes",
    )
    old_due_on = models.DateField(_("hạn nộp cũ"))
    new_due_on = models.DateField(_("hạn nộp mới"))
    reason = models.TextField(_("lý do"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người sửa"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("sửa lúc"), default=timezone.now)

    class Meta:
        ordering = ["period_id", "changed_at", "pk"]
        verbose_name = _("thay đổi hạn nộp báo cáo")
        verbose_name_plural = _("thay đổi hạn nộp báo cáo")

    def __str__(self) -> str:
        return f"{self.period_id}: {self.old_due_on:%d/%m/%Y} → {self.new_due_on:%d/%m/%Y}"

    @property
    def is_extension(self) -> bool:
        return self.new_due_on > self.old_due_on


class OrganisationReportQuerySet(models.QuerySet["OrganisationReport"]):
    def visible_to(self, user: object) -> OrganisationReportQuerySet:
        from congvu.accounts import access

        return self.filter(
            organisation__in=access.organisations_for(user, access.Perm.PLAN_VIEW).values("pk")
        )


class OrganisationReport(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        SUBMITTED = "submitted", _("Đã nộp")
        RETURNED = "returned", _("Trả lại để bổ sung")
        ACCEPTED = "accepted", _("Đã tiếp nhận")

    period = models.ForeignKey(
        ReportPeriod, verbose_name=_("kỳ báo cáo"), on_delete=models.CASCADE, related_name="reports"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("cơ quan báo cáo"),
        on_delete=models.PROTECT,
        related_name="periodic_reports",
    )
    # The organisation as it was when it reported: names change with mergers.
    organisation_name = models.CharField(_("tên cơ quan khi báo cáo"), max_length=255)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    indicators = models.JSONField(_("chỉ tiêu"), default=dict, blank=True)
    indicators_computed_at = models.DateTimeField(_("số liệu lấy lúc"), null=True, blank=True)
    results = models.TextField(_("kết quả đạt được"), blank=True)
    shortcomings_and_causes = models.TextField(_("hạn chế, nguyên nhân"), blank=True)
    proposals = models.TextField(_("đề xuất, kiến nghị"), blank=True)
    number = models.CharField(
        _("số, ký hiệu"), max_length=60, blank=True, help_text=_("Ví dụ: 15/BC-STP")
    )
    signer_name = models.CharField(_("người ký"), max_length=120, blank=True)
    signer_title = models.CharField(_("chức vụ người ký"), max_length=120, blank=True)
    first_submitted_at = models.DateTimeField(_("nộp lần đầu lúc"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nộp"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    is_late = models.BooleanField(_("nộp muộn"), default=False)
    reviewer_comments = models.TextField(_("ý kiến của cơ quan tổng hợp"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xem xét"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("xem xét lúc"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = OrganisationReportQuerySet.as_manager()

    class Meta:
        ordering = ["period_id", "organisation__path"]
        verbose_name = _("báo cáo của cơ quan")
        verbose_name_plural = _("báo cáo của cơ quan")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "organisation"], name="report_once_per_period"
            ),
        ]
        indexes = [models.Index(fields=["period", "status"], name="report_period_status_idx")]

    def __str__(self) -> str:
        return f"{self.organisation_name} — {self.period_id}"

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)

    @property
    def is_filed(self) -> bool:
        """Submitted at least once and not sent back: it counts as received."""
        return self.status in (self.Status.SUBMITTED, self.Status.ACCEPTED)

    def submitted_on(self) -> dt.date | None:
        return self.submitted_at.date() if self.submitted_at else None


class PdfExport(PdfExportBase):
    """A provincial report's PDF rendered by the background worker.

    WeasyPrint lays out ~100 appendix rows a second: a province of 1,700
    organisations takes ~20 s, too long for a request. Above
    `REPORTING_PDF_INLINE_MAX_ROWS` rows the PDF is made here
    (`reporting.pdf_exports`, on `core.pdf_exports`) and kept while the compiled
    document (its HTML, `fingerprint`) does not change.
    """

    period = models.ForeignKey(
        ReportPeriod, on_delete=models.CASCADE, related_name="pdf_exports", verbose_name=_("kỳ")
    )
    file = models.FileField(upload_to="reports/pdf/", blank=True)

    class Meta:
        verbose_name = _("bản PDF báo cáo tổng hợp")
        verbose_name_plural = _("bản PDF báo cáo tổng hợp")
        indexes = [models.Index(fields=["period", "fingerprint"], name="pdfexport_period_fp_idx")]

    def __str__(self) -> str:
        return f"{self.period} PDF #{self.pk} ({self.status})"

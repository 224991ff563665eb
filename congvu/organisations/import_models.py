"""The record of one Excel import: the uploaded file, what validation found, what was written.

Nothing reaches the organisation tree or the staff list until the user has seen
the preview and committed; until then the parsed rows wait here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ImportJob(models.Model):
    class Kind(models.TextChoices):
        ORGANISATIONS = "organisations", _("Cơ quan, đơn vị")
        STAFF = "staff", _("Cán bộ, công chức, viên chức")

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Đã tải lên")
        VALIDATING = "validating", pgettext_lazy("import status", "Đang kiểm tra")
        PREVIEWED = "previewed", _("Chờ xác nhận")
        COMMITTING = "committing", _("Đang ghi dữ liệu")
        DONE = "done", _("Hoàn thành")
        FAILED = "failed", _("Thất bại")

    kind = models.CharField(_("loại dữ liệu"), max_length=20, choices=Kind.choices)
    scope = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("phạm vi"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tải lên"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xác nhận"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    file = models.FileField(_("tệp"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("tên tệp"), max_length=255, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=Status.choices, default=Status.UPLOADED
    )
    message = models.CharField(_("thông báo"), max_length=500, blank=True)
    total_rows = models.PositiveIntegerField(_("số dòng"), default=0)
    processed_rows = models.PositiveIntegerField(_("số dòng đã xử lý"), default=0)
    #: How many times the current stage (validation, then the commit) was started: a
    #: stage whose worker died is started again (`importing.jobs.recover`), up to a limit.
    attempts = models.PositiveSmallIntegerField(_("số lần chạy"), default=0)
    # Normalised cell values, one dict per data row, kept so that the commit
    # writes exactly what the preview showed without parsing the file again.
    rows = models.JSONField(default=list, blank=True)
    row_errors = models.JSONField(_("lỗi theo dòng"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("số lỗi"), default=0)
    to_create = models.PositiveIntegerField(_("sẽ thêm mới"), default=0)
    to_update = models.PositiveIntegerField(_("sẽ cập nhật"), default=0)
    to_keep = models.PositiveIntegerField(_("không đổi"), default=0)
    created_count = models.PositiveIntegerField(_("đã thêm mới"), default=0)
    updated_count = models.PositiveIntegerField(_("đã cập nhật"), default=0)
    unchanged_count = models.PositiveIntegerField(_("không thay đổi"), default=0)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    validated_at = models.DateTimeField(_("kiểm tra lúc"), null=True, blank=True)
    committed_at = models.DateTimeField(_("ghi lúc"), null=True, blank=True)

    class Meta:
        app_label = "organisations"
        ordering = ["-created_at", "-pk"]
        verbose_name = _("lượt nhập Excel")
        verbose_name_plural = _("lượt nhập Excel")
        indexes = [models.Index(fields=["scope", "-created_at"], name="importjob_scope_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.get_status_display()})"

    @property
    def is_running(self) -> bool:
        return self.status in {
            self.Status.UPLOADED,
            self.Status.VALIDATING,
            self.Status.COMMITTING,
        }

    @property
    def can_commit(self) -> bool:
        return (
            self.status == self.Status.PREVIEWED and self.error_count == 0 and self.total_rows > 0
        )

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, self.processed_rows * 100 // self.total_rows)

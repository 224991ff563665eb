from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        abstract = True


class WorkingDayOverride(models.Model):
    """An official change to the calendar that the holidays package does not know.

    Examples: a swapped day off announced by the Ministry of Labour, a make-up
    Saturday, a provincial holiday. One row per date; it wins over the package.
    """

    date = models.DateField(_("ngày"), unique=True)
    is_working_day = models.BooleanField(
        _("là ngày làm việc"),
        help_text=_("Đánh dấu nếu là ngày làm bù; bỏ đánh dấu nếu là ngày nghỉ."),
    )
    reason = models.CharField(_("lý do"), max_length=200)

    class Meta:
        ordering = ["date"]
        verbose_name = _("ngày điều chỉnh lịch làm việc")
        verbose_name_plural = _("ngày điều chỉnh lịch làm việc")

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y}: {self.reason}"


class Notification(models.Model):
    """An in-app notice for one user (the reminder digest, decisions on requests…).

    Created by `core.notices.notify`: `key` names the message and `params` holds its
    values, so that the notice is worded in the reader's language when read; `title`
    and `body` keep it as worded in Vietnamese when created (and are all that notices
    from before the keys have).
    """

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("loại"), max_length=40)
    title = models.CharField(_("tiêu đề"), max_length=200)
    body = models.TextField(_("nội dung"), blank=True)
    key = models.CharField(_("mẫu thông báo"), max_length=80, blank=True)
    params = models.JSONField(_("giá trị"), default=dict, blank=True)
    url = models.CharField(_("liên kết"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("lúc"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def shown_title(self) -> str:
        """The title in the active language (as stored for a notice without a message)."""
        from .notices import worded

        return worded(self).title

    @property
    def shown_body(self) -> str:
        from .notices import worded

        return worded(self).body


class DailyJobRun(models.Model):
    """One daily job's run on one day: the row is the claim that stops a second run.

    Several processes (the `run_daily --loop` of each app server, a cron timer)
    may try the same job on the same day; the unique constraint lets exactly one
    of them insert the row and run it.
    """

    name = models.CharField(_("công việc"), max_length=100)
    day = models.DateField(_("ngày"))
    started_at = models.DateTimeField(_("bắt đầu lúc"))
    finished_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    result = models.JSONField(_("kết quả"), default=dict, blank=True)

    class Meta:
        ordering = ["-day", "name"]
        verbose_name = _("lần chạy công việc hằng ngày")
        verbose_name_plural = _("công việc hằng ngày")
        constraints = [
            models.UniqueConstraint(fields=["name", "day"], name="daily_job_once_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.day:%d/%m/%Y}"


class PdfExportBase(models.Model):
    """A long document's PDF rendered by the background worker (`core.pdf_exports`).

    Each app that has such a document subclasses this with a foreign key to what the
    document is about (a reporting period, a scorecard), so the rows go when it goes and
    are scoped like it. `fingerprint` is the hash of the HTML WeasyPrint laid out: a
    finished PDF is served again while the HTML it would make is the same.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang tạo")
        DONE = "done", _("Đã xong")
        FAILED = "failed", _("Thất bại")

    status = models.CharField(
        _("tình trạng"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    fingerprint = models.CharField(max_length=64, help_text="sha256 of the rendered HTML")
    file = models.FileField(upload_to="pdf/", blank=True)
    rows = models.PositiveIntegerField(_("số cơ quan"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("yêu cầu lúc"), auto_now_add=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)
    message = models.CharField(_("thông báo"), max_length=500, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"PDF #{self.pk} ({self.status})"

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def is_late(self) -> bool:
        """Still waiting after a few minutes: the background worker may be stopped."""
        return self.is_running and self.requested_at < timezone.now() - dt.timedelta(minutes=3)


#: The longest number ("15/BB-ĐKT") and signer's name or title a signed copy keeps.
SIGNED_NUMBER_MAX = 50
SIGNED_NAME_MAX = 120


def stored_path(prefix: str, filename: str) -> str:
    """A random stored name under `prefix` (the user's file name stays in `original_name`);
    `filename` is the extension of the type detected from the content."""
    suffix = filename if filename.startswith(".") and filename[1:].isalnum() else ""
    return f"{prefix}/{timezone.now():%Y/%m}/{secrets.token_hex(12)}{suffix[:8]}"


class SignedPaperBase(models.Model):
    """One recorded signed copy: its number, date, signer and scan. `replaced_at` empty:
    the current copy; set: replaced by a later record (kept, with who and why)."""

    number = models.CharField(_("số hiệu"), max_length=SIGNED_NUMBER_MAX)
    signed_on = models.DateField(_("ngày ký"))
    signer_name = models.CharField(_("người ký"), max_length=SIGNED_NAME_MAX, blank=True)
    signer_title = models.CharField(_("chức vụ người ký"), max_length=SIGNED_NAME_MAX, blank=True)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("ghi nhận lúc"))
    replaced_at = models.DateTimeField(_("thay thế lúc"), null=True, blank=True)
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    replace_reason = models.TextField(_("lý do thay thế"), blank=True)

    class Meta:
        abstract = True
        ordering = ["-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.number} ({self.signed_on:%d/%m/%Y})"

    @property
    def is_current(self) -> bool:
        return self.replaced_at is None

    def described(self) -> dict[str, Any]:
        """What an audit event says of it: never the file's contents."""
        return {
            "id": self.pk,
            "number": self.number,
            "signed_on": self.signed_on.isoformat(),
            "name": self.original_name,
            "sha256": self.sha256,
        }


class FormSubmission(models.Model):
    """A form's sending, kept so that the same form sent again does not act twice.

    The key is the random value the form carried (`core.once`); the row is written in
    the transaction that does the work, so it exists exactly when the work was done.
    `done_url` is where the first sending led: a second sending goes there.
    """

    key = models.UUIDField(primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    done_url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("lần gửi biểu mẫu")
        verbose_name_plural = _("lần gửi biểu mẫu")

    def __str__(self) -> str:
        return str(self.key)


class ApiRequestKey(models.Model):
    """An API write sent with an `Idempotency-Key` header, and the answer it got.

    The row is written in the transaction that does the work (`api.idempotency`), so it
    exists exactly when the work was done; the same caller sending the same key again
    gets the stored answer instead of a second piece of work. `fingerprint` is a digest of
    the method, path, query and body: the same key with another request is refused.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    status_code = models.PositiveSmallIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)
    location = models.CharField(max_length=500, blank=True)
    body = models.BinaryField(blank=True, default=b"")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("yêu cầu API có khóa chống lặp")
        verbose_name_plural = _("yêu cầu API có khóa chống lặp")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="api_request_key_once_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.key})"

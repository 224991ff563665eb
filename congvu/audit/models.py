from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One business write, chained to the previous event by a SHA-256 hash.

    Append-only: nothing in the product updates or deletes a row. Changing any
    field of a stored event breaks its hash and every later `prev_hash`, which
    `manage.py audit_verify` reports.
    """

    at = models.DateTimeField(_("thời điểm"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("hành động"), max_length=80, db_index=True)
    object_type = models.CharField(_("loại đối tượng"), max_length=80)
    object_id = models.CharField(_("mã đối tượng"), max_length=64)
    organisation_id = models.BigIntegerField(_("cơ quan"), null=True, blank=True, db_index=True)
    summary = models.CharField(_("tóm tắt"), max_length=300, blank=True)
    data = models.JSONField(_("dữ liệu"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]
        verbose_name = _("sự kiện nhật ký")
        verbose_name_plural = _("nhật ký kiểm toán")

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.action} {self.object_type}#{self.object_id}"


class AuditHead(models.Model):
    """A single row holding the last hash; locking it serialises appends on PostgreSQL."""

    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("đầu chuỗi nhật ký")

    def __str__(self) -> str:
        return self.last_hash

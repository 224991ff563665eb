"""The signed, numbered copy of an inspection's minutes or conclusion notice (bản đã ký):
its number, date, signer and scan (`core.signed_papers`). At most one current copy per
paper; a replaced one is kept with who replaced it, when and why."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from congvu.core.models import SignedPaperBase, stored_path


def signed_paper_path(instance: Any, filename: str) -> str:
    return stored_path("inspections/signed", filename)


class SignedPaper(SignedPaperBase):
    class Document(models.TextChoices):
        MINUTES = "minutes", _("Biên bản kiểm tra")
        NOTICE = "conclusion-notice", _("Thông báo kết luận kiểm tra")

    inspection = models.ForeignKey(
        "inspections.Inspection", on_delete=models.PROTECT, related_name="signed_papers"
    )
    document = models.CharField(_("văn bản"), max_length=20, choices=Document.choices)
    file = models.FileField(upload_to=signed_paper_path, max_length=200)

    class Meta(SignedPaperBase.Meta):
        verbose_name = _("bản đã ký của văn bản kiểm tra")
        verbose_name_plural = _("bản đã ký của văn bản kiểm tra")
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "document"],
                condition=Q(replaced_at__isnull=True),
                name="inspection_signed_paper_one_current",
            ),
            models.CheckConstraint(
                condition=Q(replaced_at__isnull=True) | ~Q(replace_reason=""),
                name="inspection_signed_paper_replaced_has_reason",
            ),
        ]

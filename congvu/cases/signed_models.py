"""The signed, numbered copy of a concluded case's paper (bản đã ký): its number, date,
signer and scan (`core.signed_papers`). At most one current copy per case; a replaced one
is kept with who replaced it, when and why."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from congvu.core.models import SignedPaperBase, stored_path


def signed_paper_path(instance: Any, filename: str) -> str:
    return stored_path("cases/signed", filename)


class SignedPaper(SignedPaperBase):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="signed_papers")
    file = models.FileField(upload_to=signed_paper_path, max_length=200)

    class Meta(SignedPaperBase.Meta):
        verbose_name = _("bản đã ký của văn bản kết luận")
        verbose_name_plural = _("bản đã ký của văn bản kết luận")
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(replaced_at__isnull=True),
                name="case_signed_paper_one_current",
            ),
            models.CheckConstraint(
                condition=Q(replaced_at__isnull=True) | ~Q(replace_reason=""),
                name="case_signed_paper_replaced_has_reason",
            ),
        ]

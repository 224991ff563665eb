"""Badge sheets made on the background worker (`organisations.badge_exports`).

A sheet is what one user asked to print: an organisation's staff (with its subtree or
not), one part of it when it needs several files. The user is part of it because their
grants choose the staff (a grant may stop above part of the subtree), and the worker
chooses them again from the same grants when it lays the sheet out.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from congvu.core.models import PdfExportBase


class BadgeSheet(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("cơ quan, đơn vị"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    subtree = models.BooleanField(_("gồm cả cơ quan, đơn vị trực thuộc"), default=False)
    #: 0 when the whole scope fits one file; else 1, 2, … (`badges.SHEET_MAX` cards each).
    part = models.PositiveIntegerField(_("tệp số"), default=0)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "subtree", "part", "user"], name="badge_sheet_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{int(self.subtree)}/{self.part} ({self.user_id})"


class BadgeExport(PdfExportBase):
    """A badge sheet's PDF rendered by the background worker: ~12 ms a card, so a sheet of
    hundreds of cards takes seconds to a few tens of seconds."""

    sheet = models.ForeignKey(
        BadgeSheet, on_delete=models.CASCADE, related_name="exports", verbose_name=_("tệp thẻ")
    )

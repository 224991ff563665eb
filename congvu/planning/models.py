"""Plans carrying out the public-service-culture programme.

Only the plan record lives here for now (the demo loads Plan 86/KH-UBND as one);
tasks, assignments and progress come with the planning issue.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from congvu.core.models import TimeStampedModel


class PlanQuerySet(models.QuerySet["Plan"]):
    def visible_to(self, user: object) -> PlanQuerySet:
        from congvu.accounts import access

        return self.filter(
            issuing_organisation__in=access.organisations_for(user, access.Perm.PLAN_VIEW)
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

from __future__ import annotations

from django.db import models
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

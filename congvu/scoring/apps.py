from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "congvu.scoring"
    label = "scoring"
    verbose_name = _("Chấm điểm, xếp hạng")

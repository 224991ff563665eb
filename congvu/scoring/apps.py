from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "congvu.scoring"
    label = "scoring"
    verbose_name = "Chấm điểm, xếp hạng"

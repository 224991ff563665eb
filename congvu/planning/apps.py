from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "congvu.planning"
    label = "planning"

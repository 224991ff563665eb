from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "congvu.reporting"
    label = "reporting"

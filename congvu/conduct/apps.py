from django.apps import AppConfig


class ConductConfig(AppConfig):
    name = "congvu.conduct"
    label = "conduct"

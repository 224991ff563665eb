from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "congvu.portal"
    label = "portal"

from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "congvu.organisations"
    label = "organisations"

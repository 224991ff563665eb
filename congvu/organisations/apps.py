from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "congvu.organisations"
    label = "organisations"
    verbose_name = _("Cơ quan, đơn vị và cán bộ")

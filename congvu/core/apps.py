from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "congvu.core"
    label = "core"
    verbose_name = _("Hệ thống")

    def ready(self) -> None:
        from . import cache  # noqa: F401 — registers the shared-cache deploy check

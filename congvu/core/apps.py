from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "congvu.core"
    label = "core"

    def ready(self) -> None:
        from . import cache  # noqa: F401 — registers the shared-cache deploy check

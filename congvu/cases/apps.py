from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "congvu.cases"
    label = "cases"
    verbose_name = "Phản ánh, kiến nghị và xử lý vi phạm"

    def ready(self) -> None:
        from congvu.audit import verifiers

        from .timeline import verify_events

        # `audit_verify` also checks that every case event still matches its audit event.
        verifiers.register("cases.events", verify_events)

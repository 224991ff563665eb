from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "congvu.cases"
    label = "cases"
    verbose_name = _("Phản ánh, kiến nghị và xử lý vi phạm")

    def ready(self) -> None:
        from congvu.audit import verifiers

        from .timeline import verify_events

        # `audit_verify` also checks that every case event still matches its audit event.
        verifiers.register("cases.events", verify_events)

        from django.db.models.signals import post_delete, post_save

        from congvu.accounts.models import RoleGrant, User

        from . import export_jobs

        # A background export is deleted as soon as its user loses a right (a grant
        # revoked or changed, the account deactivated), not only at the daily purge.
        def grant_gone(sender: Any, instance: RoleGrant, **kwargs: Any) -> None:
            export_jobs.forget_user(instance.user_id)

        def grant_changed(sender: Any, instance: RoleGrant, created: bool, **kwargs: Any) -> None:
            if not created:
                export_jobs.forget_user(instance.user_id)

        def user_saved(sender: Any, instance: User, **kwargs: Any) -> None:
            if not instance.is_active:
                export_jobs.forget_user(instance.pk)

        post_delete.connect(grant_gone, sender=RoleGrant, dispatch_uid="cases.export.grant_gone")
        post_save.connect(grant_changed, sender=RoleGrant, dispatch_uid="cases.export.grant_edit")
        post_save.connect(user_saved, sender=User, dispatch_uid="cases.export.user_saved")

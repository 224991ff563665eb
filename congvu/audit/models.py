from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from congvu.core.text import fold


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def visible_to(self, user: Any) -> AuditEventQuerySet:
        """Events of the organisations where `user` holds AUDIT_VIEW (with their subtrees);
        events of no organisation (accounts, the demo) only for province-wide holders."""
        from congvu.accounts import access
        from congvu.accounts.access import Perm
        from congvu.organisations.models import Organisation

        if access.is_superuser(user):
            return self
        if not access.can_anywhere(user, Perm.AUDIT_VIEW):
            return self.none()
        scope = access.organisations_for(user, Perm.AUDIT_VIEW)
        with_none = access.holds_province_wide(user, Perm.AUDIT_VIEW)
        if with_none or scope.count() * BROAD_SCOPE > Organisation.objects.count():
            # A broad scope: test each row while the (at, id) index is walked newest
            # first (a page stops after 50 rows). Comparing the column as is would let the
            # database pick its organisation index and sort every row of the scope
            # (`bench/bench_audit.py`: seconds at a million events).
            # 0 stands for "no organisation" (no organisation has that key).
            qs = self.alias(scope_id=Coalesce("organisation_id", Value(0)))
            q = Q(scope_id__in=scope.values("pk"))
            return qs.filter(q | Q(scope_id=0) if with_none else q)
        # A narrow scope: its few organisations' rows through the organisation index.
        return self.filter(organisation_id__in=scope.values("pk"))


#: A scope holding more than 1/BROAD_SCOPE of the organisations is walked, not collected.
BROAD_SCOPE = 20


class AuditEvent(models.Model):
    """One business write, chained to the previous event by a SHA-256 hash.

    Append-only: nothing in the product updates or deletes a row. Changing any
    field of a stored event breaks its hash and every later `prev_hash`, which
    `manage.py audit_verify` reports.
    """

    at = models.DateTimeField(_("thời điểm"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # audit_actor_at_idx starts with it
    )
    action = models.CharField(_("hành động"), max_length=80)
    object_type = models.CharField(_("loại đối tượng"), max_length=80)
    object_id = models.CharField(_("mã đối tượng"), max_length=64)
    organisation_id = models.BigIntegerField(_("cơ quan"), null=True, blank=True)
    summary = models.CharField(_("tóm tắt"), max_length=300, blank=True)
    data = models.JSONField(_("dữ liệu"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    #: `summary` and `object_id` folded (`search_text_of`), for the log's "Nội dung" search
    #: ("voi vinh" finds "vòi vĩnh"). Derived, so outside the hashed content
    #: (`services._payload` names the fields it hashes): filling it for old events
    #: (migration 0004) leaves every hash as it was.
    search_text = models.TextField(default="", blank=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            # The log is read newest first by (at, id), as keyset pages: each index below
            # serves a page, a date range and the CSV without sorting the rows it holds.
            models.Index(fields=["at", "id"], name="audit_at_id_idx"),
            models.Index(fields=["organisation_id", "at", "id"], name="audit_org_at_idx"),
            models.Index(fields=["actor", "at", "id"], name="audit_actor_at_idx"),
            models.Index(fields=["action", "at", "id"], name="audit_action_at_idx"),
        ]
        verbose_name = _("sự kiện nhật ký")
        verbose_name_plural = _("nhật ký hoạt động")

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.action} {self.object_type}#{self.object_id}"


def search_text_of(summary: str, object_id: str) -> str:
    """An event's `search_text`: a line break between the two, so no word spans both."""
    return f"{fold(summary)}\n{fold(object_id)}"


class AuditHead(models.Model):
    """A single row holding the last hash; locking it serialises appends on PostgreSQL."""

    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("đầu chuỗi nhật ký")

    def __str__(self) -> str:
        return self.last_hash


class ChainVerification(models.Model):
    """One run of the chain's verification (`services.run_verification`): daily, or asked
    for from the audit log's page and run by the background worker."""

    class Trigger(models.TextChoices):
        DAILY = "daily", _("Hằng ngày")
        MANUAL = "manual", _("Theo yêu cầu")
        COMMAND = "command", _("Lệnh quản trị")

    trigger = models.CharField(_("lý do chạy"), max_length=10, choices=Trigger.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người yêu cầu"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("yêu cầu lúc"))
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)
    checked = models.PositiveBigIntegerField(_("số sự kiện đã kiểm tra"), default=0)
    last_event_id = models.BigIntegerField(_("đến sự kiện"), null=True, blank=True)
    first_bad_id = models.BigIntegerField(_("sự kiện hỏng đầu tiên"), null=True, blank=True)
    reason = models.CharField(_("lý do"), max_length=300, blank=True)
    #: The apps' verifiers' findings (the first `services.PROBLEMS_KEPT`) and their count.
    problems = models.JSONField(_("bản ghi không khớp"), default=list, blank=True)
    problem_count = models.PositiveIntegerField(_("số bản ghi không khớp"), default=0)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("lần kiểm tra chuỗi nhật ký")

    def __str__(self) -> str:
        return f"{self.trigger} {self.requested_at:%d/%m/%Y %H:%M}"

    @property
    def is_running(self) -> bool:
        return self.finished_at is None

    @property
    def ok(self) -> bool:
        return self.finished_at is not None and self.first_bad_id is None and not self.problem_count

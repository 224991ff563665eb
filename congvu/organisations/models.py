"""The dated organisation tree and the staff members who work in it.

Since 1 July 2025 Vietnam has two-tier local government and merged provinces,
so nothing here assumes fixed levels: kinds are data, and every organisation
has a validity period and a successor. The current tree is indexed by a
materialised path; the tree as it stood on any date is rebuilt from
`OrganisationVersion` rows (one per name/parent/kind change).
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from congvu.core.models import TimeStampedModel
from congvu.core.text import fold, name_key, name_sort_key

PATH_SEGMENT = 8  # zero-padded primary key digits per tree level


def new_badge_token() -> str:
    # 128 bits: unguessable; URL-safe so it fits in a QR code's alphanumeric-ish payload.
    return secrets.token_urlsafe(16)


class OrganisationKind(models.Model):
    """Editable data: provincial People's Committee, department, commune, public service unit…"""

    code = models.SlugField(_("mã loại"), max_length=40, unique=True)
    name = models.CharField(_("tên loại"), max_length=120)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=120, blank=True)
    is_division = models.BooleanField(
        _("là phòng, bộ phận"),
        default=False,
        help_text=_("Phòng, bộ phận bên trong một cơ quan (không phải cơ quan độc lập)."),
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=100)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("loại cơ quan")
        verbose_name_plural = _("loại cơ quan")

    def __str__(self) -> str:
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


def valid_on_q(day: dt.date, prefix: str = "") -> Q:
    """Rows valid on `day` (an empty `valid_to` is still open); `prefix` follows a relation."""
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day})
    )


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def visible_to(self, user: object) -> OrganisationQuerySet:
        from congvu.accounts import access

        return access.visible_organisations(user, self)

    def valid_on(self, day: dt.date) -> OrganisationQuerySet:
        return self.filter(valid_on_q(day))

    def current(self) -> OrganisationQuerySet:
        return self.valid_on(timezone.localdate())

    def subtree_of(self, organisation: Organisation) -> OrganisationQuerySet:
        """The organisation and everything below it in the current tree."""
        return self.filter(path__startswith=organisation.path)

    def search(self, query: str) -> OrganisationQuerySet:
        from congvu.core.text import search_terms

        qs = self
        for term in search_terms(query):
            qs = qs.filter(Q(search_text__contains=term) | Q(code__icontains=term))
        return qs

    def search_on(self, query: str, day: dt.date) -> OrganisationQuerySet:
        """`search(query)` by today's names, or by the names they bore on `day` (a search
        for the tree as of a past day finds an organisation renamed since)."""
        from congvu.core.text import search_terms

        then = OrganisationVersion.objects.filter(valid_on_q(day))
        for term in search_terms(query):
            then = then.filter(
                Q(search_text__contains=term) | Q(organisation__code__icontains=term)
            )
        return self.search(query) | self.filter(pk__in=then.values("organisation_id"))

    def best_first(self, query: str) -> OrganisationQuerySet:
        """`search(query)` ordered for someone picking one: names holding the words as
        typed and in that order first ("vu thu": "xã Vũ Thư" before "Trường Thư Vũ"),
        then the higher levels (a commune before its schools), then the tree's order."""
        from congvu.core.text import fold

        phrase = fold(query)
        as_typed = models.Case(
            models.When(search_text__contains=phrase, then=models.Value(0)),
            default=models.Value(1),
            output_field=models.IntegerField(),
        )
        return self.search(query).annotate(as_typed=as_typed).order_by("as_typed", "depth", "path")


class Organisation(TimeStampedModel):
    code = models.CharField(
        _("mã định danh"),
        max_length=40,
        unique=True,
        help_text=_("Mã định danh điện tử của cơ quan, đơn vị (ví dụ H56.12)."),
    )
    name = models.CharField(_("tên"), max_length=255)
    short_name = models.CharField(_("tên viết tắt"), max_length=80, blank=True)
    kind = models.ForeignKey(
        OrganisationKind, verbose_name=_("loại"), on_delete=models.PROTECT, related_name="+"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("cơ quan cấp trên"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    path = models.CharField(max_length=255, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    valid_from = models.DateField(_("hiệu lực từ"))
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("cơ quan kế thừa"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessors",
    )
    search_text = models.CharField(max_length=400, editable=False, default="")

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("cơ quan, đơn vị")
        verbose_name_plural = _("cơ quan, đơn vị")
        indexes = [
            # PostgreSQL needs the pattern opclass for LIKE 'prefix%' to use the index;
            # SQLite ignores opclasses and uses the plain db_index above.
            models.Index(
                fields=["path"], name="org_path_like_idx", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["valid_from", "valid_to"], name="org_validity_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="org_valid_to_after_from",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        today = timezone.localdate()
        return self.valid_from <= today and (self.valid_to is None or self.valid_to >= today)

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)

    def refresh_search_text(self) -> None:
        # Folding can lengthen exotic scripts (Hangul decomposes); the column is for search only.
        self.search_text = fold(f"{self.name} {self.short_name} {self.code}")[:400]

    def ancestor_ids(self) -> list[int]:
        """Primary keys from the root down to this organisation, read from the path."""
        return [
            int(self.path[i : i + PATH_SEGMENT]) for i in range(0, len(self.path), PATH_SEGMENT)
        ]


class OrganisationVersion(models.Model):
    """How an organisation looked during a period: the source of the tree as of a date."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="versions"
    )
    name = models.CharField(_("tên"), max_length=255)
    short_name = models.CharField(_("tên viết tắt"), max_length=80, blank=True)
    kind = models.ForeignKey(OrganisationKind, on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)
    # Accent-folded name and short name: searching by the name of a past day.
    search_text = models.CharField(max_length=400, editable=False, default="")
    # The name as siblings' names are compared (`core.text.name_key`: case folded,
    # accents kept, the tone mark's place in a word ignored). SQLite's lower() and
    # iexact fold ASCII only ("Đ"/"đ" differ).
    # Longer than the name: case folding may lengthen a letter (ß → ss).
    name_key = models.CharField(max_length=800, editable=False, default="")

    class Meta:
        ordering = ["organisation_id", "valid_from"]
        indexes = [
            models.Index(fields=["valid_from", "valid_to"], name="orgver_validity_idx"),
            # A sibling of that name (the services); the names of a file (the import).
            models.Index(fields=["name_key", "parent"], name="orgver_name_key_idx"),
        ]
        verbose_name = _("phiên bản cơ quan")
        verbose_name_plural = _("lịch sử cơ quan")

    def __str__(self) -> str:
        return f"{self.name} ({self.valid_from:%d/%m/%Y}–)"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Derived columns, not business logic: kept with the name they fold, as
        # `Organisation.search_text` is. Bulk writes call `refresh_derived` themselves.
        self.refresh_derived()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *self.DERIVED_FIELDS}
        super().save(*args, **kwargs)

    DERIVED_FIELDS = ("search_text", "name_key")

    def refresh_derived(self) -> None:
        """Set `DERIVED_FIELDS` from the name (bulk_create and bulk_update skip `save`)."""
        self.search_text = fold(f"{self.name} {self.short_name}")[:400]
        self.name_key = name_key(self.name)


class StaffQuerySet(models.QuerySet["StaffMember"]):
    def visible_to(self, user: object) -> StaffQuerySet:
        from congvu.accounts import access

        return access.visible_staff(user, self)

    def search(self, query: str) -> StaffQuerySet:
        from congvu.core.text import search_terms

        qs = self
        for term in search_terms(query):
            qs = qs.filter(search_name__contains=term)
        return qs

    def active(self) -> StaffQuerySet:
        return self.filter(is_active=True)


class StaffMember(TimeStampedModel):
    class Category(models.TextChoices):
        OFFICIAL = "official", pgettext_lazy("staff category", "Cán bộ")
        CIVIL_SERVANT = "civil_servant", _("Công chức")
        PUBLIC_EMPLOYEE = "public_employee", _("Viên chức")
        WORKER = "worker", _("Người lao động")

    full_name = models.CharField(_("họ và tên"), max_length=120)
    staff_code = models.CharField(_("mã cán bộ"), max_length=40, unique=True)
    category = models.CharField(_("loại cán bộ"), max_length=20, choices=Category.choices)
    position_title = models.CharField(_("chức vụ"), max_length=160, blank=True)
    is_leader = models.BooleanField(_("là lãnh đạo, quản lý"), default=False)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="staff"
    )
    division = models.ForeignKey(
        Organisation,
        verbose_name=_("phòng, bộ phận"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="division_staff",
    )
    email = models.EmailField(_("thư điện tử"), blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    is_active = models.BooleanField(_("đang công tác"), default=True)
    left_on = models.DateField(_("ngày thôi công tác"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff_member",
    )
    badge_token = models.CharField(max_length=40, unique=True, default=new_badge_token)
    sort_name = models.CharField(max_length=400, editable=False, db_index=True, default="")
    search_name = models.CharField(max_length=200, editable=False, db_index=True, default="")

    objects = StaffQuerySet.as_manager()

    class Meta:
        ordering = ["sort_name"]
        verbose_name = _("cán bộ, công chức, viên chức")
        verbose_name_plural = _("cán bộ, công chức, viên chức")
        indexes = [models.Index(fields=["organisation", "sort_name"], name="staff_org_sort_idx")]

    def __str__(self) -> str:
        return self.full_name

    def refresh_name_keys(self) -> None:
        # Both keys only sort and search; truncating a very long name's key is harmless.
        self.sort_name = name_sort_key(self.full_name)[:400]
        self.search_name = fold(f"{self.full_name} {self.staff_code}")[:200]


class StaffAssignment(models.Model):
    """Where a staff member worked, and as what, during a period."""

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="assignments")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    division = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    position_title = models.CharField(_("chức vụ"), max_length=160, blank=True)
    is_leader = models.BooleanField(_("là lãnh đạo, quản lý"), default=False)
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=200, blank=True)

    class Meta:
        ordering = ["staff_id", "valid_from"]
        verbose_name = _("quá trình công tác")
        verbose_name_plural = _("quá trình công tác")

    def __str__(self) -> str:
        return f"{self.staff_id} @ {self.organisation_id} {self.valid_from:%d/%m/%Y}"


from .badge_models import BadgeExport, BadgeSheet  # noqa: E402,F401
from .import_models import ImportJob  # noqa: E402,F401

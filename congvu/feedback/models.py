"""Citizens' ratings of the service they received, and the satisfaction index.

A citizen rates a staff member (badge QR), a dossier (receipt QR; verified, at
most one rating per dossier), or a one-stop counter (counter QR or the kiosk at
the counter). A `Rating` keeps the staff member and the organisation *as they
were* when it was given. Ratings are the record and are not audited one by
one; reviews of flagged ratings are.

Dashboards never aggregate the raw ratings: `OrganisationMonthRollup`,
`StaffMonthRollup` and `CriterionMonthRollup` hold sums and counts per month,
kept current in the same transaction as each rating and rebuildable from the
raw table (`manage.py rebuild_rating_rollups`).

Privacy: no IP address or user agent is stored; `device_hash` and `address_hash` are
keyed hashes with a salt that rotates daily (`DeviceSalt`, deleted after two days), used
only to rate-limit and to spot patterns.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from congvu.core.models import TimeStampedModel

#: A scale has at most this many levels (rollups keep one count column per level).
MAX_LEVELS = 5


def new_public_token() -> str:
    """A URL-safe secret for QR links (counter, kiosk, dossier receipt)."""
    return secrets.token_urlsafe(16)


class RatingScale(models.Model):
    """The overall-satisfaction question's answers: five levels by default, three possible.

    Levels are numbered from 1 (the best) to `len(levels)`; which of them count
    as "satisfied" for the index is data too. A rating stores the scale it was
    given on and its own `satisfied` flag, so changing the scale later never
    rewrites history.
    """

    code = models.SlugField(_("mã thang đo"), max_length=40, unique=True)
    name = models.CharField(_("tên thang đo"), max_length=120)
    is_active = models.BooleanField(_("đang dùng"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("thang đo mức độ hài lòng")
        verbose_name_plural = _("thang đo mức độ hài lòng")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="feedback_one_active_scale"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ScaleLevel(models.Model):
    scale = models.ForeignKey(RatingScale, on_delete=models.CASCADE, related_name="levels")
    value = models.PositiveSmallIntegerField(_("bậc"), help_text=_("1 là mức tốt nhất."))
    label = models.CharField(_("nhãn"), max_length=80)
    label_en = models.CharField(_("nhãn tiếng Anh"), max_length=80, blank=True)
    satisfied = models.BooleanField(_("tính là hài lòng"), default=False)

    class Meta:
        ordering = ["scale_id", "value"]
        verbose_name = _("mức của thang đo")
        verbose_name_plural = _("mức của thang đo")
        constraints = [
            models.UniqueConstraint(fields=["scale", "value"], name="feedback_level_unique"),
            models.CheckConstraint(
                condition=Q(value__gte=1) & Q(value__lte=MAX_LEVELS), name="feedback_level_range"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class Counter(TimeStampedModel):
    """A one-stop counter (bộ phận một cửa) where citizens meet staff on duty."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("cơ quan"),
        on_delete=models.PROTECT,
        related_name="counters",
    )
    name = models.CharField(_("tên quầy"), max_length=160)
    staff = models.ManyToManyField(
        "organisations.StaffMember",
        verbose_name=_("cán bộ trực quầy"),
        blank=True,
        related_name="counters",
    )
    opens_at = models.TimeField(_("giờ mở cửa"), default="07:00")
    closes_at = models.TimeField(_("giờ đóng cửa"), default="17:30")
    qr_token = models.CharField(max_length=40, unique=True, default=new_public_token)
    #: Secret of the counter's tablet: the kiosk is exempt from per-device limits.
    kiosk_token = models.CharField(max_length=40, unique=True, default=new_public_token)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        ordering = ["organisation_id", "name"]
        verbose_name = _("quầy tiếp nhận")
        verbose_name_plural = _("quầy tiếp nhận")

    def __str__(self) -> str:
        return self.name


class Dossier(models.Model):
    """One one-stop transaction; its receipt carries a rating link (one rating per dossier)."""

    class Source(models.TextChoices):
        API = "api", _("Hệ thống một cửa (API)")
        FORM = "form", _("Cán bộ nhập")
        UPLOAD = "upload", _("Tải tệp Excel")

    code = models.CharField(_("mã hồ sơ"), max_length=60, unique=True)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("cơ quan"),
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    counter = models.ForeignKey(
        Counter,
        verbose_name=_("quầy"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dossiers",
    )
    staff = models.ForeignKey(
        "organisations.StaffMember",
        verbose_name=_("cán bộ xử lý"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
    )
    procedure = models.CharField(_("thủ tục"), max_length=300, blank=True)
    received_on = models.DateField(_("ngày tiếp nhận"), null=True, blank=True)
    rating_token = models.CharField(max_length=40, unique=True, default=new_public_token)
    source = models.CharField(_("nguồn"), max_length=10, choices=Source.choices)
    registered_at = models.DateTimeField(_("đăng ký lúc"), auto_now_add=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người đăng ký"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-registered_at"]
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        indexes = [
            # The API's list, newest first within the user's organisations: the keys are
            # sorted from this index alone (`core.windowed.KeysFirst`), with the key as
            # the tie-break so PostgreSQL can answer from the index only.
            models.Index(
                fields=["organisation", "-registered_at", "-id"], name="dossier_org_registered_idx"
            )
        ]

    def __str__(self) -> str:
        return self.code


class RatingQuerySet(models.QuerySet["Rating"]):
    def visible_to(self, user: object) -> RatingQuerySet:
        from congvu.accounts import access

        return self.filter(organisation__in=access.organisations_for(user, access.Perm.RATING_VIEW))

    def counted(self) -> RatingQuerySet:
        return self.filter(state__in=Rating.COUNTED_STATES)


class Rating(models.Model):
    class Channel(models.TextChoices):
        BADGE = "badge", _("QR trên thẻ cán bộ")
        DOSSIER = "dossier", _("QR trên giấy biên nhận")
        COUNTER = "counter", _("QR tại quầy")
        KIOSK = "kiosk", _("Máy tính bảng tại quầy")

    class State(models.TextChoices):
        COUNTED = "counted", _("Được tính")
        FLAGGED = "flagged", _("Bị gắn cờ, chờ xem xét")
        INCLUDED = "included", _("Đã xem xét: tính")
        EXCLUDED = "excluded", _("Đã xem xét: loại")

    COUNTED_STATES = ("counted", "included")

    class Answer(models.TextChoices):
        KEPT = "y", _("Có")
        BREACHED = "n", _("Không")
        UNKNOWN = "u", _("Không nhớ")

    created_at = models.DateTimeField(_("lúc"), db_index=True)
    #: The local (Vietnam) date; rollups are by its month.
    rated_on = models.DateField(_("ngày"))
    channel = models.CharField(_("kênh"), max_length=10, choices=Channel.choices)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("cơ quan"),
        on_delete=models.PROTECT,
        related_name="ratings",
        db_index=False,  # rating_org_idx starts with it
    )
    staff = models.ForeignKey(
        "organisations.StaffMember",
        verbose_name=_("cán bộ"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ratings",
        db_index=False,  # rating_staff_idx starts with it
    )
    counter = models.ForeignKey(
        Counter,
        verbose_name=_("quầy"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ratings",
        db_index=False,  # rating_counter_idx: only the ratings that have one
    )
    #: At most one rating per dossier (the database enforces it). In the database the
    #: rule is the partial unique index `rating_one_per_dossier` (… WHERE dossier_id IS
    #: NOT NULL, migration 0005), not the column's UNIQUE, which indexed the NULL of every
    #: rating without a dossier; the two accept the same rows. A migration that copies
    #: this table on SQLite (`AlterField`) would bring the column's UNIQUE back
    #: (test_submit checks which index is there).
    dossier = models.OneToOneField(
        Dossier,
        verbose_name=_("hồ sơ"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rating",
    )
    verified = models.BooleanField(_("đã xác thực qua hồ sơ"), default=False)
    #: Not indexed (nor `reviewed_by`): nothing looks ratings up by them, and every
    #: index costs each of thousands of inserts a second. Deleting a scale (refused
    #: while ratings use it) or a user scans the table instead.
    scale = models.ForeignKey(
        RatingScale, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    level = models.PositiveSmallIntegerField(_("mức hài lòng"))
    satisfied = models.BooleanField(_("hài lòng"))
    #: {clause id: "y" kept / "n" breached / "u" don't remember}, after turning
    #: questions asked the other way round ("were you asked for anything improper?").
    answers = models.JSONField(_("các tiêu chí"), default=dict, blank=True)
    comment = models.TextField(_("góp ý"), blank=True)
    state = models.CharField(
        _("trạng thái"), max_length=10, choices=State.choices, default=State.COUNTED
    )
    flag_reasons = models.CharField(_("lý do gắn cờ"), max_length=200, blank=True)
    device_hash = models.CharField(max_length=32, blank=True)  # rating_device_idx
    #: The same keyed hash of the address alone (`devices.address_hash`): a new user
    #: agent per rating is a new device but not a new address.
    address_hash = models.CharField(
        max_length=32, blank=True, default="", db_default=""
    )  # rating_address_idx
    #: A random id the form carries so that a resubmission (double tap, retry after
    #: a lost response) returns the first rating instead of storing a second.
    submission_id = models.UUIDField(null=True, blank=True, unique=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xem xét"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    reviewed_at = models.DateTimeField(_("xem xét lúc"), null=True, blank=True)
    review_reason = models.CharField(_("lý do"), max_length=500, blank=True)

    objects = RatingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("lượt đánh giá")
        verbose_name_plural = _("lượt đánh giá")
        indexes = [
            models.Index(fields=["staff", "-created_at"], name="rating_staff_idx"),
            models.Index(fields=["organisation", "-created_at"], name="rating_org_idx"),
            models.Index(fields=["device_hash", "created_at"], name="rating_device_idx"),
            # Partial: the ratings without an address (kiosks, the one-stop system's API,
            # those from before the column) would make every key look alike to the
            # planners' statistics, and SQLite then scans the table instead.
            models.Index(
                fields=["address_hash", "created_at"],
                condition=Q(address_hash__gt=""),
                name="rating_address_idx",
            ),
            models.Index(
                fields=["counter", "-created_at"],
                condition=Q(counter__isnull=False),
                name="rating_counter_idx",
            ),
            models.Index(
                fields=["organisation", "created_at"],
                condition=Q(state="flagged"),
                name="rating_flagged_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1) & Q(level__lte=MAX_LEVELS), name="rating_level_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.created_at:%d/%m/%Y %H:%M}"

    @property
    def is_counted(self) -> bool:
        return self.state in self.COUNTED_STATES


class DeviceSalt(models.Model):
    """Today's random salt for device hashes; rows older than two days are deleted,
    after which no hash can be linked to a device again."""

    day = models.DateField(unique=True)
    salt = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y}"


class RollupCounts(models.Model):
    """Sums and counts, never averages (they add up across months and organisations)."""

    month = models.DateField(_("tháng"))  # the first day of the month
    total = models.PositiveIntegerField(default=0)  # every rating, flagged ones too
    counted = models.PositiveIntegerField(default=0)  # counted or included after review
    satisfied = models.PositiveIntegerField(default=0)  # counted and satisfied
    flagged = models.PositiveIntegerField(default=0)  # waiting for review
    verified = models.PositiveIntegerField(default=0)  # counted, through a dossier
    level_1 = models.PositiveIntegerField(default=0)  # counted, per level of the scale
    level_2 = models.PositiveIntegerField(default=0)
    level_3 = models.PositiveIntegerField(default=0)
    level_4 = models.PositiveIntegerField(default=0)
    level_5 = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.month:%m/%Y}: {self.satisfied}/{self.counted}"


class OrganisationMonthRollup(RollupCounts):
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "month"], name="feedback_org_month_unique"
            )
        ]
        indexes = [models.Index(fields=["month"], name="feedback_org_month_idx")]


class StaffMonthRollup(RollupCounts):
    staff = models.ForeignKey(
        "organisations.StaffMember", on_delete=models.CASCADE, related_name="+"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["staff", "organisation", "month"], name="feedback_staff_month_unique"
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "month"], name="feedback_staff_org_month_idx")
        ]


class CriterionMonthRollup(models.Model):
    """Per organisation, month and rateable clause: how often it was kept (counted ratings)."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField()
    clause = models.ForeignKey("conduct.Clause", on_delete=models.CASCADE, related_name="+")
    kept = models.PositiveIntegerField(default=0)
    breached = models.PositiveIntegerField(default=0)
    unknown = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "month", "clause"], name="feedback_criterion_unique"
            )
        ]
        indexes = [models.Index(fields=["month"], name="feedback_criterion_month_idx")]

    def __str__(self) -> str:
        return f"{self.month:%m/%Y} {self.clause_id}: {self.kept}/{self.kept + self.breached}"

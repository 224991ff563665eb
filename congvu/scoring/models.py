"""Scorecards: how the Department of Home Affairs scores and ranks organisations.

A `Scorecard` names a period, the organisation whose subtree it scores (the
province, usually), the organisation kinds it covers (like is compared with
like: departments with departments, communes with communes) and its
`Criterion` rows (a metric from `metrics.REGISTRY`, a weight, a label). It
runs draft → computed → published: computing stores one `OrganisationScore`
per organisation; publishing freezes them and shows them on `/rankings/`. A
new version of a published scorecard is a new scorecard.

The rules (criteria, weights, grades, how many criteria an organisation needs)
are data with defaults, because the law that sets them changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from congvu.core.models import PdfExportBase, TimeStampedModel

#: Decree 90/2020/NĐ-CP, art. 2 (as amended by Decree 48/2023): a head is rated "good"
#: or better only if at least 80 % of the unit's tasks are done on time.
HEAD_TASKS_ON_TIME: dict[str, Any] = {"metric": "tasks_on_time", "min": 80}


def default_grades() -> list[dict[str, Any]]:
    """The annual rating's wording (Decree 90/2020, art. 2): the lowest threshold is 0.

    A grade may carry `conditions` (a metric's value must reach `min`): an organisation
    whose total reaches the grade but misses one of them gets the next lower grade.
    `label_en` is the label shown in English."""
    return [
        {
            "min": 90,
            "label": "Hoàn thành xuất sắc",
            "label_en": "Completed excellently",
            "conditions": [dict(HEAD_TASKS_ON_TIME)],
        },
        {
            "min": 75,
            "label": "Hoàn thành tốt",
            "label_en": "Completed well",
            "conditions": [dict(HEAD_TASKS_ON_TIME)],
        },
        {"min": 50, "label": "Hoàn thành", "label_en": "Completed"},
        {"min": 0, "label": "Không hoàn thành", "label_en": "Not completed"},
    ]


def metric_label(code: str) -> str:
    from .metrics import REGISTRY

    metric = REGISTRY.get(code)
    return str(metric.label) if metric else code


def grade_label(grade: dict[str, Any]) -> str:
    """The grade's label in the user's language (the Vietnamese one when it has no other)."""
    english = (get_language() or "").startswith("en")
    return str(grade.get("label_en") or grade["label"]) if english else str(grade["label"])


class ScorecardQuerySet(models.QuerySet["Scorecard"]):
    def visible_to(self, user: object) -> ScorecardQuerySet:
        """Scorecards issued in the user's SCORE_MANAGE scope, and every published one
        (published rankings are public)."""
        from congvu.accounts import access
        from congvu.accounts.access import Perm

        managed = access.organisations_for(user, Perm.SCORE_MANAGE).values("pk")
        return self.filter(Q(organisation__in=managed) | Q(status=Scorecard.Status.PUBLISHED))

    def published(self) -> ScorecardQuerySet:
        return self.filter(status=Scorecard.Status.PUBLISHED)


class Scorecard(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        COMPUTED = "computed", _("Đã tính điểm")
        PUBLISHED = "published", _("Đã công bố")

    name = models.CharField(_("tên bảng điểm"), max_length=255)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("cơ quan chấm điểm"),
        help_text=_("Chấm các cơ quan thuộc cơ quan này (thường là UBND tỉnh)."),
        on_delete=models.PROTECT,
        related_name="+",
    )
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    kinds = models.ManyToManyField(
        "organisations.OrganisationKind", verbose_name=_("loại cơ quan được chấm"), related_name="+"
    )
    min_criteria = models.PositiveSmallIntegerField(
        _("số tiêu chí tối thiểu có dữ liệu"),
        null=True,
        blank=True,
        help_text=_("Để trống: một nửa số tiêu chí (làm tròn lên)."),
    )
    grades = models.JSONField(_("xếp loại"), default=default_grades)
    description = models.TextField(_("giải thích"), blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    #: Per kind id (as a string) and metric code (and "total"): the median of the kind.
    medians = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField(_("tính điểm lúc"), null=True, blank=True)
    computed_as_of = models.DateField(_("số liệu đến ngày"), null=True, blank=True)
    published_at = models.DateTimeField(_("công bố lúc"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("phiên bản trước"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ScorecardQuerySet.as_manager()

    class Meta:
        ordering = ["-period_end", "-pk"]
        verbose_name = _("bảng điểm")
        verbose_name_plural = _("bảng điểm")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="scorecard_period_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="scorecard_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_editable(self) -> bool:
        return self.status != self.Status.PUBLISHED

    def needed_criteria(self, count: int) -> int:
        """How many of `count` criteria an organisation needs data for to be ranked."""
        if self.min_criteria is not None:
            return min(max(self.min_criteria, 1), max(count, 1))
        return max(1, (count + 1) // 2)

    def grading(
        self, total: float, values: Mapping[str, float | None] | None = None
    ) -> tuple[str, list[dict[str, Any]]]:
        """The grade of `total`, and the conditions missed on the way down.

        Grades are tried from the highest: a grade whose threshold the total reaches but
        one of whose conditions the organisation misses is skipped for the next lower one.
        A condition on a metric without data for the organisation is not applied (missing
        data is never 0)."""
        values = values or {}
        missed: list[dict[str, Any]] = []
        for grade in sorted(self.grades, key=lambda g: -float(g["min"])):
            if total < float(grade["min"]):
                continue
            misses = [
                {
                    "grade": grade["label"],
                    "metric": c["metric"],
                    "value": values[c["metric"]],
                    "min": float(c["min"]),
                }
                for c in grade.get("conditions") or []
                if values.get(c["metric"]) is not None
                and float(values[c["metric"]] or 0) < float(c["min"])
            ]
            if not misses:
                return str(grade["label"]), missed
            missed.extend(misses)
        return "", missed

    def grade_for(self, total: float, values: Mapping[str, float | None] | None = None) -> str:
        return self.grading(total, values)[0]

    def condition_metrics(self) -> set[str]:
        return {c["metric"] for g in self.grades for c in g.get("conditions") or []}

    def grade_display(self, label: str) -> str:
        """A stored grade (its Vietnamese label) in the user's language."""
        for grade in self.grades:
            if grade["label"] == label:
                return grade_label(grade)
        return label

    @property
    def display_grades(self) -> list[dict[str, Any]]:
        """The grades from the highest, each with its label and conditions as shown."""
        return [
            {
                "min": float(g["min"]),
                "label": grade_label(g),
                "conditions": [
                    {"label": metric_label(c["metric"]), "min": float(c["min"])}
                    for c in g.get("conditions") or []
                ],
            }
            for g in sorted(self.grades, key=lambda g: -float(g["min"]))
        ]


class Criterion(models.Model):
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="criteria")
    metric = models.CharField(_("chỉ số"), max_length=40)
    weight = models.DecimalField(_("trọng số"), max_digits=6, decimal_places=2)
    label = models.CharField(_("tên tiêu chí"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["scorecard_id", "order", "pk"]
        verbose_name = _("tiêu chí")
        verbose_name_plural = _("tiêu chí")
        constraints = [
            models.UniqueConstraint(
                fields=["scorecard", "metric"], name="criterion_one_per_metric"
            ),
            models.CheckConstraint(
                condition=Q(weight__gt=Decimal(0)), name="criterion_weight_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.label or self.metric

    @property
    def display_label(self) -> str:
        return self.label or metric_label(self.metric)


class OrganisationScore(models.Model):
    """One organisation's score on a scorecard, as computed (kept as it was: a later merge
    or rename does not change a published ranking)."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="scores")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    organisation_name = models.CharField(_("tên cơ quan"), max_length=255)
    organisation_code = models.CharField(_("mã định danh"), max_length=40)
    search_name = models.CharField(max_length=400, default="")
    kind = models.ForeignKey(
        "organisations.OrganisationKind", on_delete=models.PROTECT, related_name="+"
    )
    #: 0–100; None when the organisation has data for too few criteria.
    total = models.FloatField(_("tổng điểm"), null=True, blank=True)
    rank = models.PositiveIntegerField(_("thứ hạng"), null=True, blank=True)
    grade = models.CharField(_("xếp loại"), max_length=120, blank=True)
    with_data = models.PositiveSmallIntegerField(_("số tiêu chí có dữ liệu"), default=0)
    #: {metric: {"value": float | None, "weight": float, "share": float, "detail": {...}}}
    parts = models.JSONField(default=dict)
    missing = models.JSONField(default=list)
    #: The grade conditions missed (Decree 90: tasks on time for "good" and above), each
    #: {"grade": label, "metric": code, "value": float, "min": float}: why the grade is
    #: lower than the total alone would give.
    grade_notes = models.JSONField(_("điều kiện xếp loại không đạt"), default=list, blank=True)

    class Meta:
        ordering = ["scorecard_id", "kind_id", "rank", "organisation_name"]
        verbose_name = _("điểm của cơ quan")
        verbose_name_plural = _("điểm của cơ quan")
        constraints = [
            models.UniqueConstraint(
                fields=["scorecard", "organisation"], name="score_once_per_scorecard"
            ),
        ]
        indexes = [
            models.Index(fields=["scorecard", "kind", "rank"], name="score_card_kind_rank_idx"),
            models.Index(fields=["scorecard", "total"], name="score_card_total_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_name}: {self.total}"

    @property
    def ranked(self) -> bool:
        return self.total is not None


class RankingPdfExport(PdfExportBase):
    """A large ranking's PDF rendered by the background worker (`scoring.pdf_exports`):
    WeasyPrint takes ~10 s for a province of 1,700 organisations. Kept while the
    document's HTML (`fingerprint`) is the same; deleted with its scorecard."""

    scorecard = models.ForeignKey(
        Scorecard,
        on_delete=models.CASCADE,
        related_name="pdf_exports",
        verbose_name=_("bảng điểm"),
    )
    file = models.FileField(upload_to="rankings/pdf/", blank=True)

    class Meta:
        verbose_name = _("bản PDF xếp hạng")
        verbose_name_plural = _("bản PDF xếp hạng")
        indexes = [models.Index(fields=["scorecard", "fingerprint"], name="rankingpdf_card_fp_idx")]

    def __str__(self) -> str:
        return f"{self.scorecard} PDF #{self.pk} ({self.status})"

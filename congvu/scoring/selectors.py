"""Scoped reads of scorecards: the lists, the ranking, one organisation's breakdown.

Who sees what: holders of SCORE_MANAGE on a scorecard's organisation see it in
every state; everyone (the public page too) sees published ones. An
organisation's breakdown also needs ORG_VIEW on that organisation (its people,
its supervisors) unless the reader manages the scorecard.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from django.db.models import F, QuerySet
from django.http import Http404
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.core.text import search_terms
from congvu.organisations.models import Organisation, OrganisationKind

from .metrics import DETAIL_LABELS, REGISTRY
from .models import Criterion, OrganisationScore, Scorecard, metric_label

SORTS: Final = ("rank", "-total", "total", "name")


def may_create(user: Any) -> bool:
    return access.can_anywhere(user, Perm.SCORE_MANAGE)


def may_manage(user: Any, scorecard: Scorecard) -> bool:
    return access.can(user, Perm.SCORE_MANAGE, scorecard.organisation)


def issuers(user: Any) -> QuerySet[Organisation]:
    """Where the user may issue a scorecard (the top of each SCORE_MANAGE scope first)."""
    return access.organisations_for(user, Perm.SCORE_MANAGE).current().order_by("depth", "path")


def scorecards(user: Any) -> QuerySet[Scorecard]:
    return Scorecard.objects.visible_to(user).select_related("organisation")


def get_scorecard(user: Any, pk: int) -> Scorecard:
    """404 unless the user manages the scorecard or it is published."""
    found = scorecards(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def get_managed(user: Any, pk: int) -> Scorecard:
    """404 when the scorecard's organisation is invisible, 403 without SCORE_MANAGE there."""
    return access.get_for(
        user, Perm.SCORE_MANAGE, Scorecard.objects.select_related("organisation"), pk=pk
    )


def get_for_documents(user: Any, pk: int) -> Scorecard:
    """The ranking's files: a published scorecard for whoever may see it, an unpublished one
    for its managers only (404 when its organisation is invisible, 403 without
    SCORE_MANAGE there)."""
    found = scorecards(user).filter(pk=pk, status=Scorecard.Status.PUBLISHED).first()
    return found if found is not None else get_managed(user, pk)


def get_public(pk: int) -> Scorecard:
    found = Scorecard.objects.published().select_related("organisation").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def kinds_of(scorecard: Scorecard) -> list[OrganisationKind]:
    return list(scorecard.kinds.order_by("order", "name"))


def criteria_of(scorecard: Scorecard) -> list[Criterion]:
    criteria = list(scorecard.criteria.all())
    total = sum(float(c.weight) for c in criteria) or 1.0
    for c in criteria:
        metric = REGISTRY.get(c.metric)
        c.formula = str(metric.formula) if metric else ""  # type: ignore[attr-defined]
        c.weight_pct = 100.0 * float(c.weight) / total  # type: ignore[attr-defined]
    return criteria


def ranking(
    scorecard: Scorecard, *, kind: int | None = None, q: str = "", sort: str = "rank"
) -> QuerySet[OrganisationScore]:
    """The scorecard's scores, filtered by kind and by a search without accents."""
    qs = scorecard.scores.select_related("kind")
    if kind is not None:
        qs = qs.filter(kind_id=kind)
    for term in search_terms(q):
        qs = qs.filter(search_name__contains=term)
    if sort == "-total":
        return qs.order_by(F("total").desc(nulls_last=True), "organisation_name", "pk")
    if sort == "total":
        return qs.order_by(F("total").asc(nulls_last=True), "organisation_name", "pk")
    if sort == "name":
        return qs.order_by("search_name", "pk")
    return qs.order_by(
        "kind__order", "kind_id", F("rank").asc(nulls_last=True), "search_name", "pk"
    )


@dataclass
class Part:
    metric: str
    label: str
    formula: str
    value: float | None
    weight: float
    share: float
    median: float | None
    detail: dict[str, float]

    @property
    def contribution(self) -> float | None:
        return None if self.value is None else self.value * self.share

    @property
    def share_pct(self) -> float:
        return 100.0 * self.share

    @property
    def detail_rows(self) -> list[tuple[str, float]]:
        # In the labels' order: PostgreSQL's jsonb does not keep the keys' order.
        known = [key for key in DETAIL_LABELS if key in self.detail]
        others = sorted(key for key in self.detail if key not in DETAIL_LABELS)
        return [(str(DETAIL_LABELS.get(key, key)), self.detail[key]) for key in known + others]


@dataclass
class Breakdown:
    score: OrganisationScore
    parts: list[Part]
    kind_count: int
    ranked_count: int
    median_total: float | None
    grade: str
    grade_reasons: list[str]

    @property
    def missing_labels(self) -> list[str]:
        return [p.label for p in self.parts if p.value is None]


def get_score(user: Any, scorecard: Scorecard, organisation_pk: int) -> OrganisationScore:
    """One organisation's score: 404 when the organisation is invisible to `user` (or not
    scored); managers of the scorecard read every organisation's."""
    score = (
        scorecard.scores.select_related("organisation", "kind")
        .filter(organisation_id=organisation_pk)
        .first()
    )
    if score is None:
        raise Http404
    if not may_manage(user, scorecard):
        access.require(user, Perm.ORG_VIEW, score.organisation)
    return score


def breakdown(scorecard: Scorecard, score: OrganisationScore) -> Breakdown:
    medians = scorecard.medians.get(str(score.kind_id), {})
    parts = []
    for criterion in criteria_of(scorecard):
        part = score.parts.get(criterion.metric, {})
        value = part.get("value")
        parts.append(
            Part(
                metric=criterion.metric,
                label=criterion.display_label,
                formula=criterion.formula,  # type: ignore[attr-defined]
                value=None if value is None else float(value),
                weight=float(part.get("weight", criterion.weight)),
                share=float(part.get("share", 0.0)),
                median=medians.get(criterion.metric),
                detail=dict(part.get("detail") or {}),
            )
        )
    same_kind = scorecard.scores.filter(kind_id=score.kind_id)
    return Breakdown(
        score=score,
        parts=parts,
        kind_count=same_kind.count(),
        ranked_count=same_kind.filter(total__isnull=False).count(),
        median_total=medians.get("total"),
        grade=scorecard.grade_display(score.grade),
        grade_reasons=grade_reasons(scorecard, score),
    )


def own_scores(user: Any, scorecard: Scorecard) -> list[OrganisationScore]:
    """The scored organisations the user works in or supervises (a head's shortcut)."""
    visible = access.visible_organisations(user).values("pk")
    return list(scorecard.scores.filter(organisation__in=visible).order_by("search_name")[:20])


def grade_reasons(scorecard: Scorecard, score: OrganisationScore) -> list[str]:
    """Why the grade is lower than the total alone gives: each condition missed."""
    return [
        _(
            "Không xếp loại “%(grade)s” vì %(metric)s đạt %(value)s, dưới ngưỡng %(min)s "
            "của mức này."
        )
        % {
            "grade": scorecard.grade_display(note["grade"]),
            "metric": metric_label(note["metric"]),
            "value": number_format(note["value"], 2),
            "min": number_format(note["min"], 0),
        }
        for note in score.grade_notes
    ]


def missing_labels(scorecard: Scorecard, scores: Iterable[OrganisationScore]) -> None:
    """Attach to each score of a page `missing_labels` (criteria without data), and its
    grade as shown (`grade_display`, in the user's language) with `grade_reasons`."""
    labels = {c.metric: c.display_label for c in scorecard.criteria.all()}
    for score in scores:
        score.missing_labels = [labels.get(m, m) for m in score.missing]  # type: ignore[attr-defined]
        score.grade_display = scorecard.grade_display(score.grade)  # type: ignore[attr-defined]
        score.grade_reasons = grade_reasons(scorecard, score)  # type: ignore[attr-defined]

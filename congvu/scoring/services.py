"""Writes on scorecards: create, edit, compute, publish, copy as a new version, delete.

Each function checks SCORE_MANAGE on the scorecard's organisation through
access.py, runs in one transaction and writes one audit event.

The score (docs/decisions.md): for an organisation with a value v_i (0–100) for
the criteria i it has data for, total = Σ w_i·v_i / Σ w_i over those criteria
only — the weights of the criteria without data are left out and the others
renormalised, and the page lists what was missing. With fewer criteria with
data than `Scorecard.needed_criteria` (default: half), the organisation is
"not enough data": no total, no rank, no grade. Ranks are per organisation
kind, by total (rounded to 0.01) descending; equal totals share a rank (1, 2,
2, 4).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BigIntegerField, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.accounts.models import User
from congvu.audit.services import record
from congvu.core import pdf_exports
from congvu.core.text import fold
from congvu.organisations.models import Organisation, OrganisationKind, OrganisationVersion

from .metrics import REGISTRY, Period
from .models import Criterion, OrganisationScore, Scorecard

S = Scorecard.Status

NAME_MAX: Final = 255
LABEL_MAX: Final = 200
MAX_CRITERIA: Final = 20
MAX_CONDITIONS: Final = 5
WEIGHT_MAX: Final = Decimal("1000")
YEAR_MIN: Final = 2000
YEAR_MAX: Final = 2100
GRADE_LABEL_MAX: Final = 120


@dataclass(frozen=True)
class CriterionIn:
    metric: str
    weight: Decimal | int | float | str
    label: str = ""


@dataclass(frozen=True)
class ConditionIn:
    """A grade's condition: the metric's value (0–100) must reach `min`."""

    metric: str
    min: Decimal | int | float | str


@dataclass(frozen=True)
class GradeIn:
    min: Decimal | int | float | str
    label: str
    label_en: str = ""
    conditions: Sequence[ConditionIn] = ()


def _weight(value: Any) -> Decimal | None:
    try:
        weight = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    if not weight.is_finite():
        return None
    return weight


def clean_criteria(criteria: Sequence[CriterionIn]) -> list[Criterion]:
    """Check the criteria (at least one, known metrics, no duplicate, weights > 0)."""
    errors: list[str] = []
    if not criteria:
        errors.append(_("Cần ít nhất một tiêu chí. / Add at least one criterion."))
    if len(criteria) > MAX_CRITERIA:
        errors.append(
            _("Nhiều nhất %(n)d tiêu chí. / At most %(n)d criteria.") % {"n": MAX_CRITERIA}
        )
    seen: set[str] = set()
    rows: list[Criterion] = []
    for order, item in enumerate(criteria):
        metric = REGISTRY.get(item.metric)
        if metric is None:
            errors.append(
                _("Chỉ số không có: %(code)s. / Unknown metric: %(code)s.")
                % {"code": item.metric[:40]}
            )
            continue
        if item.metric in seen:
            errors.append(
                _("Chỉ số “%(label)s” được chọn hai lần. / Metric “%(label)s” is chosen twice.")
                % {"label": metric.label}
            )
            continue
        seen.add(item.metric)
        weight = _weight(item.weight)
        if weight is None or weight <= 0 or weight > WEIGHT_MAX:
            errors.append(
                _(
                    "Trọng số của “%(label)s” phải lớn hơn 0 và không quá 1000. / The weight "
                    "of “%(label)s” must be above 0 and at most 1000."
                )
                % {"label": metric.label}
            )
            continue
        label = (item.label or "").strip()
        if len(label) > LABEL_MAX or "\x00" in label:
            errors.append(_("Tên tiêu chí quá dài. / The criterion's label is too long."))
            continue
        rows.append(
            Criterion(
                metric=item.metric,
                weight=weight.quantize(Decimal("0.01")),
                label=label,
                order=order,
            )
        )
    if errors:
        raise ValidationError({"criteria": errors})
    return rows


def _clean_conditions(grade: GradeIn, errors: list[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    if len(grade.conditions) > MAX_CONDITIONS:
        errors.append(
            _("Mỗi mức xếp loại có nhiều nhất %(n)d điều kiện. / At most %(n)d conditions a grade.")
            % {"n": MAX_CONDITIONS}
        )
        return rows
    for condition in grade.conditions:
        if condition.metric not in REGISTRY:
            errors.append(
                _("Chỉ số không có: %(code)s. / Unknown metric: %(code)s.")
                % {"code": str(condition.metric)[:40]}
            )
            continue
        threshold = _weight(condition.min)
        if threshold is None or threshold < 0 or threshold > 100:
            errors.append(
                _(
                    "Ngưỡng của điều kiện phải từ 0 đến 100. / A condition's threshold must be "
                    "0 to 100."
                )
            )
            continue
        rows.append({"metric": condition.metric, "min": float(threshold)})
    return rows


def clean_grades(grades: Sequence[GradeIn]) -> list[dict[str, Any]]:
    """Grades from the highest threshold down; the lowest must start at 0 and have no
    condition (an organisation that misses every condition still gets a grade)."""
    errors: list[str] = []
    rows: list[dict[str, Any]] = []
    for grade in grades:
        threshold = _weight(grade.min)
        label = (grade.label or "").strip()
        label_en = (grade.label_en or "").strip()
        if threshold is None or threshold < 0 or threshold > 100:
            errors.append(
                _("Ngưỡng xếp loại phải từ 0 đến 100. / A grade's threshold must be 0 to 100.")
            )
            continue
        if not label or len(label) > GRADE_LABEL_MAX or "\x00" in label:
            errors.append(_("Nhập tên xếp loại. / Enter the grade's name."))
            continue
        if len(label_en) > GRADE_LABEL_MAX or "\x00" in label_en:
            errors.append(_("Tên tiếng Anh của xếp loại quá dài. / The English label is too long."))
            continue
        row: dict[str, Any] = {"min": float(threshold), "label": label}
        if label_en:
            row["label_en"] = label_en
        conditions = _clean_conditions(grade, errors)
        if conditions:
            row["conditions"] = conditions
        rows.append(row)
    rows.sort(key=lambda row: -row["min"])
    if not errors:
        if not rows:
            errors.append(_("Cần ít nhất một mức xếp loại. / Add at least one grade."))
        elif rows[-1]["min"] != 0:
            errors.append(_("Mức thấp nhất phải có ngưỡng 0. / The lowest grade must start at 0."))
        elif len({row["min"] for row in rows}) != len(rows):
            errors.append(_("Hai mức xếp loại trùng ngưỡng. / Two grades have the same threshold."))
        elif rows[-1].get("conditions"):
            errors.append(
                _(
                    "Mức thấp nhất không có điều kiện (không còn mức nào thấp hơn). / The "
                    "lowest grade takes no condition (there is no lower grade)."
                )
            )
    if errors:
        raise ValidationError({"grades": errors})
    return rows


def grades_in(grades: Sequence[dict[str, Any]]) -> list[GradeIn]:
    """Stored grades as input again (a new version copies them)."""
    return [
        GradeIn(
            g["min"],
            g["label"],
            g.get("label_en", ""),
            [ConditionIn(c["metric"], c["min"]) for c in g.get("conditions") or []],
        )
        for g in grades
    ]


def _check_fields(
    *,
    name: str,
    period_start: dt.date | None,
    period_end: dt.date | None,
    kinds: Sequence[OrganisationKind],
    min_criteria: int | None,
    criteria_count: int,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not name.strip() or len(name) > NAME_MAX:
        errors["name"] = _("Nhập tên bảng điểm. / Enter the scorecard's name.")
    for key, day in (("period_start", period_start), ("period_end", period_end)):
        if not isinstance(day, dt.date) or not YEAR_MIN <= day.year <= YEAR_MAX:
            errors[key] = _(
                "Nhập ngày trong các năm 2000–2100. / Enter a date between 2000 and 2100."
            )
    if "period_start" not in errors and "period_end" not in errors:
        assert period_start is not None and period_end is not None
        if period_end < period_start:
            errors["period_end"] = _(
                "Ngày kết thúc phải sau ngày bắt đầu. / The end must be after the start."
            )
    if not kinds:
        errors["kinds"] = _("Chọn ít nhất một loại cơ quan. / Choose at least one kind.")
    elif any(kind.is_division for kind in kinds):
        errors["kinds"] = _(
            "Không chấm điểm phòng, bộ phận. / Divisions are not scored on their own."
        )
    if min_criteria is not None and not 1 <= min_criteria <= max(criteria_count, 1):
        errors["min_criteria"] = _(
            "Số tiêu chí tối thiểu phải từ 1 đến số tiêu chí. / The minimum must be between "
            "1 and the number of criteria."
        )
    return errors


def _checked_rules(
    *,
    name: str,
    period_start: dt.date | None,
    period_end: dt.date | None,
    kinds: Sequence[OrganisationKind],
    min_criteria: int | None,
    criteria: Sequence[CriterionIn],
    grades: Sequence[GradeIn] | None,
) -> tuple[list[Criterion], list[dict[str, Any]] | None]:
    """A scorecard's rules checked all at once: the criteria rows (unsaved) and the grades
    (None: not given), or one ValidationError naming every wrong field."""
    errors: dict[str, Any] = dict(
        _check_fields(
            name=name,
            period_start=period_start,
            period_end=period_end,
            kinds=kinds,
            min_criteria=min_criteria,
            criteria_count=len(criteria),
        )
    )
    rows: list[Criterion] = []
    grade_rows: list[dict[str, Any]] | None = None
    try:
        rows = clean_criteria(criteria)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if grades is not None:
        try:
            grade_rows = clean_grades(grades)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return rows, grade_rows


@transaction.atomic
def create_scorecard(
    organisation: Organisation,
    *,
    actor: User,
    name: str,
    period_start: dt.date | None,
    period_end: dt.date | None,
    kinds: Sequence[OrganisationKind],
    criteria: Sequence[CriterionIn],
    grades: Sequence[GradeIn] | None = None,
    min_criteria: int | None = None,
    description: str = "",
    previous: Scorecard | None = None,
) -> Scorecard:
    access.require(actor, Perm.SCORE_MANAGE, organisation)
    rows, grade_rows = _checked_rules(
        name=name,
        period_start=period_start,
        period_end=period_end,
        kinds=kinds,
        min_criteria=min_criteria,
        criteria=criteria,
        grades=grades,
    )
    assert period_start is not None and period_end is not None
    scorecard = Scorecard.objects.create(
        name=name.strip(),
        organisation=organisation,
        period_start=period_start,
        period_end=period_end,
        min_criteria=min_criteria,
        description=description.strip(),
        created_by=actor,
        previous=previous,
        **({"grades": grade_rows} if grade_rows is not None else {}),
    )
    scorecard.kinds.set(kinds)
    for row in rows:
        row.scorecard = scorecard
    Criterion.objects.bulk_create(rows)
    record(
        "scorecard.create",
        actor=actor,
        obj=scorecard,
        organisation=organisation,
        summary=f"Bảng điểm {scorecard.name}",
        data={"criteria": {row.metric: str(row.weight) for row in rows}},
    )
    return scorecard


def _locked(scorecard: Scorecard, actor: User) -> Scorecard:
    locked = (
        Scorecard.objects.select_for_update().select_related("organisation").get(pk=scorecard.pk)
    )
    access.require(actor, Perm.SCORE_MANAGE, locked.organisation)
    return locked


def _refuse_published(scorecard: Scorecard) -> None:
    if scorecard.is_published:
        raise ValidationError(
            _(
                "Bảng điểm đã công bố không thể thay đổi; hãy tạo phiên bản mới. / A "
                "published scorecard cannot change; make a new version."
            )
        )


@transaction.atomic
def update_scorecard(
    scorecard: Scorecard,
    *,
    actor: User,
    name: str,
    period_start: dt.date | None,
    period_end: dt.date | None,
    kinds: Sequence[OrganisationKind],
    criteria: Sequence[CriterionIn],
    grades: Sequence[GradeIn],
    min_criteria: int | None = None,
    description: str = "",
) -> Scorecard:
    """Change the rules; a computed scorecard goes back to draft (its scores no longer
    follow its rules)."""
    scorecard = _locked(scorecard, actor)
    _refuse_published(scorecard)
    rows, grade_rows = _checked_rules(
        name=name,
        period_start=period_start,
        period_end=period_end,
        kinds=kinds,
        min_criteria=min_criteria,
        criteria=criteria,
        grades=grades,
    )
    assert period_start is not None and period_end is not None and grade_rows is not None
    was = scorecard.status
    scorecard.name = name.strip()
    scorecard.period_start = period_start
    scorecard.period_end = period_end
    scorecard.min_criteria = min_criteria
    scorecard.description = description.strip()
    scorecard.grades = grade_rows
    scorecard.status = S.DRAFT
    scorecard.medians = {}
    scorecard.computed_at = None
    scorecard.computed_as_of = None
    scorecard.save()
    scorecard.kinds.set(kinds)
    scorecard.criteria.all().delete()
    for row in rows:
        row.scorecard = scorecard
    Criterion.objects.bulk_create(rows)
    scorecard.scores.all().delete()
    record(
        "scorecard.update",
        actor=actor,
        obj=scorecard,
        organisation=scorecard.organisation,
        summary=f"Sửa bảng điểm {scorecard.name}",
        data={"from": was, "criteria": {row.metric: str(row.weight) for row in rows}},
    )
    return scorecard


def scored_organisations(scorecard: Scorecard, day: dt.date | None = None) -> Any:
    """The organisations a scorecard scores: in its organisation's subtree, in existence at
    some time during the period, and of its kinds as they were on `day` (the period's end,
    or today while the period runs).

    The tree is dated: an organisation's kind, and its name, are read from the
    `OrganisationVersion` in force on `day` (for one dissolved before it, its last
    version), so a town that became a commune in July 2025 is ranked with the towns
    for 2024. They are annotated as `period_kind` and `period_name`; an organisation
    without versions falls back to its current kind and name.
    """
    day = day or min(scorecard.period_end, timezone.localdate())
    then = OrganisationVersion.objects.filter(
        organisation=OuterRef("pk"), valid_from__lte=day
    ).order_by("-valid_from")
    return (
        Organisation.objects.subtree_of(scorecard.organisation)
        .filter(valid_from__lte=scorecard.period_end)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=scorecard.period_start))
        .annotate(
            period_kind=Coalesce(
                Subquery(then.values("kind_id")[:1]), F("kind_id"), output_field=BigIntegerField()
            ),
            period_name=Coalesce(Subquery(then.values("name")[:1]), F("name")),
        )
        .filter(
            period_kind__in=scorecard.kinds.filter(is_division=False).values("pk"),
        )
    )


def _rank(scores: list[OrganisationScore]) -> None:
    """Competition ranking per kind: equal totals (to 0.01) share a rank."""
    by_kind: dict[int, list[OrganisationScore]] = defaultdict(list)
    for score in scores:
        if score.total is not None:
            by_kind[score.kind_id].append(score)
    for rows in by_kind.values():
        rows.sort(key=lambda s: (-(s.total or 0.0), fold(s.organisation_name)))
        previous: float | None = None
        rank = 0
        for position, score in enumerate(rows, start=1):
            if score.total != previous:
                rank = position
                previous = score.total
            score.rank = rank


def _medians(scores: list[OrganisationScore], metrics: list[str]) -> dict[str, dict[str, float]]:
    values: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for score in scores:
        kind = values[score.kind_id]
        if score.total is not None:
            kind["total"].append(score.total)
        for metric in metrics:
            value = score.parts.get(metric, {}).get("value")
            if value is not None:
                kind[metric].append(float(value))
    return {
        str(kind_id): {
            key: round(statistics.median(found), 2) for key, found in kind.items() if found
        }
        for kind_id, kind in values.items()
    }


@transaction.atomic
def compute(scorecard: Scorecard, *, actor: User, today: dt.date | None = None) -> int:
    """Compute every organisation's score; returns how many organisations were scored.

    Each metric runs once for all the organisations (a few set-based queries), then
    the totals, ranks and grades are put together in Python and written in bulk."""
    scorecard = _locked(scorecard, actor)
    _refuse_published(scorecard)
    criteria = list(scorecard.criteria.all())
    if not criteria:
        raise ValidationError(_("Cần ít nhất một tiêu chí. / Add at least one criterion."))
    today = today or timezone.localdate()
    as_of = min(scorecard.period_end, today)
    if as_of < scorecard.period_start:
        raise ValidationError(
            _("Kỳ chấm điểm chưa bắt đầu. / The scorecard's period has not started yet.")
        )
    period = Period(scorecard.period_start, scorecard.period_end, as_of)
    orgs_qs = scored_organisations(scorecard, as_of)
    orgs = list(orgs_qs.values_list("pk", "period_name", "code", "period_kind", "name"))
    # The grades' conditions may name a metric that is not a weighted criterion.
    metrics = [c.metric for c in criteria] + sorted(
        scorecard.condition_metrics() - {c.metric for c in criteria}
    )
    found = {m: REGISTRY[m].compute(period, orgs_qs) for m in metrics if m in REGISTRY}
    needed = scorecard.needed_criteria(len(criteria))
    scores: list[OrganisationScore] = []
    for pk, name, code, kind_id, current_name in orgs:
        parts: dict[str, Any] = {}
        missing: list[str] = []
        used = sum((c.weight for c in criteria if pk in found.get(c.metric, {})), Decimal(0))
        weighted = 0.0
        for c in criteria:
            value = found.get(c.metric, {}).get(pk)
            if value is None:
                missing.append(c.metric)
                parts[c.metric] = {"value": None, "weight": float(c.weight), "share": 0.0}
                continue
            share = float(c.weight / used) if used else 0.0
            weighted += share * value.value
            parts[c.metric] = {
                "value": value.value,
                "weight": float(c.weight),
                "share": round(share, 6),
                "detail": value.detail,
            }
        with_data = len(criteria) - len(missing)
        total = round(weighted, 2) if with_data >= needed and used else None
        grade: str = ""
        notes: list[dict[str, Any]] = []
        if total is not None:
            values = {m: (v.value if (v := found[m].get(pk)) else None) for m in found}
            grade, notes = scorecard.grading(total, values)
        scores.append(
            OrganisationScore(
                scorecard=scorecard,
                organisation_id=pk,
                organisation_name=name,
                organisation_code=code,
                # Found by the name it had then and by the one it has now.
                search_name=fold(
                    f"{name} {code}" if name == current_name else f"{name} {current_name} {code}"
                )[:400],
                kind_id=kind_id,
                total=total,
                grade=grade,
                grade_notes=notes,
                with_data=with_data,
                parts=parts,
                missing=missing,
            )
        )
    _rank(scores)
    scorecard.scores.all().delete()
    OrganisationScore.objects.bulk_create(scores, batch_size=500)
    scorecard.medians = _medians(scores, [c.metric for c in criteria])
    scorecard.status = S.COMPUTED
    scorecard.computed_at = timezone.now()
    scorecard.computed_as_of = as_of
    scorecard.save(
        update_fields=["medians", "status", "computed_at", "computed_as_of", "updated_at"]
    )
    ranked = sum(1 for s in scores if s.total is not None)
    record(
        "scorecard.compute",
        actor=actor,
        obj=scorecard,
        organisation=scorecard.organisation,
        summary=f"Tính điểm {scorecard.name}: {len(scores)} cơ quan, {ranked} được xếp hạng",
        data={"organisations": len(scores), "ranked": ranked, "as_of": as_of.isoformat()},
    )
    return len(scores)


@transaction.atomic
def publish(scorecard: Scorecard, *, actor: User) -> Scorecard:
    """Freeze the scores and show the ranking on the public page."""
    scorecard = _locked(scorecard, actor)
    _refuse_published(scorecard)
    if scorecard.status != S.COMPUTED:
        raise ValidationError(
            _("Hãy tính điểm trước khi công bố. / Compute the scores before publishing.")
        )
    scorecard.status = S.PUBLISHED
    scorecard.published_at = timezone.now()
    scorecard.save(update_fields=["status", "published_at", "updated_at"])
    record(
        "scorecard.publish",
        actor=actor,
        obj=scorecard,
        organisation=scorecard.organisation,
        summary=f"Công bố xếp hạng {scorecard.name}",
        data={"organisations": scorecard.scores.count()},
    )
    return scorecard


@transaction.atomic
def delete_scorecard(scorecard: Scorecard, *, actor: User) -> None:
    """Delete a draft or computed scorecard with its scores; a published ranking is a
    record and stays (make a new version instead)."""
    scorecard = _locked(scorecard, actor)
    if scorecard.is_published:
        raise ValidationError(
            _("Bảng điểm đã công bố không thể xóa. / A published scorecard cannot be deleted.")
        )
    record(
        "scorecard.delete",
        actor=actor,
        obj=scorecard,
        organisation=scorecard.organisation,
        summary=f"Xóa bảng điểm {scorecard.name}",
        data={
            "name": scorecard.name,
            "status": scorecard.status,
            "scores": scorecard.scores.count(),
            "criteria": {c.metric: str(c.weight) for c in scorecard.criteria.all()},
        },
    )
    # The rows of its PDFs go with it (cascade); their files once that is committed.
    pdf_exports.forget_files(list(scorecard.pdf_exports.all()))
    scorecard.delete()


@transaction.atomic
def new_version(scorecard: Scorecard, *, actor: User) -> Scorecard:
    """A draft copy of `scorecard` (rules, kinds, criteria) to change and compute again."""
    access.require(actor, Perm.SCORE_MANAGE, scorecard.organisation)
    suffix = _(" (phiên bản mới)")
    copy = create_scorecard(
        scorecard.organisation,
        actor=actor,
        name=(scorecard.name[: NAME_MAX - len(suffix)] + suffix),
        period_start=scorecard.period_start,
        period_end=scorecard.period_end,
        kinds=list(scorecard.kinds.all()),
        criteria=[CriterionIn(c.metric, c.weight, c.label) for c in scorecard.criteria.all()],
        grades=grades_in(scorecard.grades),
        min_criteria=scorecard.min_criteria,
        description=scorecard.description,
        previous=scorecard,
    )
    return copy

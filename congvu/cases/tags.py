"""Tags on cases (nhãn): the province's list, and the tags handlers put on a case.

The list is provincial data, kept like the case rules by those holding
CASE_RULES_MANAGE on the province's root (`rules.require_manage`): a name (unique
in the province whatever its accents), a colour from a small fixed palette, an
active flag (an inactive tag stays on the cases that have it, but is no longer
offered). Handlers (CASE_HANDLE on the handling organisation) put the province's
active tags on a case and take any off; each change is a timeline entry for the
handlers only. Tags are never shown to the reporter, the staff member concerned or
the public.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from congvu.audit.services import record
from congvu.core.text import bounded, fold
from congvu.organisations.models import Organisation

from . import history, rules, timeline
from .models import Case, CaseEvent, CaseTag
from .visibility import require_handler

NAME_MAX: Final = 60
K = CaseEvent.Kind
A = CaseEvent.Audience


def province_of(organisation: Organisation) -> int:
    """The root of `organisation`'s tree (the province whose tags apply)."""
    return organisation.ancestor_ids()[0]


def of_province(province_id: int) -> QuerySet[CaseTag]:
    return CaseTag.objects.filter(province_id=province_id)


def offered(case: Case) -> QuerySet[CaseTag]:
    """The tags a handler may choose from on `case`: the active ones of its province,
    and those already on it (so that an inactive one can be taken off)."""
    province = province_of(case.handling_organisation)
    on_case = case.tags.values("pk")
    return of_province(province).filter(is_active=True) | of_province(province).filter(
        pk__in=on_case
    )


# --- the province's list ----------------------------------------------------------------------


def _clean_name(name: Any) -> tuple[str, str]:
    text = bounded(name, NAME_MAX, "name")
    if not text:
        raise ValidationError({"name": _("Nhập tên nhãn. / Enter the tag's name.")})
    return text, fold(text)[:NAME_MAX]


def _check_colour(colour: str) -> None:
    if colour not in CaseTag.Colour.values:
        raise ValidationError({"colour": _("Chọn một màu trong bảng. / Choose a listed colour.")})


def _taken() -> ValidationError:
    return ValidationError(
        {
            "name": _(
                "Tỉnh đã có nhãn cùng tên (không kể dấu). / The province already has a tag with "
                "this name (accents aside)."
            )
        }
    )


def _save(tag: CaseTag) -> None:
    if of_province(tag.province_id).filter(name_folded=tag.name_folded).exclude(pk=tag.pk).exists():
        raise _taken()
    try:
        with transaction.atomic():
            tag.save()
    except IntegrityError:  # the same name saved at the same moment by someone else
        raise _taken() from None


@transaction.atomic
def create_tag(
    *, actor: Any, name: str, colour: str = CaseTag.Colour.GREY, is_active: bool = True
) -> CaseTag:
    root = rules.require_manage(actor)
    text, folded = _clean_name(name)
    _check_colour(colour)
    tag = CaseTag(province=root, name=text, name_folded=folded, colour=colour, is_active=is_active)
    _save(tag)
    record(
        "cases.tag_create",
        actor=actor,
        obj=tag,
        organisation=root,
        summary=tag.name,
        data={"name": tag.name, "colour": tag.colour, "is_active": tag.is_active},
    )
    return tag


@transaction.atomic
def update_tag(
    tag: CaseTag,
    *,
    actor: Any,
    name: str | None = None,
    colour: str | None = None,
    is_active: bool | None = None,
) -> CaseTag:
    root = rules.require_manage(actor)
    tag = CaseTag.objects.select_for_update().get(pk=tag.pk)
    if tag.province_id != root.pk:
        raise PermissionDenied
    before = {"name": tag.name, "colour": tag.colour, "is_active": tag.is_active}
    if name is not None:
        tag.name, tag.name_folded = _clean_name(name)
    if colour is not None:
        _check_colour(colour)
        tag.colour = colour
    if is_active is not None:
        tag.is_active = bool(is_active)
    _save(tag)
    after = {"name": tag.name, "colour": tag.colour, "is_active": tag.is_active}
    record(
        "cases.tag_update",
        actor=actor,
        obj=tag,
        organisation=root,
        summary=tag.name,
        data={"before": before, "after": after},
    )
    return tag


# --- tags on a case ---------------------------------------------------------------------------


def _names(tags: Iterable[CaseTag]) -> str:
    return ", ".join(sorted((t.name for t in tags), key=fold))


@timeline.in_vietnamese
@transaction.atomic
def set_tags(case: Case, *, tag_ids: Iterable[int], actor: Any) -> Case:
    """Make `case`'s tags exactly `tag_ids` (of its province; added ones must be active)."""
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("handling_organisation")
        .get(pk=case.pk)
    )
    require_handler(actor, case)
    wanted = set(tag_ids)
    province = province_of(case.handling_organisation)
    found = {tag.pk: tag for tag in of_province(province).filter(pk__in=wanted)}
    unknown = sorted(wanted - set(found))
    if unknown:
        raise ValidationError(
            {
                "tags": _("Không tìm thấy nhãn: %(ids)s. / Unknown tags: %(ids)s.")
                % {"ids": ", ".join(map(str, unknown))}
            }
        )
    current = {tag.pk: tag for tag in case.tags.all()}
    added = [found[pk] for pk in wanted - set(current)]
    removed = [current[pk] for pk in set(current) - wanted]
    inactive = [tag for tag in added if not tag.is_active]
    if inactive:
        raise ValidationError(
            {
                "tags": _("Nhãn không còn dùng: %(names)s. / Tags no longer in use: %(names)s.")
                % {"names": _names(inactive)}
            }
        )
    case.tags.add(*added)
    case.tags.remove(*removed)
    for changed, message, action, key in (
        (added, history.TAGS_ADDED, "case.tag", "added"),
        (removed, history.TAGS_REMOVED, "case.untag", "removed"),
    ):
        if changed:
            timeline.add(
                case,
                kind=K.TAGGED,
                actor=actor,
                action=action,
                audience=A.INTERNAL,
                body=message.write(tags=_names(changed)),
                data={key: sorted(t.pk for t in changed)},
            )
    return case

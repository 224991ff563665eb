"""Every write on the code-of-conduct catalogue: checked, atomic, audited.

Only drafts are edited. An active version is what citizens rate and inspectors
check against, and ratings, cases and findings point at its clauses, so it is
read-only; a change is a new draft (copied from it) that replaces it on
activation.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.audit.services import record
from congvu.organisations.models import Organisation

from .models import Clause, CodeVersion, Section

SEED_CATALOGUE = Path(__file__).resolve().parent / "data" / "seed_catalogue.json"

SECTION_FIELDS = ("code", "title", "intro", "order", "is_incomplete", "note")
CLAUSE_FIELDS = (
    "code",
    "short_title",
    "short_title_en",
    "text",
    "plain_text",
    "plain_text_en",
    "applies_to",
    "rateable",
    "rating_question",
    "rating_question_en",
    "rating_yes_is_breach",
    "observable",
    "default_severity",
    "keywords",
    "order",
    "is_incomplete",
    "note",
)
VERSION_FIELDS = ("title", "version", "source_document", "note")


def _require(actor: Any, scope: Organisation) -> None:
    # actor=None is a system job (demo loader, management command, migration).
    if actor is not None:
        access.require(actor, Perm.CATALOGUE_MANAGE, scope)


def _locked(version: CodeVersion) -> CodeVersion:
    return CodeVersion.objects.select_for_update().select_related("scope").get(pk=version.pk)


def _require_draft(version: CodeVersion) -> None:
    if version.status != CodeVersion.Status.DRAFT:
        raise ValidationError(
            _(
                "Chỉ sửa được bộ quy tắc ở trạng thái dự thảo; hãy tạo dự thảo mới từ phiên bản "
                "này. / Only draft versions can be edited; create a new draft from this version."
            ),
            code="not_draft",
        )


def _check_version_label(scope: Organisation, label: str, *, exclude_pk: int | None = None) -> str:
    label = label.strip()
    if not label:
        raise ValidationError(
            {"version": _("Vui lòng nhập phiên bản. / Please enter a version label.")}
        )
    clash = CodeVersion.objects.filter(scope=scope, version=label)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError(
            {
                "version": _(
                    "Phạm vi này đã có phiên bản %(label)s. / "
                    "This scope already has version %(label)s."
                )
                % {"label": label}
            }
        )
    return label


def _audit(
    action: str, *, actor: Any, version: CodeVersion, obj: Any, summary: str, **data: Any
) -> None:
    record(
        f"conduct.{action}",
        actor=actor,
        obj=obj,
        organisation=version.scope,
        summary=summary,
        data={"version": version.pk, **data},
    )


# --- Versions -------------------------------------------------------------------------------


def _copy_contents(source: CodeVersion, target: CodeVersion) -> None:
    """Deep-copy sections and clauses (children after their parents) into `target`."""
    for section in source.sections.order_by("order", "code"):
        new_section = Section.objects.create(
            version=target, **{f: getattr(section, f) for f in SECTION_FIELDS}
        )
        new_ids: dict[int, Clause] = {}
        # Parents first: a child's parent must exist before the child is copied.
        # NULLs sort first on SQLite but last on PostgreSQL, so say it explicitly.
        parents_first = F("parent_id").asc(nulls_first=True)
        for clause in section.clauses.order_by(parents_first, "order", "code"):
            copy = Clause(
                section=new_section,
                parent=new_ids.get(clause.parent_id) if clause.parent_id else None,
                **{f: getattr(clause, f) for f in CLAUSE_FIELDS},
            )
            copy.refresh_search_text()
            copy.save()
            new_ids[clause.pk] = copy


def _may_read(actor: Any, version: CodeVersion) -> bool:
    if actor is None or version.status != CodeVersion.Status.DRAFT:
        return True
    return access.can(actor, Perm.CATALOGUE_MANAGE, version.scope)


@transaction.atomic
def create_draft(
    scope: Organisation,
    *,
    actor: Any,
    title: str,
    version: str,
    based_on: CodeVersion | None = None,
    is_supplement: bool | None = None,
    source_document: str = "",
    note: str = "",
) -> CodeVersion:
    """A new draft for `scope`, optionally a deep copy of `based_on`.

    A draft on the root of the tree is the provincial catalogue; on any other
    organisation it is, by default, that organisation's supplement. A base
    (non-supplement) catalogue below the root replaces the provincial one for
    that subtree, so it needs the catalogue right on the parent too.
    """
    _require(actor, scope)
    if is_supplement is None:
        is_supplement = scope.parent_id is not None
    if is_supplement and scope.parent_id is None:
        raise ValidationError(
            {
                "scope": _(
                    "Bộ quy tắc của tỉnh không thể là bản bổ sung. / "
                    "The provincial catalogue cannot be a supplement."
                )
            }
        )
    if (
        not is_supplement
        and scope.parent is not None
        and actor is not None
        and not access.can(actor, Perm.CATALOGUE_MANAGE, scope.parent)
    ):
        raise PermissionDenied
    if based_on is not None and not _may_read(actor, based_on):
        raise PermissionDenied
    title = " ".join(title.split())
    if not title:
        raise ValidationError({"title": _("Vui lòng nhập tên. / Please enter a title.")})
    label = _check_version_label(scope, version)
    code_version = CodeVersion.objects.create(
        scope=scope,
        is_supplement=is_supplement,
        title=title,
        version=label,
        source_document=source_document.strip() or (based_on.source_document if based_on else ""),
        note=note.strip(),
        based_on=based_on,
    )
    if based_on is not None:
        _copy_contents(based_on, code_version)
    _audit(
        "version.create",
        actor=actor,
        version=code_version,
        obj=code_version,
        summary=f"{code_version.title} ({code_version.version})",
        based_on=based_on.pk if based_on else None,
        is_supplement=is_supplement,
    )
    return code_version


@transaction.atomic
def edit_version(code_version: CodeVersion, /, *, actor: Any, **fields: Any) -> CodeVersion:
    """Change a draft's title, version label (`version=`), source document or note."""
    version = _locked(code_version)
    _require(actor, version.scope)
    _require_draft(version)
    unknown = set(fields) - set(VERSION_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    if "version" in fields:
        fields["version"] = _check_version_label(
            version.scope, fields["version"], exclude_pk=version.pk
        )
    if "title" in fields:
        fields["title"] = " ".join(str(fields["title"]).split())
        if not fields["title"]:
            raise ValidationError({"title": _("Vui lòng nhập tên. / Please enter a title.")})
    changed = {k: v for k, v in fields.items() if getattr(version, k) != v}
    for key, value in changed.items():
        setattr(version, key, value)
    version.full_clean(exclude=["scope", "based_on"])
    version.save()
    _audit(
        "version.edit",
        actor=actor,
        version=version,
        obj=version,
        summary=str(version),
        changed=sorted(changed),
    )
    return version


@transaction.atomic
def delete_draft(version: CodeVersion, *, actor: Any) -> None:
    version = _locked(version)
    _require(actor, version.scope)
    _require_draft(version)
    _audit("version.delete", actor=actor, version=version, obj=version, summary=str(version))
    version.delete()


@transaction.atomic
def activate(
    version: CodeVersion, *, actor: Any, effective_from: dt.date | None = None
) -> CodeVersion:
    """Bring a draft into force; the scope's active version (if any) is retired the same day."""
    version = _locked(version)
    _require(actor, version.scope)
    if version.status != CodeVersion.Status.DRAFT:
        raise ValidationError(
            _("Chỉ kích hoạt được bản dự thảo. / Only a draft can be activated."),
            code="not_draft",
        )
    if not Clause.objects.filter(section__version=version).exists():
        raise ValidationError(
            _("Bộ quy tắc chưa có chuẩn mực nào. / The catalogue has no clauses yet."),
            code="empty",
        )
    today = timezone.localdate()
    effective_from = effective_from or today
    if effective_from > today:
        raise ValidationError(
            _("Ngày áp dụng không được ở tương lai. / The effective date cannot be in the future."),
            code="future",
        )
    previous = (
        CodeVersion.objects.select_for_update()
        .filter(scope=version.scope, status=CodeVersion.Status.ACTIVE)
        .first()
    )
    if previous is not None:
        if previous.effective_from and effective_from < previous.effective_from:
            raise ValidationError(
                _(
                    "Ngày áp dụng phải sau ngày áp dụng của phiên bản đang có hiệu lực. / "
                    "The effective date must follow that of the version in force."
                ),
                code="before_previous",
            )
        previous.status = CodeVersion.Status.RETIRED
        previous.retired_on = effective_from
        # Save the retirement first: the one-active-per-scope constraint is checked per row.
        previous.save(update_fields=["status", "retired_on", "updated_at"])
    version.status = CodeVersion.Status.ACTIVE
    version.effective_from = effective_from
    version.retired_on = None
    version.save(update_fields=["status", "effective_from", "retired_on", "updated_at"])
    _audit(
        "version.activate",
        actor=actor,
        version=version,
        obj=version,
        summary=str(version),
        effective_from=effective_from,
        retired=previous.pk if previous else None,
    )
    return version


@transaction.atomic
def retire(version: CodeVersion, *, actor: Any, on: dt.date | None = None) -> CodeVersion:
    """Take an active version out of force without a replacement."""
    version = _locked(version)
    _require(actor, version.scope)
    if version.status != CodeVersion.Status.ACTIVE:
        raise ValidationError(
            _(
                "Chỉ bãi bỏ được phiên bản đang áp dụng. / "
                "Only the version in force can be retired."
            ),
            code="not_active",
        )
    version.status = CodeVersion.Status.RETIRED
    version.retired_on = on or timezone.localdate()
    version.save(update_fields=["status", "retired_on", "updated_at"])
    _audit(
        "version.retire",
        actor=actor,
        version=version,
        obj=version,
        summary=str(version),
        retired_on=version.retired_on,
    )
    return version


_activate = activate  # load_seed_catalogue's `activate` flag shadows the function


# --- Sections ------------------------------------------------------------------------------


def _clean_section(section: Section) -> None:
    section.code = section.code.strip()
    section.title = " ".join(section.title.split())
    clash = Section.objects.filter(version_id=section.version_id, code=section.code)
    if section.pk:
        clash = clash.exclude(pk=section.pk)
    if clash.exists():
        raise ValidationError(
            {"code": _("Mã mục đã có trong bộ quy tắc. / This section code already exists.")}
        )
    section.full_clean(exclude=["version"], validate_constraints=False)


@transaction.atomic
def add_section(version: CodeVersion, *, actor: Any, **fields: Any) -> Section:
    version = _locked(version)
    _require(actor, version.scope)
    _require_draft(version)
    if fields.get("order") is None:
        last = version.sections.order_by("-order").values_list("order", flat=True).first()
        fields["order"] = (last or 0) + 10
    section = Section(version=version, **{k: v for k, v in fields.items() if k in SECTION_FIELDS})
    _clean_section(section)
    section.save()
    _audit("section.add", actor=actor, version=version, obj=section, summary=str(section))
    return section


@transaction.atomic
def edit_section(section: Section, *, actor: Any, **fields: Any) -> Section:
    version = _locked(section.version)
    _require(actor, version.scope)
    _require_draft(version)
    section = Section.objects.get(pk=section.pk)
    if fields.get("order") is None:
        fields.pop("order", None)
    changed = [k for k in SECTION_FIELDS if k in fields and getattr(section, k) != fields[k]]
    for key in changed:
        setattr(section, key, fields[key])
    _clean_section(section)
    section.save()
    _audit(
        "section.edit",
        actor=actor,
        version=version,
        obj=section,
        summary=str(section),
        changed=changed,
    )
    return section


@transaction.atomic
def delete_section(section: Section, *, actor: Any) -> None:
    version = _locked(section.version)
    _require(actor, version.scope)
    _require_draft(version)
    _audit(
        "section.delete",
        actor=actor,
        version=version,
        obj=section,
        summary=str(section),
        clauses=section.clauses.count(),
    )
    section.delete()


# --- Clauses -------------------------------------------------------------------------------


def _clean_clause(clause: Clause, version: CodeVersion) -> None:
    clause.code = clause.code.strip()
    clause.short_title = " ".join(clause.short_title.split())
    clause.short_title_en = " ".join(clause.short_title_en.split())
    clause.plain_text = clause.plain_text.strip()
    clause.plain_text_en = clause.plain_text_en.strip()
    clause.keywords = ", ".join(w.strip() for w in clause.keywords.split(",") if w.strip())
    # Ratings, cases and findings cite a clause by its code, so codes are unique per version.
    clash = Clause.objects.filter(section__version=version, code=clause.code)
    if clause.pk:
        clash = clash.exclude(pk=clause.pk)
    if clash.exists():
        raise ValidationError(
            {"code": _("Mã chuẩn mực đã có trong bộ quy tắc. / This clause code already exists.")}
        )
    parent = clause.parent
    if parent is not None:
        if parent.section_id != clause.section_id:
            raise ValidationError(
                {
                    "parent": _(
                        "Điều khoản cha phải thuộc cùng mục. / "
                        "The parent clause must be in the same section."
                    )
                }
            )
        # One level of items (II.2.a → II.2.a.1) is all the catalogue needs; it also
        # rules out cycles.
        if (
            parent.parent_id is not None
            or parent.pk == clause.pk
            or (clause.pk and clause.items.exists())
        ):
            raise ValidationError(
                {
                    "parent": _(
                        "Chỉ cho phép một cấp điểm con. / Only one level of sub-items is allowed."
                    )
                }
            )
    clause.full_clean(exclude=["section", "parent"], validate_constraints=False)
    clause.refresh_search_text()


def _parent_in(section: Section, parent: Clause | int | None) -> Clause | None:
    if parent is None or isinstance(parent, Clause):
        return parent
    return Clause.objects.filter(section__version_id=section.version_id, pk=parent).first()


@transaction.atomic
def add_clause(
    section: Section, *, actor: Any, parent: Clause | None = None, **fields: Any
) -> Clause:
    version = _locked(section.version)
    _require(actor, version.scope)
    _require_draft(version)
    if fields.get("order") is None:
        last = section.clauses.order_by("-order").values_list("order", flat=True).first()
        fields["order"] = (last or 0) + 10
    if isinstance(fields.get("keywords"), list | tuple):
        fields["keywords"] = ", ".join(fields["keywords"])
    clause = Clause(
        section=section,
        parent=_parent_in(section, parent),
        **{k: v for k, v in fields.items() if k in CLAUSE_FIELDS},
    )
    _clean_clause(clause, version)
    clause.save()
    _audit("clause.add", actor=actor, version=version, obj=clause, summary=str(clause))
    return clause


_UNSET: Any = object()


@transaction.atomic
def edit_clause(
    clause: Clause, *, actor: Any, parent: Clause | None = _UNSET, **fields: Any
) -> Clause:
    version = _locked(clause.section.version)
    _require(actor, version.scope)
    _require_draft(version)
    clause = Clause.objects.select_related("section").get(pk=clause.pk)
    if isinstance(fields.get("keywords"), list | tuple):
        fields["keywords"] = ", ".join(fields["keywords"])
    if fields.get("order") is None:
        fields.pop("order", None)
    changed = [k for k in CLAUSE_FIELDS if k in fields and getattr(clause, k) != fields[k]]
    for key in changed:
        setattr(clause, key, fields[key])
    if parent is not _UNSET and parent != clause.parent:
        clause.parent = _parent_in(clause.section, parent)
        changed.append("parent")
    _clean_clause(clause, version)
    clause.save()
    _audit(
        "clause.edit",
        actor=actor,
        version=version,
        obj=clause,
        summary=str(clause),
        changed=changed,
    )
    return clause


@transaction.atomic
def delete_clause(clause: Clause, *, actor: Any) -> None:
    version = _locked(clause.section.version)
    _require(actor, version.scope)
    _require_draft(version)
    _audit(
        "clause.delete",
        actor=actor,
        version=version,
        obj=clause,
        summary=str(clause),
        items=clause.items.count(),
    )
    clause.delete()


# --- The seed ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeedCatalogue:
    """The parsed default catalogue file."""

    version: dict[str, Any]
    sections: list[dict[str, Any]]

    @classmethod
    def read(cls, path: Path = SEED_CATALOGUE) -> SeedCatalogue:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(version=data["version"], sections=data["sections"])


def _clause_fields(data: dict[str, Any]) -> dict[str, Any]:
    fields = {k: data[k] for k in CLAUSE_FIELDS if k in data}
    if isinstance(fields.get("keywords"), list):
        fields["keywords"] = ", ".join(fields["keywords"])
    return fields


@transaction.atomic
def load_seed_catalogue(*, scope: Organisation, actor: Any, activate: bool = True) -> CodeVersion:
    """Load the default catalogue (seed section II) as a version of `scope`.

    Idempotent: when `scope` already has a version with the seed's label, that
    version is returned untouched (administrators may have edited it since).
    """
    _require(actor, scope)
    seed = SeedCatalogue.read()
    existing = CodeVersion.objects.filter(scope=scope, version=seed.version["version"]).first()
    if existing is not None:
        return existing
    version = create_draft(
        scope,
        actor=actor,
        title=seed.version["title"],
        version=seed.version["version"],
        is_supplement=False,
        source_document=seed.version.get("source_document", ""),
        note=seed.version.get("note", ""),
    )
    for order, section_data in enumerate(seed.sections, start=1):
        section = add_section(
            version,
            actor=actor,
            order=order * 10,
            **{k: section_data[k] for k in SECTION_FIELDS if k in section_data},
        )
        for c_order, clause_data in enumerate(section_data.get("clauses", []), start=1):
            parent = add_clause(
                section, actor=actor, order=c_order * 10, **_clause_fields(clause_data)
            )
            for i_order, item in enumerate(clause_data.get("items", []), start=1):
                add_clause(
                    section, actor=actor, parent=parent, order=i_order, **_clause_fields(item)
                )
    if activate:
        effective = seed.version.get("effective_from")
        # The seed's own date when it is the scope's first catalogue; otherwise it
        # replaces the version in force from today.
        replaces = CodeVersion.objects.filter(
            scope=scope, status=CodeVersion.Status.ACTIVE
        ).exists()
        _activate(
            version,
            actor=actor,
            effective_from=dt.date.fromisoformat(effective) if effective and not replaces else None,
        )
        version.refresh_from_db()
    return version

"""The signed copy of a concluded case's paper: recording it (and replacing it, with a
reason), and who sees it.

Who records: whoever may conclude the case (`visibility.require_handler`: CASE_HANDLE where
it is handled, never the staff member concerned), once it has its paper
(`documents.has_paper`). Who sees the current copy and downloads its scan: those who may
download the paper (`document_views`): who sees the case file, and the staff member
concerned on their own page; never the reporter nor the public. The replaced copies, kept
with who replaced them and why, are the case file's history (not the staff member's).

A case reopened on appeal and concluded again has a new paper: a copy recorded before the
latest conclusion no longer counts as its signed copy (it stays in the history) and the
next one replaces it without asking for a reason.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.audit.services import record
from congvu.core import signed_papers as signed
from congvu.core.uploads import CheckedFile

from . import documents, notices, uploads
from .models import Case, SignedPaper
from .visibility import can_handle, require_handler

#: The reason kept on a copy signed for an earlier conclusion (Vietnamese: the record).
CONCLUDED_AGAIN = "Vụ việc được kết luận lại ngày {day}."


def concluded_on(case: Case) -> dt.date:
    assert case.concluded_at is not None
    return timezone.localdate(case.concluded_at)


def may_record(user: Any, case: Case) -> bool:
    return documents.has_paper(case) and can_handle(user, case)


def current(case: Case) -> SignedPaper | None:
    """The signed copy of the case's paper as concluded now, if recorded."""
    if not documents.has_paper(case):
        return None
    return (
        SignedPaper.objects.filter(case=case, replaced_at=None, recorded_at__gte=case.concluded_at)
        .select_related("recorded_by", "case")
        .first()
    )


def record_signed_paper(
    case: Case,
    *,
    actor: Any,
    number: Any,
    signed_on: Any,
    file: Any,
    signer_name: Any = "",
    signer_title: Any = "",
    reason: Any = "",
) -> SignedPaper:
    """Record the signed copy of a concluded case's paper; replacing the current one needs
    `reason` and keeps it, marked replaced. Errors keyed by field, all at once."""
    require_handler(actor, case)
    return signed.recording(
        file,
        limit=uploads.max_bytes(),
        write=lambda checked, errors, stored: _record(
            case,
            actor=actor,
            values={
                "number": number,
                "signed_on": signed_on,
                "signer_name": signer_name,
                "signer_title": signer_title,
                "reason": reason,
            },
            checked=checked,
            errors=errors,
            stored=stored,
        ),
    )


def _record(
    case: Case,
    *,
    actor: Any,
    values: dict[str, Any],
    checked: CheckedFile | None,
    errors: dict[str, list[str]],
    stored: list[SignedPaper],
) -> SignedPaper:
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("handling_organisation")
        .get(pk=case.pk)
    )
    require_handler(actor, case)
    if not documents.has_paper(case):
        raise ValidationError(
            _(
                "Chỉ ghi bản đã ký khi vụ việc đã có kết luận. / A signed copy is recorded only "
                "once the case is concluded."
            ),
            code="not_concluded",
        )
    previous = SignedPaper.objects.filter(case=case, replaced_at=None).first()
    assert case.concluded_at is not None
    stale = previous is not None and previous.recorded_at < case.concluded_at
    entry, entry_errors = signed.check_entry(
        **values, concluded_on=concluded_on(case), replacing=previous is not None and not stale
    )
    for key, messages in entry_errors.items():
        errors.setdefault(key, []).extend(messages)
    if errors or entry is None or checked is None:
        raise ValidationError(errors)
    reason = entry.reason
    if stale:
        reason = reason or CONCLUDED_AGAIN.format(day=f"{concluded_on(case):%d/%m/%Y}")
    signed.replace(previous, actor=actor, reason=reason)
    paper = signed.save(
        checked,
        entry,
        row=lambda **fields: SignedPaper(case=case, **fields),
        actor=actor,
        into=stored,
    )
    record(
        "case.signed_paper_replaced" if previous else "case.signed_paper_recorded",
        actor=actor,
        obj=case,
        organisation=case.handling_organisation,
        summary=f"{case.code}: {entry.number}",
        data={
            "paper": paper.described(),
            "replaced": previous.described() if previous else None,
            "reason": reason if previous else "",
        },
    )
    notices.tell_subject(case, notices.SUBJECT_SIGNED, number=paper.number, day=paper.signed_on)
    return paper


def papers_for(case: Case, *, as_subject: bool) -> list[SignedPaper]:
    """The signed copies a reader of the paper sees, newest first: the staff member
    concerned the current copy only; those who see the case file its history too."""
    if as_subject:
        found = current(case)
        return [found] if found is not None else []
    return list(
        SignedPaper.objects.filter(case=case).select_related("recorded_by", "replaced_by", "case")
    )


def get_paper(case: Case, pk: Any, *, as_subject: bool) -> SignedPaper:
    for paper in papers_for(case, as_subject=as_subject):
        if str(paper.pk) == str(pk):
            return paper
    raise Http404

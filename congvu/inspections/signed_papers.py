"""The signed copy of an inspection's minutes and conclusion notice: recording it (and
replacing it, with a reason), and who sees it.

Who records: the team, with the permission that concludes (INSPECTION_RUN on the inspected
organisation), once the inspection is concluded (only a concluded inspection's papers are
signed). Who sees the current copy and downloads its scan: whoever may download that paper
now (`documents.available`: the team, and the inspected organisation once concluded). The
replaced copies, kept with who replaced them and why, are the team's history.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.audit.services import in_record_language, record
from congvu.core import signed_papers as signed
from congvu.core.uploads import CheckedFile

from . import documents, notices, selectors, uploads
from .models import Inspection, SignedPaper

S = Inspection.Status


def concluded_on(inspection: Inspection) -> dt.date:
    assert inspection.concluded_at is not None
    return timezone.localdate(inspection.concluded_at)


def may_record(user: Any, inspection: Inspection) -> bool:
    return inspection.status == S.CONCLUDED and selectors.may_run(user, inspection)


def record_signed_paper(
    inspection: Inspection,
    *,
    document: str,
    actor: Any,
    number: Any,
    signed_on: Any,
    file: Any,
    signer_name: Any = "",
    signer_title: Any = "",
    reason: Any = "",
) -> SignedPaper:
    """Record the signed copy of `document` of a concluded inspection; replacing the current
    one needs `reason` and keeps it, marked replaced. Errors keyed by field, all at once."""
    access.require(actor, Perm.INSPECTION_RUN, inspection.organisation)
    return signed.recording(
        file,
        limit=uploads.max_bytes(),
        write=lambda checked, errors, stored: _record(
            inspection,
            document=document,
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
    inspection: Inspection,
    *,
    document: str,
    actor: Any,
    values: dict[str, Any],
    checked: CheckedFile | None,
    errors: dict[str, list[str]],
    stored: list[SignedPaper],
) -> SignedPaper:
    inspection = (
        Inspection.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=inspection.pk)
    )
    access.require(actor, Perm.INSPECTION_RUN, inspection.organisation)
    if document not in SignedPaper.Document.values:
        raise ValidationError({"document": _("Văn bản không hợp lệ. / Unknown paper.")})
    if inspection.status != S.CONCLUDED:
        raise ValidationError(
            _(
                "Chỉ ghi bản đã ký khi cuộc kiểm tra đã kết luận. / A signed copy is recorded "
                "only once the inspection is concluded."
            ),
            code="not_concluded",
        )
    previous = SignedPaper.objects.filter(
        inspection=inspection, document=document, replaced_at=None
    ).first()
    entry, entry_errors = signed.check_entry(
        **values, concluded_on=concluded_on(inspection), replacing=previous is not None
    )
    for key, messages in entry_errors.items():
        errors.setdefault(key, []).extend(messages)
    if errors or entry is None or checked is None:
        raise ValidationError(errors)
    signed.replace(previous, actor=actor, reason=entry.reason)
    paper = signed.save(
        checked,
        entry,
        row=lambda **fields: SignedPaper(inspection=inspection, document=document, **fields),
        actor=actor,
        into=stored,
    )
    label = SignedPaper.Document(document).label
    with in_record_language():
        record(
            "inspection.signed_paper_replaced" if previous else "inspection.signed_paper_recorded",
            actor=actor,
            obj=inspection,
            organisation=inspection.organisation,
            summary=f"{inspection.code}: {label} {entry.number}",
            data={
                "document": document,
                "paper": paper.described(),
                "replaced": previous.described() if previous else None,
                "reason": entry.reason if previous else "",
            },
        )
    notices.signed_paper(inspection, paper=paper, actor=actor)
    return paper


def papers_for(user: Any, inspection: Inspection) -> list[SignedPaper]:
    """The signed copies `user` (who sees `inspection`) may read, newest first: the current
    copy of each paper they may download now, and for the team the replaced ones too."""
    papers = SignedPaper.objects.filter(
        inspection=inspection, document__in=documents.available(user, inspection)
    ).select_related("recorded_by", "replaced_by", "inspection")
    if not selectors.may_run(user, inspection):
        papers = papers.filter(replaced_at=None)
    return list(papers)


def get_paper(user: Any, inspection: Inspection, pk: Any) -> SignedPaper:
    """One signed copy `user` may read (else 404)."""
    for paper in papers_for(user, inspection):
        if str(paper.pk) == str(pk):
            return paper
    raise Http404

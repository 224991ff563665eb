"""Large badge sheets made on the background worker instead of in the request.

A card costs ~12 ms to lay out with its QR code (`docs/benchmarks.md`): a department's
few hundred cards take several seconds, a file of `badges.SHEET_MAX` cards ~8 s, longer
than a request should hold a worker. Up to `ORGANISATIONS_BADGE_INLINE_MAX_CARDS` cards
(100 by default, about a second) the sheet is still made in the request; above,
`request_pdf` queues a `BadgeExport` through the mechanism of the provincial report and
the ranking (`core.pdf_exports`): the user watches its page and downloads the file, and
a finished file is served again while the sheet (its HTML) is the same.

Each sheet asked for, on the page or through the API, is audited (`staff.badge_sheet`,
`audit_sheet`) as each cases export is: the organisation, subtree, part, number of cards
and where it was asked; never the staff's names. So is each download of a finished file
(`staff.badge_sheet_download`, `audit_download`), as the cases export's file is: the file
carries many people's names and the links to their public cards, and may be fetched again
and again long after it was asked for.
"""

from __future__ import annotations

from typing import Any, Final

from django.conf import settings
from django.db import transaction
from django.utils.text import slugify

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.audit.services import in_record_language, record
from congvu.core import pdf_exports as jobs

from . import badges, selectors
from .badge_models import BadgeExport, BadgeSheet
from .models import Organisation, StaffMember


def printable_staff(user: Any, organisation: Organisation, *, subtree: bool) -> list[StaffMember]:
    """The active staff whose badges `user` may print for `organisation` (and below it)."""
    return [
        member
        for member in selectors.badge_staff(organisation, include_subtree=subtree)
        # A grant may stop above part of the subtree (include_subtree=False).
        if access.can(user, Perm.BADGE_PRINT, member.organisation)
    ]


def part_count(cards: int) -> int:
    """How many files `cards` badges need (`badges.SHEET_MAX` a file)."""
    return max(1, (cards - 1) // badges.SHEET_MAX + 1)


def cards_of(staff: list[StaffMember], part: int) -> list[StaffMember]:
    """The cards of file `part` (1, 2, …); 0: all of them, in one file."""
    if not part:
        return staff
    start = (part - 1) * badges.SHEET_MAX
    return staff[start : start + badges.SHEET_MAX]


def title_of(organisation: Organisation, part: int, parts: int) -> str:
    return f"{organisation.name} ({part}/{parts})" if part else organisation.name


def download_name(sheet: BadgeSheet) -> str:
    organisation = sheet.organisation
    stem = f"the-{slugify(organisation.code) or organisation.pk}"
    return f"{stem}-{sheet.part}.pdf" if sheet.part else f"{stem}.pdf"


def _html_of(sheet: BadgeSheet) -> tuple[str, int]:
    # Chosen again from the user's grants of now: someone who lost the right to print
    # meanwhile gets an empty sheet, never the cards of before.
    staff = printable_staff(sheet.user, sheet.organisation, subtree=sheet.subtree)
    cards = cards_of(staff, sheet.part)
    title = title_of(sheet.organisation, sheet.part, part_count(len(staff)))
    return badges.sheet_html(cards, title=title, site_url=settings.SITE_URL), len(cards)


JOB: Final = jobs.PdfJob(
    model=BadgeExport,
    owner_field="sheet",
    html_of=_html_of,
    render=lambda html: badges.render_html(html, site_url=settings.SITE_URL),
    download_name=download_name,
    task="congvu.organisations.tasks.make_badge_pdf",
    inline_setting="ORGANISATIONS_BADGE_INLINE_MAX_CARDS",
    inline_default=100,
)


def wanted_inline(cards: int) -> bool:
    return jobs.wanted_inline(JOB, cards)


def audit_sheet(
    user: Any,
    organisation: Organisation,
    *,
    subtree: bool,
    part: int,
    rows: int,
    source: str,
    export: BadgeExport | None = None,
) -> None:
    """`staff.badge_sheet`: who asked for which sheet (organisation, subtree, part), of how
    many cards, from the page ("web") or the API, made in the request or on the worker
    (then the export's state when answered: queued, running, or done when a finished file
    of the same cards is given back). No names: the cards are the staff's."""
    data: dict[str, Any] = {
        "organisation": organisation.pk,
        "subtree": subtree,
        "part": part,
        "rows": rows,
        "source": source,
        "background": export is not None,
    }
    if export is not None:
        data["status"] = export.status
    with in_record_language():
        record(
            "staff.badge_sheet",
            actor=user,
            obj=export,
            organisation=organisation,
            summary=f"{rows} thẻ: {organisation.name}",
            data=data,
        )


def audit_download(user: Any, export: BadgeExport, *, source: str) -> None:
    """`staff.badge_sheet_download`: a finished sheet's file was served, from the page
    ("web") or the API: the sheet's organisation, subtree, part and number of cards, as
    `audit_sheet` records them; no names."""
    _record_file("staff.badge_sheet_download", user, export, export.sheet, source=source)


def _record_file(
    event: str, actor: Any, export: BadgeExport, sheet: BadgeSheet, **extra: Any
) -> None:
    """`event` done by `actor` with a sheet's file: the sheet's organisation, subtree, part
    and number of cards (and `extra`); no names."""
    with in_record_language():
        record(
            event,
            actor=actor,
            obj=export,
            organisation=sheet.organisation,
            summary=f"{export.rows} thẻ: {sheet.organisation.name}",
            data={
                "organisation": sheet.organisation_id,
                "subtree": sheet.subtree,
                "part": sheet.part,
                "rows": export.rows,
                **extra,
            },
        )


def request_pdf(
    organisation: Organisation,
    *,
    user: Any,
    subtree: bool,
    part: int,
    cards: list[StaffMember],
    title: str,
    source: str,
) -> BadgeExport:
    """The export that serves this sheet: a finished or running one, else a new one;
    each request audited (`audit_sheet`), as the cases export's are."""
    with transaction.atomic():
        sheet, _created = BadgeSheet.objects.get_or_create(
            organisation=organisation, subtree=subtree, part=part, user=user
        )
        html = badges.sheet_html(cards, title=title, site_url=settings.SITE_URL)
        export = jobs.request_pdf(JOB, sheet, html=html, rows=len(cards), actor=user)
        assert isinstance(export, BadgeExport)
        audit_sheet(
            user,
            organisation,
            subtree=subtree,
            part=part,
            rows=len(cards),
            source=source,
            export=export,
        )
    return export


def make(export_id: int) -> str:
    """Render one export (the task's body); returns what happened."""
    return jobs.make(JOB, export_id)


def delete(export: BadgeExport, *, actor: Any) -> None:
    """Its user deletes the sheet's file ("Tệp xuất của tôi"): the export row now, its
    file once the transaction commits, audited (`staff.badge_sheet_delete`: the
    organisation, subtree, part and number of cards; no names). The `BadgeSheet` stays:
    it is only what was asked (organisation, subtree, part, user), holds no file and no
    personal data, and a newer export of the same sheet may be on its way — deleting the
    sheet would take that one with it. A waiting or running export is refused
    (`jobs.StillRunning`) unless its worker is taken as lost (`jobs.may_delete`)."""
    with transaction.atomic():
        locked = BadgeExport.objects.select_for_update().filter(pk=export.pk).first()
        if locked is None:  # deleted meanwhile (a second click): nothing left to do
            return
        export = locked
        if not jobs.may_delete(export):
            raise jobs.StillRunning
        sheet = BadgeSheet.objects.select_related("organisation").get(pk=export.sheet_id)
        _record_file("staff.badge_sheet_delete", actor, export, sheet, status=export.status)
        export.delete()
        jobs.forget_files([export])

"""Printable A4 sheets of staff badge QR codes (WeasyPrint + segno).

Each card carries the staff member's name, position and organisation and a QR
code pointing at SITE_URL/r/<token>, the public badge card where citizens rate
the service. The QR is embedded as an SVG data URI: vector, so it stays sharp
at any print resolution.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import segno
from django.template.loader import render_to_string
from django.urls import reverse

from .models import StaffMember

#: Two columns of four 92 × 60 mm cards fill an A4 page inside 10 mm margins.
CARDS_PER_PAGE: Final = 8
#: Cards in one PDF: ~12 ms each (`docs/benchmarks.md`), so a sheet stays within a few
#: seconds; badges are printed unit by unit, never a whole province in one file.
SHEET_MAX: Final = 600


@dataclass(frozen=True)
class BadgeCard:
    name: str
    position: str
    organisation: str
    division: str
    url: str
    qr: str


def badge_url(member: StaffMember, site_url: str) -> str:
    return site_url.rstrip("/") + reverse("portal:badge", args=[member.badge_token])


def qr_data_uri(url: str) -> str:
    # Error correction "M" (15 %) survives a scratched or bent badge.
    return str(segno.make(url, error="m").svg_data_uri(scale=4, border=4))


def sheet_html(staff: Sequence[StaffMember], *, title: str, site_url: str) -> str:
    """The sheet's HTML, QR codes included: what `render_html` lays out."""
    cards = [
        BadgeCard(
            name=member.full_name,
            position=member.position_title,
            organisation=member.organisation.name,
            division=member.division.name if member.division else "",
            url=(url := badge_url(member, site_url)),
            qr=qr_data_uri(url),
        )
        for member in staff
    ]
    pages = [cards[at : at + CARDS_PER_PAGE] for at in range(0, len(cards), CARDS_PER_PAGE)]
    return render_to_string("organisations/badge_sheet.html", {"title": title, "pages": pages})


def render_html(html: str, *, site_url: str) -> bytes:
    from weasyprint import HTML  # slow import: only when a sheet is printed

    return bytes(HTML(string=html, base_url=site_url).write_pdf())


def render_sheet(staff: Sequence[StaffMember], *, title: str, site_url: str) -> bytes:
    return render_html(sheet_html(staff, title=title, site_url=site_url), site_url=site_url)

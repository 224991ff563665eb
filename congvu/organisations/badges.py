"""Printable A4 sheets of staff badge QR codes (WeasyPrint + segno).

Each card carries the staff member's name, position and organisation and a QR
code pointing at SITE_URL/r/<token>, the public badge card where citizens rate
the service. The QR is drawn as SVG while the PDF is laid out: vector, so it stays
sharp at any print resolution.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote, unquote

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


#: How a card's QR code is named in the sheet's HTML: laid out by `render_html`, which
#: draws it then. Drawing 600 QR codes takes seconds; the HTML that fingerprints a sheet
#: (`badge_exports`) is built in the request, so it names them instead of holding them.
QR_SCHEME: Final = "congvu-qr:"


def sheet_html(staff: Sequence[StaffMember], *, title: str, site_url: str) -> str:
    """The sheet's HTML; its QR codes are named (`QR_SCHEME`), drawn by `render_html`."""
    cards = [
        BadgeCard(
            name=member.full_name,
            position=member.position_title,
            organisation=member.organisation.name,
            division=member.division.name if member.division else "",
            url=(url := badge_url(member, site_url)),
            qr=QR_SCHEME + quote(url, safe=""),
        )
        for member in staff
    ]
    pages = [cards[at : at + CARDS_PER_PAGE] for at in range(0, len(cards), CARDS_PER_PAGE)]
    return render_to_string("organisations/badge_sheet.html", {"title": title, "pages": pages})


def _qr_svg(url: str) -> bytes:
    image = io.BytesIO()
    # Error correction "M" (15 %) survives a scratched or bent badge.
    segno.make(url, error="m").save(image, kind="svg", scale=4, border=4)
    return image.getvalue()


def render_html(html: str, *, site_url: str) -> bytes:
    from weasyprint import HTML  # slow import: only when a sheet is printed
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class Fetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith(QR_SCHEME):
                svg = _qr_svg(unquote(url.removeprefix(QR_SCHEME)))
                return URLFetcherResponse(url, svg, {"Content-Type": "image/svg+xml"})
            return super().fetch(url, headers)

    return bytes(HTML(string=html, base_url=site_url, url_fetcher=Fetcher()).write_pdf())


def render_sheet(staff: Sequence[StaffMember], *, title: str, site_url: str) -> bytes:
    return render_html(sheet_html(staff, title=title, site_url=site_url), site_url=site_url)

"""Helpers for the cases core tests (intake, workflow, clocks, discipline…)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import NameObject, StreamObject

from congvu.cases import services, workflow
from congvu.cases.models import Case, Track
from congvu.organisations import services as org_services
from congvu.organisations.models import Organisation, StaffMember

from ...conftest import START

S = Case.Status


def report(
    staff: StaffMember | None = None,
    *,
    organisation: Organisation | None = None,
    files: Any = (),
    actor: Any = None,
    **fields: Any,
) -> services.Receipt:
    data = services.ReportInput(
        subject_staff=staff,
        organisation=organisation,
        description=fields.pop("description", "Cán bộ gây khó dễ, đòi tiền bồi dưỡng."),
        **fields,
    )
    return services.submit_report(data, files=files, actor=actor)


def make_leader(organisation: Organisation, *, code: str = "STP-LEAD") -> StaffMember:
    return org_services.create_staff(
        actor=None,
        organisation=organisation,
        full_name="Trần Thị Giám Đốc",
        staff_code=code,
        category=StaffMember.Category.CIVIL_SERVANT,
        position_title="Giám đốc",
        is_leader=True,
        valid_from=START,
    )


def move(case: Case, *path: str, actor: Any) -> Case:
    """Walk `case` along `path` with the arguments each step needs."""
    for to in path:
        case = workflow.transition(
            case,
            to,
            actor=actor,
            note="Ghi chú" if to in (S.RECEIVED,) or case.status == S.CLOSED else "",
            reject_reason=Case.RejectReason.INSUFFICIENT if to == S.REJECTED else "",
            outcome=Case.Outcome.SUBSTANTIATED if to == S.CONCLUDED else "",
            conclusion="Phản ánh đúng." if to == S.CONCLUDED else "",
        )
    return case


def jpeg_with_gps(name: str = "anh.jpg", size: tuple[int, int] = (64, 48)) -> SimpleUploadedFile:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "SecretPhone 9"  # Model
    gps = {1: "N", 2: (21.0, 1.0, 30.0), 3: "E", 4: (105.0, 51.0, 10.0)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def png(name: str = "anh.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 255, 128)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


#: Who made a test file, as a citizen's computer or phone would record it.
AUTHOR = "NguyenVanBaoCao"


def pdf_bytes(*, pages: int = 1, xmp: bool = True) -> bytes:
    """A real PDF whose document information and XMP packet name its author."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Author": AUTHOR, "/Title": "Bien ban", "/Creator": "Laptop cua Bao"})
    if xmp:
        packet = (
            '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<dc:creator>{AUTHOR}</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>"
            '<?xpacket end="w"?>'
        ).encode()
        stream = StreamObject()
        stream.set_data(packet)
        stream.update({NameObject("/Type"): NameObject("/Metadata")})
        writer.root_object[NameObject("/Metadata")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf(name: str = "van-ban.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


TRACK = Track


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from congvu.cases import uploads
from congvu.cases.models import CaseFile

from .core_helpers import jpeg_with_gps, media, pdf, png, report  # noqa: F401

pytestmark = pytest.mark.usefixtures("media")


def _refused(upload, allowed=uploads.EVIDENCE_TYPES) -> str:
    with pytest.raises(ValidationError) as caught:
        uploads.check_one(upload, allowed=allowed)
    return caught.value.messages[0]


def test_a_photo_loses_its_gps_and_camera_data_but_keeps_its_pixels(staff_member):
    receipt = report(staff_member, files=[jpeg_with_gps("IMG_2024_nha-toi.jpg")])
    stored = CaseFile.objects.get(case=receipt.case)
    assert stored.content_type == "image/jpeg"
    assert "nha-toi" not in stored.file.name and stored.file.name.endswith(".jpg")
    assert stored.original_name == "IMG_2024_nha-toi.jpg"
    with stored.file.open("rb") as handle:
        data = handle.read()
    image = Image.open(io.BytesIO(data))
    assert image.size == (64, 48)
    assert not image.getexif()
    assert b"SecretPhone" not in data and b"PhoneMaker" not in data
    import hashlib

    assert stored.sha256 == hashlib.sha256(data).hexdigest()


def test_png_and_pdf_are_accepted():
    assert uploads.check_one(png()).content_type == "image/png"
    assert uploads.check_one(pdf()).content_type == "application/pdf"


@pytest.mark.parametrize(
    ("head", "name", "content_type"),
    [
        (b"ID3\x03\x00\x00\x00" + b"\x00" * 20, "ghi-am.mp3", "audio/mpeg"),
        (b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00" + b"\x00" * 20, "ghi-am.m4a", "audio/mp4"),
        (b"OggS\x00\x02" + b"\x00" * 30, "ghi-am.ogg", "audio/ogg"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 30, "ghi-am.wav", "audio/wav"),
    ],
)
def test_audio_recordings_are_recognised_by_their_content(head, name, content_type):
    assert uploads.check_one(SimpleUploadedFile(name, head)).content_type == content_type


def test_an_html_page_renamed_jpg_is_refused_with_a_clear_message():
    message = _refused(SimpleUploadedFile("anh.jpg", b"<html><script>alert(1)</script>"))
    assert "không đúng với đuôi .jpg" in message and " / " in message


def test_a_script_without_a_known_extension_is_refused():
    message = _refused(SimpleUploadedFile("run.sh", b"#!/bin/sh\nrm -rf /\n"))
    assert "không được chấp nhận" in message


def test_a_png_named_pdf_is_refused():
    assert "không đúng với đuôi .pdf" in _refused(png("tai-lieu.pdf"))


def test_an_oversize_file_is_refused(settings):
    settings.CASES_UPLOAD_MAX_BYTES = 1000
    message = _refused(SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * 2000))
    assert "quá lớn" in message


def test_an_empty_file_is_refused():
    assert "rỗng" in _refused(SimpleUploadedFile("a.pdf", b""))


def test_a_decompression_bomb_image_is_refused():
    # 10,000 × 10,000 pixels of one colour: a few kilobytes of PNG, 100 megapixels decoded.
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, format="PNG")
    assert len(out.getvalue()) < uploads.max_bytes()
    assert "quá lớn để xử lý" in _refused(SimpleUploadedFile("bomb.png", out.getvalue()))


def test_a_broken_image_is_refused():
    data = b"\x89PNG\r\n\x1a\n" + b"garbage" * 10
    assert "hỏng" in _refused(SimpleUploadedFile("a.png", data))


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, body in entries.items():
            archive.writestr(name, body)
    return out.getvalue()


def test_a_zip_is_not_evidence_and_a_zip_bomb_is_refused_as_a_decision():
    plain = _zip({"a.txt": b"hello"})
    assert "không được chấp nhận" in _refused(SimpleUploadedFile("a.zip", plain))
    bomb = _zip(
        {
            "[Content_Types].xml": uploads._DOCX_MAIN,
            "word/document.xml": b"\x00" * (60 * 1024 * 1024),
        }
    )
    assert len(bomb) < 1024 * 1024
    message = _refused(SimpleUploadedFile("qd.docx", bomb), allowed=uploads.DECISION_TYPES)
    assert "bom nén" in message


def test_a_real_docx_is_a_valid_decision_but_not_evidence():
    import docx

    out = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Quyết định kỷ luật")
    document.save(out)
    upload = SimpleUploadedFile("qd.docx", out.getvalue())
    assert uploads.check_one(upload, allowed=uploads.DECISION_TYPES).content_type == uploads.DOCX
    _refused(SimpleUploadedFile("qd.docx", out.getvalue()))


def test_every_refused_file_is_listed_at_once():
    with pytest.raises(ValidationError) as caught:
        uploads.check_files(
            [SimpleUploadedFile("a.jpg", b"<html>"), SimpleUploadedFile("b.exe", b"MZ\x90")]
        )
    assert len(caught.value.messages) == 2

from __future__ import annotations

import io
import zipfile

import mutagen
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    TextStringObject,
)

from congvu.cases import uploads
from congvu.cases.models import CaseFile
from congvu.core.tests.media_helpers import (
    AUTHOR,
    LOCATION,
    OWNER,
    PLACE,
    SOUND,
    XMP_CREATOR,
    encrypted_pdf_bytes,
    jpeg_with_gps,
    m4a_bytes,
    mp3_bytes,
    opus_bytes,
    pdf,
    pdf_bytes,
    phone_m4a_bytes,
    png,
    signed_pdf_bytes,
    sound_of_mp4,
    sound_of_wav,
    wav_bytes,
)

from .core_helpers import media, report  # noqa: F401

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
    ("build", "name", "content_type"),
    [
        (mp3_bytes, "ghi-am.mp3", "audio/mpeg"),
        (m4a_bytes, "ghi-am.m4a", "audio/mp4"),
        (opus_bytes, "ghi-am.opus", "audio/ogg"),
        (wav_bytes, "ghi-am.wav", "audio/wav"),
    ],
)
def test_a_recording_is_recognised_and_loses_its_tags_but_not_its_sound(build, name, content_type):
    original = build()
    assert PLACE.encode() in original or OWNER.encode() in original
    checked = uploads.check_one(SimpleUploadedFile(name, original))
    assert checked.content_type == content_type
    assert PLACE.encode() not in checked.content and OWNER.encode() not in checked.content
    if content_type == "audio/wav":
        assert sound_of_wav(checked.content) == sound_of_wav(original)
    else:
        recording = mutagen.File(io.BytesIO(checked.content))
        assert recording is not None and not recording.tags
        before = mutagen.File(io.BytesIO(original))
        assert recording.info.length == pytest.approx(before.info.length)


@pytest.mark.parametrize(
    ("head", "name"),
    [
        (b"ID3\x03\x00\x00\x00" + b"\x00" * 20, "ghi-am.mp3"),
        (b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00" + b"\x00" * 20, "ghi-am.m4a"),
        (b"OggS\x00\x02" + b"\x00" * 30, "ghi-am.ogg"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 30, "ghi-am.wav"),
    ],
)
def test_a_recording_that_cannot_be_read_is_refused_by_name(head, name):
    message = _refused(SimpleUploadedFile(name, head))
    assert f"Tệp ghi âm {name} bị hỏng hoặc không đọc được" in message


@pytest.mark.parametrize(
    ("name", "brand", "long_sizes"),
    [
        ("ghi-am.m4a", b"M4A ", False),
        ("ghi-am.m4a", b"M4A ", True),
        # A phone's video saved as .mp4 passes as an MPEG-4 recording: it is cleaned the same.
        ("quay-phim.mp4", b"isom", False),
    ],
)
def test_a_phone_recording_loses_its_location_xmp_and_tags_but_plays_the_same(
    staff_member, name, brand, long_sizes
):
    original = phone_m4a_bytes(brand, long_sizes=long_sizes)
    for secret in (LOCATION, XMP_CREATOR, PLACE, OWNER):
        assert secret.encode() in original
    receipt = report(staff_member, files=[SimpleUploadedFile(name, original)])
    stored = CaseFile.objects.get(case=receipt.case)
    assert stored.content_type == "audio/mp4"
    with stored.file.open("rb") as handle:
        data = handle.read()
    for secret in (LOCATION, XMP_CREATOR, PLACE, OWNER, "com.apple.quicktime"):
        assert secret.encode() not in data, secret
    recording = mutagen.File(io.BytesIO(data))
    assert recording is not None and not recording.tags
    assert recording.info.length == mutagen.File(io.BytesIO(original)).info.length == 2.0
    assert sound_of_mp4(data) == SOUND


def _garbled(data: bytes) -> bytes:
    """The track box claims more bytes than the movie box holds."""
    at = data.index(b"trak") - 4
    return data[:at] + (10_000).to_bytes(4, "big") + data[at + 4 :]


@pytest.mark.parametrize("damage", [lambda data: data[:-10], _garbled])
def test_a_recording_whose_boxes_are_cut_off_or_garbled_is_refused_by_name(damage):
    message = _refused(SimpleUploadedFile("ghi-am.m4a", damage(phone_m4a_bytes())))
    vietnamese = "Tệp ghi âm ghi-am.m4a bị hỏng hoặc không đọc được."
    assert vietnamese in message
    assert message.index(vietnamese) < message.index("The recording is damaged or unreadable")


def test_a_pdf_loses_its_author_and_xmp_but_keeps_its_pages(staff_member):
    original = pdf_bytes(pages=3)
    assert AUTHOR.encode() in original
    receipt = report(
        staff_member, files=[SimpleUploadedFile("bien-ban.pdf", original, "application/pdf")]
    )
    stored = CaseFile.objects.get(case=receipt.case)
    with stored.file.open("rb") as handle:
        data = handle.read()
    assert AUTHOR.encode() not in data and b"Laptop" not in data
    document = PdfReader(io.BytesIO(data))
    assert len(document.pages) == 3
    assert not document.metadata
    assert "/Metadata" not in document.trailer["/Root"]
    assert stored.size == len(data)


def test_a_pdf_that_runs_javascript_when_opened_loses_the_script():
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes())))
    script = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('xin chao');"),
        }
    )
    writer.root_object[NameObject("/Names")] = DictionaryObject(
        {
            NameObject("/JavaScript"): DictionaryObject(
                {NameObject("/Names"): ArrayObject([TextStringObject("mo"), script])}
            )
        }
    )
    writer.root_object[NameObject("/OpenAction")] = script
    out = io.BytesIO()
    writer.write(out)
    checked = uploads.check_one(SimpleUploadedFile("bien-ban.pdf", out.getvalue()))
    root = PdfReader(io.BytesIO(checked.content)).trailer["/Root"]
    assert "/OpenAction" not in root
    assert "/JavaScript" not in root.get("/Names", {})
    assert b"app.alert" not in checked.content


def test_a_digitally_signed_pdf_is_kept_byte_for_byte():
    signed = signed_pdf_bytes()
    checked = uploads.check_one(SimpleUploadedFile("quyet-dinh-ky-so.pdf", signed))
    assert checked.content == signed


def test_a_password_protected_pdf_is_refused_with_a_clear_message():
    message = _refused(SimpleUploadedFile("bien-ban.pdf", encrypted_pdf_bytes()))
    assert "Tệp PDF bien-ban.pdf có mật khẩu" in message
    assert "password-protected" in message


def test_a_pdf_that_cannot_be_read_is_refused_by_name():
    message = _refused(SimpleUploadedFile("hong.pdf", b"%PDF-1.4\n" + b"\x00garbage" * 50))
    assert "Tệp PDF hong.pdf bị hỏng hoặc không đọc được" in message


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


@settings(max_examples=60, deadline=None)
@given(
    head=st.sampled_from(
        [
            (b"%PDF-1.7\n", "a.pdf"),
            (b"ID3\x03\x00\x00\x00\x00\x00\x10", "a.mp3"),
            (b"OggS\x00\x02", "a.ogg"),
            (b"RIFF\x24\x00\x00\x00WAVEfmt ", "a.wav"),
            (b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00", "a.m4a"),
        ]
    ),
    tail=st.binary(max_size=400),
)
def test_any_damaged_document_or_recording_is_refused_cleanly_never_a_crash(head, tail):
    prefix, name = head
    try:
        uploads.check_one(SimpleUploadedFile(name, prefix + tail))
    except ValidationError as refused:
        assert name in refused.messages[0]

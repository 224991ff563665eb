import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from PIL import Image
from pypdf import PdfReader

from congvu.core.tests.media_helpers import (
    AUTHOR,
    BODY,
    NAMES,
    PHONE,
    docx_bytes,
    docx_with_traces,
    encrypted_pdf_bytes,
    jpeg_with_gps,
    pdf_bytes,
    signed_pdf_bytes,
    unzipped,
    xlsx_bytes,
    xlsx_with_traces,
)
from congvu.planning import uploads

from .test_progress_helpers import JPEG, PDF, PNG, WEBP, upload, zip_bytes

DOCX_TYPES = (
    b'<?xml version="1.0"?><Types><Override PartName="/word/document.xml" ContentType="'
    b'application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>'
)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("bao-cao.pdf", PDF, uploads.PDF),
        ("anh.png", PNG, uploads.PNG),
        ("anh.jpg", JPEG, uploads.JPEG),
        ("anh.webp", WEBP, uploads.WEBP),
    ],
)
def test_pdf_and_images_are_recognised_from_their_content(name, content, expected):
    [checked] = uploads.check_files([upload(name, content)])
    assert checked.content_type == expected
    assert checked.original_name == name


def test_a_real_word_file_is_recognised_as_docx_whatever_its_name():
    [checked] = uploads.check_files([upload("minh-chung.bin", docx_bytes())])
    assert checked.content_type == uploads.DOCX


def test_a_real_excel_file_is_recognised_as_xlsx():
    [checked] = uploads.check_files([upload("so-lieu.xlsx", xlsx_bytes())])
    assert checked.content_type == uploads.XLSX


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bao-cao.pdf", b"<html><script>alert(1)</script></html>"),
        ("bao-cao.pdf", b"Just some text renamed to .pdf"),
        ("bang.docx", zip_bytes({"readme.txt": b"a plain zip"})),
        ("macro.docx", zip_bytes({"[Content_Types].xml": DOCX_TYPES, "word/document.xml": b""})),
        ("hong.xlsx", b"PK\x03\x04 broken zip"),
        ("anh.gif", b"GIF89a" + b"\x00" * 20),
        ("chay.exe", b"MZ\x90\x00"),
    ],
)
def test_anything_else_is_refused_whatever_its_name(name, content):
    with pytest.raises(ValidationError) as caught:
        uploads.check_files([upload(name, content)])
    assert "Loại tệp không được chấp nhận" in caught.value.messages[0]
    assert "File type not accepted" in caught.value.messages[0]


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.CONGVU_EVIDENCE_MAX_BYTES = len(PDF)
    uploads.check_files([upload("vua.pdf", PDF)])
    with pytest.raises(ValidationError) as caught:
        uploads.check_files([upload("lon.pdf", PDF + b"x" * 200)])
    assert "quá lớn" in caught.value.messages[0]


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError):
        uploads.check_files([upload("rong.pdf", b"")])


def test_at_most_five_files_go_with_one_update():
    uploads.check_files([upload(f"{i}.pdf", PDF) for i in range(5)])
    with pytest.raises(ValidationError) as caught:
        uploads.check_files([upload(f"{i}.pdf", PDF) for i in range(6)])
    assert "Tối đa 5 tệp" in caught.value.messages[0]


def test_every_refused_file_is_named_in_the_error():
    with pytest.raises(ValidationError) as caught:
        uploads.check_files(
            [upload("a.pdf", b"nope"), upload("b.pdf", PDF), upload("c.png", b"no")]
        )
    text = " ".join(caught.value.messages)
    assert "a.pdf" in text
    assert "c.png" in text
    assert "b.pdf" not in text


@pytest.mark.parametrize(
    ("name", "build"), [("bao-cao.docx", docx_with_traces), ("so-lieu.xlsx", xlsx_with_traces)]
)
def test_an_office_file_is_stored_without_who_wrote_it_with_the_checksum_of_what_is_stored(
    name, build
):
    original = build()
    [checked] = uploads.check_files([upload(name, original)])
    assert checked.content != original
    text = unzipped(checked.content)
    assert BODY.encode() in text or BODY.encode("ascii", "xmlcharrefreplace") in text
    for name_in_it in (*NAMES, PHONE):
        assert name_in_it.encode() not in text, name_in_it
    assert checked.sha256 == hashlib.sha256(checked.content).hexdigest()
    assert checked.size == len(checked.content)


def test_a_workbook_with_macros_is_refused_by_name():
    workbook = xlsx_bytes()
    with_macros = zip_bytes(
        {**_entries(workbook), "xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\0" * 60}
    )
    with pytest.raises(ValidationError) as caught:
        uploads.check_files([upload("so-lieu.xlsx", with_macros)])
    [message] = caught.value.messages
    assert message.startswith("Tệp so-lieu.xlsx có macro hoặc mã tự chạy, không được chấp nhận")
    assert "/ The document contains macros or other code that runs and is refused" in message


def _entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_a_photo_loses_its_gps_position_and_phone_but_keeps_its_pixels():
    original = jpeg_with_gps("hoi-nghi.jpg").read()
    assert b"SecretPhone" in original
    [checked] = uploads.check_files([upload("hoi-nghi.jpg", original)])
    assert b"SecretPhone" not in checked.content and b"PhoneMaker" not in checked.content
    photo = Image.open(io.BytesIO(checked.content))
    assert photo.size == (64, 48)
    assert not photo.getexif()
    assert checked.sha256 == hashlib.sha256(checked.content).hexdigest()


def test_a_pdf_loses_its_author_and_xmp_but_keeps_its_pages():
    original = pdf_bytes(pages=2)
    assert AUTHOR.encode() in original
    [checked] = uploads.check_files([upload("bien-ban.pdf", original)])
    assert AUTHOR.encode() not in checked.content and b"Laptop" not in checked.content
    document = PdfReader(io.BytesIO(checked.content))
    assert len(document.pages) == 2
    assert not document.metadata


def test_a_digitally_signed_pdf_is_kept_byte_for_byte():
    signed = signed_pdf_bytes()
    [checked] = uploads.check_files([upload("quyet-dinh-ky-so.pdf", signed)])
    assert checked.content == signed


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "hong.pdf",
            b"%PDF-1.4\n" + b"\x00garbage" * 50,
            "Tệp PDF hong.pdf bị hỏng hoặc không đọc",
        ),
        ("mat-khau.pdf", None, "Tệp PDF mat-khau.pdf có mật khẩu; hãy gửi bản không đặt mật khẩu"),
        ("hong.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, "Ảnh hong.png bị hỏng hoặc quá lớn"),
        ("hong.jpg", b"\xff\xd8\xff\xe0" + b"garbage" * 10, "Ảnh hong.jpg bị hỏng hoặc quá lớn"),
    ],
)
def test_a_photo_or_pdf_that_cannot_be_cleaned_is_refused_by_name(name, content, message):
    content = encrypted_pdf_bytes() if content is None else content
    with pytest.raises(ValidationError) as caught:
        uploads.check_files([upload(name, content), upload("tot.pdf", PDF)])
    [refused] = caught.value.messages
    assert message in refused
    assert " / " in refused  # the English after the Vietnamese


def test_a_path_in_the_file_name_is_dropped():
    [checked] = uploads.check_files([upload("C:\\Users\\an\\bao-cao.pdf", PDF)])
    assert checked.original_name == "bao-cao.pdf"

import pytest
from django.core.exceptions import ValidationError

from congvu.planning import uploads

from .test_progress_helpers import JPEG, PDF, PNG, WEBP, docx_bytes, upload, xlsx_bytes, zip_bytes

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
    settings.CONGVU_EVIDENCE_MAX_BYTES = 100
    uploads.check_files([upload("nho.pdf", PDF[:90])])
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


def test_the_checksum_is_the_sha256_of_the_content():
    import hashlib

    [checked] = uploads.check_files([upload("x.pdf", PDF)])
    assert checked.sha256 == hashlib.sha256(PDF).hexdigest()
    assert checked.size == len(PDF)


def test_a_path_in_the_file_name_is_dropped():
    [checked] = uploads.check_files([upload("C:\\Users\\an\\bao-cao.pdf", PDF)])
    assert checked.original_name == "bao-cao.pdf"

"""`core.uploads.check_zip`: the one bound on what an accepted Office file may expand to."""

from __future__ import annotations

import io
import os
import struct
import zipfile

import pytest
from django.core.exceptions import ValidationError

from congvu.core import uploads
from congvu.core.tests.media_helpers import (
    BOMB_BYTES,
    docx_bytes,
    odt_bytes,
    pdf_bytes,
    xlsx_bytes,
    zip_bomb,
)


def _refusal(content: bytes | io.BytesIO, **kwargs: int) -> str:
    with pytest.raises(ValidationError) as refused:
        uploads.check_zip(content, name="bang-tinh.xlsx", **kwargs)
    assert refused.value.code == "zip_bomb"
    return refused.value.messages[0]


@pytest.mark.parametrize("build", [docx_bytes, xlsx_bytes, odt_bytes, pdf_bytes])
def test_real_office_files_and_what_is_not_a_zip_pass(build) -> None:
    uploads.check_zip(build(), name="van-ban")
    uploads.check_zip(b"PK\x03\x04 not really a zip", name="hong.docx")


@pytest.mark.parametrize("base", [docx_bytes, xlsx_bytes, odt_bytes])
def test_a_few_kilobytes_that_unzip_to_megabytes_are_refused_by_name(base) -> None:
    bomb = zip_bomb(base())
    assert len(bomb) < 64 * 1024 < BOMB_BYTES
    message = _refusal(bomb)
    assert message.startswith("Tệp bang-tinh.xlsx là tệp nén bất thường (có thể là “bom nén”)")
    assert "/ The file is an abnormal archive (a possible zip bomb) and is refused." in message


def test_more_than_the_bound_is_refused_even_when_it_barely_compresses() -> None:
    # Random bytes do not compress: the ratio is about 1, the total alone refuses it.
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/image1.bin", os.urandom(300 * 1024))
    _refusal(out.getvalue(), max_unzipped=256 * 1024)
    uploads.check_zip(out.getvalue(), name="anh.xlsx", max_unzipped=512 * 1024)


def test_a_zip_that_only_claims_a_huge_entry_is_refused() -> None:
    # The central directory's sizes are what zipfile trusts (it inflates no further).
    data = bytearray(xlsx_bytes())
    entry = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, entry + 24, uploads.MAX_UNZIPPED_BYTES + 1)
    assert len(data) < 16 * 1024
    _refusal(bytes(data))


def test_too_many_entries_are_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for number in range(uploads.MAX_ZIP_ENTRIES + 1):
            archive.writestr(f"xl/p{number}.xml", b"")
    _refusal(out.getvalue())


def test_a_stream_is_left_where_it_was() -> None:
    stream = io.BytesIO(zip_bomb(xlsx_bytes()))
    stream.seek(7)
    _refusal(stream)
    assert stream.tell() == 7
    fine = io.BytesIO(xlsx_bytes())
    uploads.check_zip(fine, name="bang.xlsx")
    assert fine.tell() == 0

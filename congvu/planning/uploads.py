"""Evidence files attached to progress updates: what we accept and how we keep it.

The type is read from the file's first bytes (and, for Office files, from the
ZIP's own manifest), never from its name or the browser's Content-Type: a
script renamed `bao-cao.pdf` is refused.

What is stored is the evidence, not what the staff member's phone or computer
recorded about its maker (`sanitise`, as for citizens' evidence): photos are
re-encoded from their pixels (no GPS position, phone model or time), PDFs
rewritten without document information, XMP or scripts — a digitally signed
PDF is kept byte for byte (rewriting would break the signature), a
password-protected one is refused (nobody checking the progress could open
it). Word and Excel files, being ZIP containers, are bounded first
(`core.uploads.check_zip`: a zip bomb is refused by name), then rebuilt
without their author, last editor, company, commenters' and tracked changes'
names and dates, and their photos' EXIF (`sanitise.docx`, `sanitise.xlsx`); one
with macros or a password is refused. A file that cannot be cleaned is
refused with a message naming it.

A plan's own document (`Plan.document`: PDF, DOC, DOCX or ODT) is checked the
same way (`check_document`): its content must be the type its name says, a
PDF, DOCX or ODT is cleaned; a DOC (Word 97-2003, an OLE2 file) is kept as it is.

Accepted files are stored under a random name (see `models.evidence_path`) with
the extension of the type we detected and the sha256 of the stored bytes, and
served only as downloads through an access-checked view. What cases' evidence
does alike is in `core.uploads`.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from typing import IO, Any, Final

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from congvu.core import uploads as shared
from congvu.core.uploads import DOCX, JPEG, ODT, PDF, PNG, WEBP, XLSX, CheckedFile
from congvu.core.uploads import discard as discard

from .models import EvidenceFile, ProgressUpdate

DEFAULT_MAX_BYTES: Final = 10 * 1024 * 1024
MAX_FILES: Final = 5
ACCEPT: Final = ".pdf,.docx,.xlsx,.png,.jpg,.jpeg,.webp"
ACCEPTED: Final = frozenset({PDF, DOCX, XLSX, PNG, JPEG, WEBP})

# The main part's content type in `[Content_Types].xml`. Macro-enabled (.docm, .xlsm)
# and template variants declare other types and are refused with everything else.
_OOXML_MAIN: Final = {
    DOCX: (
        "word/",
        b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    ),
    XLSX: ("xl/", b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
}
# `[Content_Types].xml` is a few kilobytes; a larger one is not an Office file we want.
_MANIFEST_LIMIT: Final = 256 * 1024


def max_bytes() -> int:
    return int(getattr(settings, "CONGVU_EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))


def _not_accepted(name: str) -> ValidationError:
    return ValidationError(
        _(
            "Loại tệp không được chấp nhận: %(name)s. Chỉ nhận PDF, Word (.docx), Excel (.xlsx), "
            "ảnh PNG, JPEG, WEBP. / File type not accepted: only PDF, DOCX, XLSX, PNG, JPEG "
            "and WEBP."
        ),
        params={"name": name},
        code="file_type",
    )


def _ooxml_type(stream: IO[bytes]) -> str | None:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names:
                return None
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > _MANIFEST_LIMIT:
                return None
            manifest = archive.read(info)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, KeyError, ValueError):
        return None
    except NotImplementedError:  # an unsupported compression method
        return None
    for content_type, (folder, main) in _OOXML_MAIN.items():
        if main in manifest and any(name.startswith(folder) for name in names):
            return content_type
    return None


def sniff(data: bytes) -> str | None:
    """The accepted content type of `data`, or None. A ZIP is looked into: `check_zip` first."""
    if data.startswith(b"PK\x03\x04"):
        return _ooxml_type(io.BytesIO(data))
    detected = shared.sniff(data)
    return detected if detected in ACCEPTED else None


def check_one(upload: Any) -> CheckedFile:
    """Check and sanitise one upload; ValidationError with a clear message otherwise."""
    name = shared.display_name(upload, max_length=255)
    data = shared.read(upload, name=name, limit=max_bytes())
    shared.check_zip(data, name=name)
    content_type = sniff(data)
    if content_type is None:
        raise _not_accepted(name)
    data = shared.sanitised(data, content_type, name=name)
    return CheckedFile(content=data, original_name=name, content_type=content_type)


def check_files(uploads: Sequence[Any] | None) -> list[CheckedFile]:
    """Check every upload; raise one ValidationError listing every refused file."""
    uploads = list(uploads or [])
    if len(uploads) > MAX_FILES:
        raise ValidationError(
            _(
                "Tối đa %(max)d tệp minh chứng cho mỗi lần cập nhật. / At most %(max)d evidence "
                "files per update."
            ),
            params={"max": MAX_FILES},
            code="too_many_files",
        )
    return shared.check_each(uploads, check_one)


def store(
    update: ProgressUpdate, files: Iterable[CheckedFile], *, into: list[EvidenceFile]
) -> list[EvidenceFile]:
    """Save checked files for `update`, appending each to `into` as soon as it is written.

    Files are not transactional: the caller keeps `into` and calls `discard` when its
    transaction fails, so a rolled-back update leaves no file behind.
    """
    return shared.store(
        files,
        row=lambda checked: EvidenceFile(update=update, **checked.row_fields()),
        into=into,
        stem="evidence",
    )


# --- a plan's own document -----------------------------------------------------------------

DOC: Final = "application/msword"
#: The extension a plan's document may have, and the type its content must then be.
DOCUMENT_TYPES: Final = {".pdf": PDF, ".doc": DOC, ".docx": DOCX, ".odt": ODT}
DOCUMENT_MAX_BYTES: Final = 20 * 1024 * 1024

_OLE2: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Every Word 97-2003 file has a stream of this name; an Excel or Outlook file, or an
# encrypted DOCX (also OLE2 containers), does not.
_WORD_STREAM: Final = "WordDocument".encode("utf-16-le")
_ODT_MIMETYPE: Final = ODT.encode()


def _odt(stream: IO[bytes]) -> str | None:
    """ODT when the ZIP's `mimetype` entry says so (the OpenDocument rule)."""
    try:
        with zipfile.ZipFile(stream) as archive:
            info = archive.getinfo("mimetype")
            if info.file_size > len(_ODT_MIMETYPE) + 2:
                return None
            declared = archive.read(info).strip()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, KeyError, ValueError):
        return None
    except NotImplementedError:
        return None
    return ODT if declared == _ODT_MIMETYPE else None


def document_type(data: bytes) -> str | None:
    """What a plan's document is, from its content: PDF, DOC, DOCX or ODT, or None.

    A ZIP is looked into: call `shared.check_zip` first.
    """
    if data.startswith(b"PK\x03\x04"):
        found = _ooxml_type(io.BytesIO(data))
        if found == DOCX:
            return DOCX
        return _odt(io.BytesIO(data)) if found is None else None
    if data.startswith(_OLE2):
        return DOC if _WORD_STREAM in data else None
    return PDF if shared.sniff(data) == PDF else None


def check_document(upload: Any, *, extension: str) -> CheckedFile:
    """A plan's document whose name ends with `extension` (one of `DOCUMENT_TYPES`).

    Read within `DOCUMENT_MAX_BYTES`; a ZIP is bounded; the content must be the
    type the extension says (a renamed HTML page is refused, by name); a PDF,
    DOCX or ODT is cleaned like evidence (`shared.sanitised`). ValidationError
    otherwise.
    """
    name = shared.display_name(upload, max_length=255)
    data = shared.read(upload, name=name, limit=DOCUMENT_MAX_BYTES)
    shared.check_zip(data, name=name)
    content_type = document_type(data)
    if content_type is None:
        raise shared.disguised(name, extension)
    if content_type != DOCUMENT_TYPES[extension]:
        raise shared.mismatched(name, extension)
    data = shared.sanitised(data, content_type, name=name)
    return CheckedFile(content=data, original_name=name, content_type=content_type)

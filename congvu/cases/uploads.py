"""Evidence and decision files of cases: what we accept, and how we protect the reporter.

The type is read from the content's first bytes, never from the name or the
browser's Content-Type: an HTML page or a script renamed `anh.jpg` is refused.
A name whose extension promises another type than the content is refused too,
with a message saying so.

Evidence is stored without its metadata (`sanitise`): photos re-encoded from
their pixels (the EXIF block would tell the subject where and by whom the
photo was taken), PDFs rewritten without author, XMP or scripts, recordings
without their tags (an M4A, or an MP4 accepted as one, also without its
position, XMP and every other user-data box). A file that cannot be read that
far is refused with a message naming it. Pillow's decompression-bomb guard is
on (a tiny file that decodes to gigapixels is refused). Word files
(decisions only; citizens' evidence takes no Office file) are ZIP containers:
their entries' total uncompressed size and compression ratio are bounded, so a
zip bomb is refused before anything reads it (`core.uploads.check_zip`); then
they are rebuilt without their author, editors, commenters, tracked changes'
names and dates, and their photos' EXIF (`sanitise.docx`); one with macros or a
password is refused by name.

Files are stored under a random name (`models.case_file_path`), with the sha256
of the stored bytes. What planning's evidence does alike is in `core.uploads`.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence, Sized
from pathlib import Path
from typing import IO, Any, Final

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.core import uploads as shared
from congvu.core.uploads import (
    DOCX,
    EXTENSION,
    JPEG,
    M4A,
    MP3,
    OGG,
    PDF,
    PNG,
    WAV,
    WEBP,
    CheckedFile,
)
from congvu.core.uploads import discard as discard

from .models import Case, CaseEvent, CaseFile

DEFAULT_MAX_BYTES: Final = 10 * 1024 * 1024
MAX_FILES: Final = 5

EVIDENCE_TYPES: Final = frozenset({JPEG, PNG, WEBP, PDF, MP3, M4A, OGG, WAV})
DECISION_TYPES: Final = frozenset({PDF, DOCX, JPEG, PNG, WEBP})
EVIDENCE_ACCEPT: Final = ".jpg,.jpeg,.png,.webp,.pdf,.mp3,.m4a,.ogg,.oga,.opus,.wav"
DECISION_ACCEPT: Final = ".pdf,.docx,.jpg,.jpeg,.png,.webp"

#: The extensions a name may carry for each detected type.
_NAMES: Final = {
    JPEG: {".jpg", ".jpeg", ".jpe", ".jfif"},
    PNG: {".png"},
    WEBP: {".webp"},
    PDF: {".pdf"},
    MP3: {".mp3"},
    M4A: {".m4a", ".mp4", ".aac", ".m4b"},
    OGG: {".ogg", ".oga", ".opus"},
    WAV: {".wav"},
    DOCX: {".docx"},
}
_KNOWN_EXTENSIONS: Final = frozenset(ext for exts in _NAMES.values() for ext in exts)
_DOCX_MAIN: Final = (
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
)


def max_bytes() -> int:
    return int(getattr(settings, "CASES_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def _docx(stream: IO[bytes]) -> str | None:
    """DOCX when the ZIP (already bounded by `check_zip`) is a Word document."""
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names or not any(
                name.startswith("word/") for name in names
            ):
                return None
            manifest = archive.read("[Content_Types].xml")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, KeyError, ValueError):
        return None
    except NotImplementedError:  # an unsupported compression method
        return None
    return DOCX if _DOCX_MAIN in manifest else None


def sniff(data: bytes) -> str | None:
    """The content type of `data` among the types we know, or None.

    A ZIP is looked into: call `shared.check_zip` first.
    """
    if data.startswith(b"PK\x03\x04"):
        return _docx(io.BytesIO(data))
    return shared.sniff(data)


def check_one(upload: Any, *, allowed: frozenset[str] = EVIDENCE_TYPES) -> CheckedFile:
    """Check and sanitise one upload; ValidationError with a clear message otherwise."""
    name = shared.display_name(upload, max_length=200)
    data = shared.read(upload, name=name, limit=max_bytes())
    shared.check_zip(data, name=name)
    content_type = sniff(data)
    extension = Path(name).suffix.lower()
    if content_type is None or content_type not in allowed:
        # A real Word file offered as evidence is not "disguised": only the list helps.
        if content_type is None and extension in _KNOWN_EXTENSIONS:
            raise shared.disguised(name, extension)
        raise shared.error(
            _(
                "Loại tệp không được chấp nhận: %(name)s. Chỉ nhận %(types)s. / File type not "
                "accepted: only %(types)s."
            ),
            name,
            "file_type",
            types=", ".join(sorted({EXTENSION[t].lstrip(".").upper() for t in allowed})),
        )
    if extension and extension in _KNOWN_EXTENSIONS and extension not in _NAMES[content_type]:
        raise shared.mismatched(name, extension)
    data = shared.sanitised(data, content_type, name=name)
    return CheckedFile(content=data, original_name=name, content_type=content_type)


def check_count(uploads: Sized) -> None:
    """At most `MAX_FILES` with one report or one addition (the form says so before upload)."""
    if len(uploads) > MAX_FILES:
        raise ValidationError(
            _("Tối đa %(max)d tệp mỗi lần gửi. / At most %(max)d files at a time."),
            params={"max": MAX_FILES},
            code="too_many_files",
        )


def check_declared_size(upload: Any) -> None:
    """The size the client declared, checked before anything is read (the form's cheap check)."""
    limit = max_bytes()
    if upload.size is not None and upload.size > limit:
        raise shared.too_large(shared.display_name(upload, max_length=200), limit)


def check_files(
    uploads: Sequence[Any] | None, *, allowed: frozenset[str] = EVIDENCE_TYPES
) -> list[CheckedFile]:
    """Check every upload; one ValidationError listing every refused file."""
    uploads = [upload for upload in (uploads or []) if upload is not None]
    check_count(uploads)
    return shared.check_each(uploads, lambda upload: check_one(upload, allowed=allowed))


def store(
    case: Case,
    files: Iterable[CheckedFile],
    *,
    event: CaseEvent | None,
    audience: str,
    into: list[CaseFile],
) -> list[CaseFile]:
    """Save checked files for `case`, appending each to `into` as soon as it is written.

    Files are not transactional: the caller keeps `into` and calls `discard` when
    its transaction fails, so a rolled-back report leaves no file behind.
    """
    now = timezone.now()
    return shared.store(
        files,
        row=lambda checked: CaseFile(
            case=case, event=event, audience=audience, uploaded_at=now, **checked.row_fields()
        ),
        into=into,
    )

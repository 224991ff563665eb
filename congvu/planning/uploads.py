"""Evidence files attached to progress updates: what we accept and how we keep it.

The type is read from the file's first bytes (and, for Office files, from the
ZIP's own manifest), never from its name or the browser's Content-Type: a
script renamed `bao-cao.pdf` is refused. Accepted files are stored under a
random name (see `models.evidence_path`) with the extension of the type we
detected, and served only as downloads through an access-checked view.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .models import EvidenceFile, ProgressUpdate

DEFAULT_MAX_BYTES: Final = 10 * 1024 * 1024
MAX_FILES: Final = 5
ACCEPT: Final = ".pdf,.docx,.xlsx,.png,.jpg,.jpeg,.webp"

PDF: Final = "application/pdf"
DOCX: Final = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PNG: Final = "image/png"
JPEG: Final = "image/jpeg"
WEBP: Final = "image/webp"

EXTENSION: Final = {
    PDF: ".pdf",
    DOCX: ".docx",
    XLSX: ".xlsx",
    PNG: ".png",
    JPEG: ".jpg",
    WEBP: ".webp",
}

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
_HEAD_BYTES: Final = 16


def max_bytes() -> int:
    return int(getattr(settings, "CONGVU_EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the checks, with what we learnt about it."""

    upload: Any
    original_name: str
    content_type: str
    size: int
    sha256: str


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


def sniff(stream: IO[bytes]) -> str | None:
    """The accepted content type of `stream`'s content, or None. Leaves it rewound."""
    stream.seek(0)
    head = stream.read(_HEAD_BYTES)
    stream.seek(0)
    detected: str | None = None
    if head.startswith(b"%PDF-"):
        detected = PDF
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        detected = PNG
    elif head.startswith(b"\xff\xd8\xff"):
        detected = JPEG
    elif head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        detected = WEBP
    elif head.startswith(b"PK\x03\x04"):
        detected = _ooxml_type(stream)
    stream.seek(0)
    return detected


def _display_name(upload: Any) -> str:
    # Browsers send a bare name; strip any path a client may add, keep the rest as typed.
    name = Path(str(getattr(upload, "name", "") or "").replace("\\", "/")).name
    return name[:255] or "tep"


def _sha256(upload: Any) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in (
        upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(65536), b"")
    ):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


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
    limit = max_bytes()
    checked: list[CheckedFile] = []
    errors: list[ValidationError] = []
    for upload in uploads:
        name = _display_name(upload)
        size = int(getattr(upload, "size", 0) or 0)
        if size == 0:
            errors.append(
                ValidationError(
                    _("Tệp %(name)s rỗng. / The file is empty."),
                    params={"name": name},
                    code="empty_file",
                )
            )
            continue
        if size > limit:
            errors.append(
                ValidationError(
                    _(
                        "Tệp %(name)s quá lớn (%(size)s); tối đa %(limit)s. / The file is too "
                        "large."
                    ),
                    params={
                        "name": name,
                        "size": filesizeformat(size),
                        "limit": filesizeformat(limit),
                    },
                    code="file_too_large",
                )
            )
            continue
        content_type = sniff(upload)
        if content_type is None:
            errors.append(_not_accepted(name))
            continue
        checked.append(CheckedFile(upload, name, content_type, size, _sha256(upload)))
    if errors:
        raise ValidationError(errors)
    return checked


def store(
    update: ProgressUpdate, files: Iterable[CheckedFile], *, into: list[EvidenceFile]
) -> list[EvidenceFile]:
    """Save checked files for `update`, appending each to `into` as soon as it is written.

    Files are not transactional: the caller keeps `into` and calls `discard` when its
    transaction fails, so a rolled-back update leaves no file behind.
    """
    stored = into
    for checked in files:
        evidence = EvidenceFile(
            update=update,
            original_name=checked.original_name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
        )
        # The stored name takes the detected type's extension, not the one the user typed.
        checked.upload.seek(0)
        evidence.file.save(
            f"evidence{EXTENSION[checked.content_type]}", File(checked.upload), save=False
        )
        stored.append(evidence)
        evidence.save()
    return stored


def discard(files: Iterable[EvidenceFile]) -> None:
    """Remove stored files whose rows were rolled back."""
    for evidence in files:
        if evidence.file.name:
            evidence.file.storage.delete(evidence.file.name)

"""Evidence and decision files of cases: what we accept, and how we protect the reporter.

The type is read from the content's first bytes, never from the name or the
browser's Content-Type: an HTML page or a script renamed `anh.jpg` is refused.
A name whose extension promises another type than the content is refused too,
with a message saying so.

Evidence is stored without its metadata (`sanitise`): photos re-encoded from
their pixels (the EXIF block would tell the subject where and by whom the
photo was taken), PDFs rewritten without author, XMP or scripts, recordings
without their tags (an M4A, or an MP4 accepted as one, also without its
location, XMP and every other user-data box). A file that cannot be read that far is refused with a
message naming it. Pillow's decompression-bomb guard is on (a tiny file that
decodes to gigapixels is refused). Office files (decisions only) are ZIP
containers: their entries' total uncompressed size and compression ratio are
bounded, so a zip bomb is refused before anything reads it.

Files are stored under a random name (`models.case_file_path`), with the sha256
of the stored bytes.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from congvu.core import sanitise

from .models import Case, CaseEvent, CaseFile

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DEFAULT_MAX_BYTES: Final = 10 * 1024 * 1024
MAX_FILES: Final = 5
#: A decision (.docx) is a few hundred kilobytes unzipped; these bounds stop zip bombs.
MAX_UNZIPPED_BYTES: Final = 50 * 1024 * 1024
MAX_ZIP_RATIO: Final = 100
MAX_ZIP_ENTRIES: Final = 2000

JPEG: Final = "image/jpeg"
PNG: Final = "image/png"
WEBP: Final = "image/webp"
PDF: Final = "application/pdf"
MP3: Final = "audio/mpeg"
M4A: Final = "audio/mp4"
OGG: Final = "audio/ogg"
WAV: Final = "audio/wav"
DOCX: Final = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

IMAGES: Final = frozenset({JPEG, PNG, WEBP})
EVIDENCE_TYPES: Final = frozenset({JPEG, PNG, WEBP, PDF, MP3, M4A, OGG, WAV})
DECISION_TYPES: Final = frozenset({PDF, DOCX, JPEG, PNG, WEBP})
EVIDENCE_ACCEPT: Final = ".jpg,.jpeg,.png,.webp,.pdf,.mp3,.m4a,.ogg,.oga,.opus,.wav"
DECISION_ACCEPT: Final = ".pdf,.docx,.jpg,.jpeg,.png,.webp"

EXTENSION: Final = {
    JPEG: ".jpg",
    PNG: ".png",
    WEBP: ".webp",
    PDF: ".pdf",
    MP3: ".mp3",
    M4A: ".m4a",
    OGG: ".ogg",
    WAV: ".wav",
    DOCX: ".docx",
}
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
_M4A_BRANDS: Final = (b"M4A ", b"M4B ", b"mp42", b"isom", b"mp41", b"3gp4", b"3gp5", b"dash")
_DOCX_MAIN: Final = (
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
)
_HEAD_BYTES: Final = 16


def max_bytes() -> int:
    return int(getattr(settings, "CASES_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the checks: the bytes to store (sanitised) and what they are."""

    content: bytes
    original_name: str
    content_type: str

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def _zip_is_safe(archive: zipfile.ZipFile, compressed_size: int) -> bool:
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_ENTRIES:
        return False
    total = sum(info.file_size for info in infos)
    if total > MAX_UNZIPPED_BYTES:
        return False
    return total <= max(compressed_size, 1) * MAX_ZIP_RATIO


def _docx(stream: IO[bytes], size: int) -> str | None:
    """DOCX when the ZIP is a Word document and cannot blow up when read."""
    try:
        with zipfile.ZipFile(stream) as archive:
            if not _zip_is_safe(archive, size):
                raise ValidationError("zip_bomb", code="zip_bomb")
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

    Raises ValidationError(code="zip_bomb") for a ZIP that would expand too far.
    """
    head = data[:_HEAD_BYTES]
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return WAV
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"OggS"):
        return OGG
    if head.startswith(b"ID3") or (
        len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06 != 0
    ):
        return MP3
    if head[4:8] == b"ftyp" and head[8:12] in _M4A_BRANDS:
        return M4A
    if head.startswith(b"PK\x03\x04"):
        return _docx(io.BytesIO(data), len(data))
    return None


def _display_name(upload: Any) -> str:
    # Browsers send a bare name; strip any path a client may add; no NUL bytes.
    raw = str(getattr(upload, "name", "") or "").replace("\x00", "").replace("\\", "/")
    name = Path(raw).name
    return name[:200] or "tep"


def _read(upload: Any, limit: int) -> bytes:
    if hasattr(upload, "seek"):
        upload.seek(0)
    if hasattr(upload, "chunks"):
        parts: list[bytes] = []
        total = 0
        for chunk in upload.chunks():
            parts.append(chunk)
            total += len(chunk)
            if total > limit:
                break
        return b"".join(parts)
    data: bytes = upload.read(limit + 1)
    return data


def _error(message: StrOrPromise, name: str, code: str, **params: Any) -> ValidationError:
    return ValidationError(message, params={"name": name, **params}, code=code)


#: What a reader sees when a file of this type cannot be cleaned (`sanitise.Unreadable`).
_UNREADABLE: Final = {
    **dict.fromkeys(
        IMAGES,
        _lazy(
            "Ảnh %(name)s bị hỏng hoặc quá lớn để xử lý. / The image is damaged or too large "
            "to process."
        ),
    ),
    PDF: _lazy("Tệp PDF %(name)s bị hỏng hoặc không đọc được. / The PDF is damaged or unreadable."),
    **dict.fromkeys(
        (MP3, M4A, OGG, WAV),
        _lazy(
            "Tệp ghi âm %(name)s bị hỏng hoặc không đọc được. / The recording is damaged or "
            "unreadable."
        ),
    ),
}


def _clean(data: bytes, content_type: str) -> bytes:
    """`data` without its metadata (`sanitise`); a decision's DOCX is kept as it is."""
    if content_type in IMAGES:
        return sanitise.image(data, {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP"}[content_type])
    if content_type == PDF:
        return sanitise.pdf(data)
    if content_type == WAV:
        return sanitise.wav(data)
    if content_type == M4A:
        return sanitise.mp4(data)
    if content_type in (MP3, OGG):
        return sanitise.audio(data)
    return data


def check_one(upload: Any, *, allowed: frozenset[str] = EVIDENCE_TYPES) -> CheckedFile:
    """Check and sanitise one upload; ValidationError with a clear message otherwise."""
    name = _display_name(upload)
    limit = max_bytes()
    declared = int(getattr(upload, "size", 0) or 0)
    if declared > limit:
        raise _error(
            _("Tệp %(name)s quá lớn (%(size)s); tối đa %(limit)s. / The file is too large."),
            name,
            "file_too_large",
            size=filesizeformat(declared),
            limit=filesizeformat(limit),
        )
    data = _read(upload, limit)
    if len(data) > limit:
        raise _error(
            _("Tệp %(name)s quá lớn; tối đa %(limit)s. / The file is too large."),
            name,
            "file_too_large",
            limit=filesizeformat(limit),
        )
    if not data:
        raise _error(_("Tệp %(name)s rỗng. / The file is empty."), name, "empty_file")
    try:
        content_type = sniff(data)
    except ValidationError:
        raise _error(
            _(
                "Tệp %(name)s là tệp nén bất thường (có thể là “bom nén”), không được chấp nhận. "
                "/ The file is an abnormal archive (a possible zip bomb) and is refused."
            ),
            name,
            "zip_bomb",
        ) from None
    extension = Path(name).suffix.lower()
    if content_type is None or content_type not in allowed:
        if extension in _KNOWN_EXTENSIONS:
            raise _error(
                _(
                    "Nội dung tệp %(name)s không đúng với đuôi %(ext)s (có thể là tệp giả dạng), "
                    "không được chấp nhận. / The content of the file does not match its "
                    "extension; it is refused."
                ),
                name,
                "file_mismatch",
                ext=extension,
            )
        raise _error(
            _(
                "Loại tệp không được chấp nhận: %(name)s. Chỉ nhận %(types)s. / File type not "
                "accepted: only %(types)s."
            ),
            name,
            "file_type",
            types=", ".join(sorted({EXTENSION[t].lstrip(".").upper() for t in allowed})),
        )
    if extension and extension in _KNOWN_EXTENSIONS and extension not in _NAMES[content_type]:
        raise _error(
            _(
                "Nội dung tệp %(name)s không đúng với đuôi %(ext)s. / The content of the file "
                "does not match its extension."
            ),
            name,
            "file_mismatch",
            ext=extension,
        )
    try:
        data = _clean(data, content_type)
    except sanitise.Encrypted:
        raise _error(
            _(
                "Tệp PDF %(name)s có mật khẩu; hãy gửi bản không đặt mật khẩu. / The PDF is "
                "password-protected; send a copy without a password."
            ),
            name,
            "encrypted_pdf",
        ) from None
    except sanitise.Unreadable:
        raise _error(_UNREADABLE[content_type], name, "unreadable_file") from None
    return CheckedFile(content=data, original_name=name, content_type=content_type)


def check_files(
    uploads: Sequence[Any] | None, *, allowed: frozenset[str] = EVIDENCE_TYPES
) -> list[CheckedFile]:
    """Check every upload; one ValidationError listing every refused file."""
    uploads = [upload for upload in (uploads or []) if upload is not None]
    if len(uploads) > MAX_FILES:
        raise ValidationError(
            _("Tối đa %(max)d tệp mỗi lần gửi. / At most %(max)d files at a time."),
            params={"max": MAX_FILES},
            code="too_many_files",
        )
    checked: list[CheckedFile] = []
    errors: list[ValidationError] = []
    for upload in uploads:
        try:
            checked.append(check_one(upload, allowed=allowed))
        except ValidationError as error:
            errors.append(error)
    if errors:
        raise ValidationError(errors)
    return checked


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
    for checked in files:
        row = CaseFile(
            case=case,
            event=event,
            original_name=checked.original_name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            audience=audience,
            uploaded_at=now,
        )
        row.file.save(EXTENSION[checked.content_type], ContentFile(checked.content), save=False)
        into.append(row)
        row.save()
    return into


def discard(files: Iterable[CaseFile]) -> None:
    """Remove stored files whose rows were rolled back."""
    for row in files:
        if row.file.name:
            row.file.storage.delete(row.file.name)

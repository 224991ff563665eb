"""What the evidence uploads of cases and planning do alike.

A citizen's evidence (`cases.uploads`) and a staff member's evidence of task
progress (`planning.uploads`) are checked the same way: the type is read from
the content's first bytes, never from the name or the browser's Content-Type;
at most the size limit is read; photos, PDFs, recordings and Word, Excel and
OpenDocument files are stored as `sanitise` leaves them, with the sha256 of the
stored bytes; a file that cannot be cleaned is refused with a message naming
it; every refused file of one submission is listed at once. Each app keeps what
differs: the types it accepts, how ZIP-based Office files are recognised, its
size setting, its own messages for a wrong type or too many files, and its rows.

Every ZIP-based Office file the site accepts (DOCX, XLSX, ODT: evidence,
decisions, a plan's document, the import workbooks) passes `check_zip` before
anything reads it: a zip bomb is refused by name. Those that are stored
(evidence, decisions, a plan's document) are then rebuilt without their
authors, editors, commenters and photos' EXIF (`sanitised`); one with macros or
a password is refused by name. The import workbooks are kept only for the
import's worker to read (never served) and are not rebuilt.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final, TypeVar

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from . import sanitise

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

R = TypeVar("R", bound=models.Model)

JPEG: Final = "image/jpeg"
PNG: Final = "image/png"
WEBP: Final = "image/webp"
PDF: Final = "application/pdf"
MP3: Final = "audio/mpeg"
M4A: Final = "audio/mp4"
OGG: Final = "audio/ogg"
WAV: Final = "audio/wav"
DOCX: Final = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT: Final = "application/vnd.oasis.opendocument.text"

IMAGES: Final = frozenset({JPEG, PNG, WEBP})
RECORDINGS: Final = frozenset({MP3, M4A, OGG, WAV})
#: ZIP-based documents: cleaned by rebuilding the ZIP (`sanitise.docx`, `xlsx`, `odt`).
OFFICE: Final = frozenset({DOCX, XLSX, ODT})

#: The extension a stored file gets: that of the type detected, not the one typed.
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
    XLSX: ".xlsx",
    ODT: ".odt",
}

#: What a ZIP-based Office file may expand to. A decision, a report or a plan is a few
#: hundred kilobytes unzipped, a few megabytes with its pictures; import workbooks pass
#: their own `max_unzipped` (100,000 staff rows are about 60 MB of XML). Real Office
#: files compress 3 to 30 times; a zip bomb, a thousand times.
MAX_UNZIPPED_BYTES: Final = 50 * 1024 * 1024
MAX_ZIP_RATIO: Final = 100
MAX_ZIP_ENTRIES: Final = 2000

_M4A_BRANDS: Final = (b"M4A ", b"M4B ", b"mp42", b"isom", b"mp41", b"3gp4", b"3gp5", b"dash")
_HEAD_BYTES: Final = 16


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the checks: the bytes to store (sanitised) and what they are."""

    content: bytes
    original_name: str
    content_type: str

    def row_fields(self) -> dict[str, Any]:
        """What every stored-file row keeps of it: the name given, the type, size and hash."""
        return {
            "original_name": self.original_name,
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
        }

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def sniff(data: bytes) -> str | None:
    """The type of `data` when its first bytes say it (photos, PDF, recordings), or None.

    ZIP-based Office files are not recognised here: each app looks inside them
    its own way.
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
    return None


def display_name(upload: Any, *, max_length: int) -> str:
    """The name the user's file had, for people: no path a client may add, no NUL."""
    raw = str(getattr(upload, "name", "") or "").replace("\x00", "").replace("\\", "/")
    return Path(raw).name[:max_length] or "tep"


def error(message: StrOrPromise, name: str, code: str, **params: Any) -> ValidationError:
    return ValidationError(message, params={"name": name, **params}, code=code)


def too_large(name: str, limit: int) -> ValidationError:
    return error(
        _("Tệp %(name)s quá lớn; tối đa %(limit)s. / The file is too large."),
        name,
        "file_too_large",
        limit=filesizeformat(limit),
    )


def disguised(name: str, extension: str) -> ValidationError:
    """The content is none of the accepted types, though the name says it is one."""
    return error(
        _(
            "Nội dung tệp %(name)s không đúng với đuôi %(ext)s (có thể là tệp giả dạng), "
            "không được chấp nhận. / The content of the file does not match its "
            "extension; it is refused."
        ),
        name,
        "file_mismatch",
        ext=extension,
    )


def mismatched(name: str, extension: str) -> ValidationError:
    """The content is an accepted type, but not the one the name says."""
    return error(
        _(
            "Nội dung tệp %(name)s không đúng với đuôi %(ext)s. / The content of the file "
            "does not match its extension."
        ),
        name,
        "file_mismatch",
        ext=extension,
    )


def zip_bomb(name: str) -> ValidationError:
    return error(
        _(
            "Tệp %(name)s là tệp nén bất thường (có thể là “bom nén”), không được chấp nhận. "
            "/ The file is an abnormal archive (a possible zip bomb) and is refused."
        ),
        name,
        "zip_bomb",
    )


def check_zip(
    content: bytes | IO[bytes], *, name: str, max_unzipped: int = MAX_UNZIPPED_BYTES
) -> None:
    """Refuse a ZIP that would expand too far (`zip_bomb`), before anything reads it.

    Only the central directory is read: the entries' count, the sizes they
    declare, their total against `max_unzipped` and against `MAX_ZIP_RATIO`
    times the file's own size. Python's zipfile (and so openpyxl and
    python-docx) never inflates an entry beyond the size it declares (one that
    lies fails its CRC check), so the declared sizes bound what any reader can
    be made to unpack. Content that is not a ZIP passes: whether it is an
    accepted type is the caller's question. A stream is left where it was.
    """
    stream = io.BytesIO(content) if isinstance(content, bytes) else content
    start = stream.tell()
    try:
        size = stream.seek(0, io.SEEK_END)
        stream.seek(0)
        with zipfile.ZipFile(stream) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        return
    except NotImplementedError:  # an unsupported compression method or a split archive
        return
    finally:
        stream.seek(start)
    total = sum(info.file_size for info in infos)
    if len(infos) > MAX_ZIP_ENTRIES or total > max_unzipped or total > max(size, 1) * MAX_ZIP_RATIO:
        raise zip_bomb(name)


def read(upload: Any, *, name: str, limit: int) -> bytes:
    """The upload's bytes; ValidationError when it is larger than `limit` or empty.

    Never more than `limit` + 1 bytes are read, whatever size the client declared.
    """
    declared = int(getattr(upload, "size", 0) or 0)
    if declared > limit:
        raise error(
            _("Tệp %(name)s quá lớn (%(size)s); tối đa %(limit)s. / The file is too large."),
            name,
            "file_too_large",
            size=filesizeformat(declared),
            limit=filesizeformat(limit),
        )
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
        data = b"".join(parts)
    else:
        data = upload.read(limit + 1)
    if len(data) > limit:
        raise too_large(name, limit)
    if not data:
        raise error(_("Tệp %(name)s rỗng. / The file is empty."), name, "empty_file")
    return data


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
        RECORDINGS,
        _lazy(
            "Tệp ghi âm %(name)s bị hỏng hoặc không đọc được. / The recording is damaged or "
            "unreadable."
        ),
    ),
    **dict.fromkeys(
        OFFICE,
        _lazy(
            "Tệp %(name)s bị hỏng hoặc không đọc được nên không xóa được thông tin ẩn (tên "
            "tác giả, người sửa); hãy lưu lại rồi gửi lại, hoặc gửi bản PDF. / The document is "
            "damaged or unreadable, so its hidden information (author, editors) cannot be "
            "removed; save it again and resend it, or send a PDF."
        ),
    ),
}


def _clean(data: bytes, content_type: str) -> bytes:
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
    if content_type == DOCX:
        return sanitise.docx(data)
    if content_type == XLSX:
        return sanitise.xlsx(data)
    if content_type == ODT:
        return sanitise.odt(data)
    return data


def sanitised(data: bytes, content_type: str, *, name: str) -> bytes:
    """`data` without its metadata (`sanitise`); a type it does not know is returned as it is.

    Raises ValidationError naming the file when it cannot be cleaned: a
    password-protected PDF or document, a document with macros, or any file
    `sanitise` cannot read that far. Call `check_zip` first for a ZIP-based file.
    """
    try:
        return _clean(data, content_type)
    except sanitise.Encrypted:
        if content_type == PDF:
            raise error(
                _(
                    "Tệp PDF %(name)s có mật khẩu; hãy gửi bản không đặt mật khẩu. / The PDF is "
                    "password-protected; send a copy without a password."
                ),
                name,
                "encrypted_pdf",
            ) from None
        raise error(
            _(
                "Tệp %(name)s có mật khẩu; hãy gửi bản không đặt mật khẩu. / The document is "
                "password-protected; send a copy without a password."
            ),
            name,
            "encrypted_file",
        ) from None
    except sanitise.Macros:
        raise error(
            _(
                "Tệp %(name)s có macro hoặc mã tự chạy, không được chấp nhận; hãy lưu thành "
                "tệp không có macro (.docx, .xlsx, .odt) hoặc PDF rồi gửi lại. / The document "
                "contains macros or other code that runs and is refused; save it without "
                "macros (.docx, .xlsx, .odt) or as a PDF and resend it."
            ),
            name,
            "office_macros",
        ) from None
    except sanitise.Unreadable:
        raise error(_UNREADABLE[content_type], name, "unreadable_file") from None


def check_each(uploads: Sequence[Any], check: Callable[[Any], CheckedFile]) -> list[CheckedFile]:
    """`check` every upload; one ValidationError listing every refused file."""
    checked: list[CheckedFile] = []
    errors: list[ValidationError] = []
    for upload in uploads:
        try:
            checked.append(check(upload))
        except ValidationError as refused:
            errors.append(refused)
    if errors:
        raise ValidationError(errors)
    return checked


def store(
    files: Iterable[CheckedFile], *, row: Callable[[CheckedFile], R], into: list[R], stem: str = ""
) -> list[R]:
    """Save checked files, one row each, appending each row to `into` as soon as its file
    is written. `row(checked)` builds the unsaved row (a model with a `file` field, given
    `**checked.row_fields()` and its own links); the stored name is `stem` plus the
    detected type's extension, never the name or extension the user gave.

    Files are not transactional: the caller keeps `into` and calls `discard` when its
    transaction fails, so a rolled-back submission leaves no file behind.
    """
    for checked in files:
        record = row(checked)
        stored: Any = record  # the rows' models differ; each has a `file` field
        stored.file.save(
            f"{stem}{EXTENSION[checked.content_type]}", ContentFile(checked.content), save=False
        )
        into.append(record)
        record.save()
    return into


def discard(rows: Iterable[Any]) -> None:
    """Remove the stored files of rows that were rolled back (files are not transactional)."""
    for row in rows:
        if row.file.name:
            row.file.storage.delete(row.file.name)

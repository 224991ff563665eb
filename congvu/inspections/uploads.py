"""Evidence files of inspections: the team's photos and documents, the organisation's proof.

An inspector photographs the badge not worn or the counter without a name plate
and attaches it to the observation while the inspection is recorded; the
inspected organisation attaches its proof (a photo of the plate now in place, the
list of staff reminded of the rules) to its answer on a corrective action.

Both are checked like every other evidence the site keeps (`core.uploads`): the
type is read from the content, never from the name or the browser's
Content-Type; at most the size limit is read; a ZIP-based Office file is bounded
first (`check_zip`: a zip bomb is refused by name); photos are re-encoded from
their pixels (no GPS position, phone model or time) and PDFs rewritten without
their author or scripts (`sanitised`); every refused file of one submission is
listed at once, with its name. The accepted types are those of staff evidence of
progress, detected by `planning.uploads.sniff` (PDF, DOCX, XLSX, PNG, JPEG,
WEBP): the same people send the same kind of documents.

What differs from the other apps: the limits, read from the settings
(`INSPECTIONS_UPLOAD_MAX_BYTES` for each file, `INSPECTIONS_UPLOAD_MAX_FILES` for one
observation or one corrective action, counting the files it already has), and the
rows (`InspectionFile`). Files are stored under a random name with the detected
type's extension and the sha256 of the stored bytes, and served only through the
access-checked views.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.core import uploads as shared
from congvu.core.uploads import CheckedFile
from congvu.core.uploads import discard as discard
from congvu.planning import uploads as evidence_types

from .models import CorrectiveAction, InspectionFile, Observation

DEFAULT_MAX_BYTES: Final = 10 * 1024 * 1024
DEFAULT_MAX_FILES: Final = 5
ACCEPT: Final = evidence_types.ACCEPT


def max_bytes() -> int:
    return int(getattr(settings, "INSPECTIONS_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_files() -> int:
    return int(getattr(settings, "INSPECTIONS_UPLOAD_MAX_FILES", DEFAULT_MAX_FILES))


def help_text() -> str:
    """What the file field accepts, in the user's language (formatted per request)."""
    # The wording of staff evidence of progress (the same types, the same cleaning).
    limits = _(
        "PDF, Word (.docx), Excel (.xlsx), ảnh PNG, JPEG, WEBP; tối đa %(count)d tệp, "
        "mỗi tệp không quá %(size)s."
    ) % {"count": max_files(), "size": filesizeformat(max_bytes())}
    # Word and Excel files are cleaned too (core.uploads.sanitised): the same words as
    # the progress evidence's.
    removed = _(
        "Vị trí GPS trong ảnh, tên tác giả trong PDF, Word, Excel (cả người nhận xét, "
        "người sửa) được xóa trước khi lưu; tệp có macro không được nhận."
    )
    return f"{limits} {removed}"


def _not_accepted(name: str) -> ValidationError:
    return shared.error(
        _(
            "Loại tệp không được chấp nhận: %(name)s. Chỉ nhận PDF, Word (.docx), Excel (.xlsx), "
            "ảnh PNG, JPEG, WEBP. / File type not accepted: only PDF, DOCX, XLSX, PNG, JPEG "
            "and WEBP."
        ),
        name,
        "file_type",
    )


def check_one(upload: Any) -> CheckedFile:
    """Check and sanitise one upload; ValidationError naming the file otherwise."""
    name = shared.display_name(upload, max_length=255)
    data = shared.read(upload, name=name, limit=max_bytes())
    shared.check_zip(data, name=name)
    content_type = evidence_types.sniff(data)
    if content_type is None:
        raise _not_accepted(name)
    data = shared.sanitised(data, content_type, name=name)
    return CheckedFile(content=data, original_name=name, content_type=content_type)


def check_files(uploads: Sequence[Any] | None) -> list[CheckedFile]:
    """Check every upload; one ValidationError listing every refused file."""
    uploads = [upload for upload in (uploads or []) if upload is not None]
    check_count(len(uploads))
    return shared.check_each(uploads, check_one)


def check_count(total: int) -> None:
    """At most `max_files()` on one observation or one corrective action."""
    limit = max_files()
    if total > limit:
        raise ValidationError(
            _(
                "Tối đa %(max)d tệp cho mỗi kết quả kiểm tra hoặc biện pháp khắc phục. / At "
                "most %(max)d files for each observation or corrective action."
            ),
            params={"max": limit},
            code="too_many_files",
        )


def store(
    observation: Observation,
    files: Iterable[CheckedFile],
    *,
    actor: Any,
    corrective_action: CorrectiveAction | None = None,
    into: list[InspectionFile],
) -> list[InspectionFile]:
    """Save checked files, appending each row to `into` as soon as its file is written.

    Files are not transactional: the caller keeps `into` and calls `discard` when its
    transaction fails, so a rolled-back submission leaves no file behind.
    """
    now = timezone.now()
    return shared.store(
        files,
        row=lambda checked: InspectionFile(
            observation=observation,
            corrective_action=corrective_action,
            uploaded_by=actor,
            uploaded_at=now,
            **checked.row_fields(),
        ),
        into=into,
    )


def check_per_observation(
    files: Mapping[int, Sequence[Any]] | None,
) -> tuple[dict[int, list[CheckedFile]], dict[str, Any]]:
    """Check a checklist's uploads, keyed by observation id, before anything is written: the
    files that passed, and the refused ones' messages keyed `files-<id>`."""
    checked: dict[int, list[CheckedFile]] = {}
    errors: dict[str, Any] = {}
    for observation_id, items in (files or {}).items():
        present = [item for item in items if item is not None]
        if not present:
            continue
        try:
            checked[observation_id] = check_files(present)
        except ValidationError as exc:
            errors[f"files-{observation_id}"] = exc.error_list
    return checked, errors


def described(files: Iterable[InspectionFile]) -> list[dict[str, Any]]:
    """What an audit event says of files: their observation, name and sha256."""
    return [
        {"observation": f.observation_id, "name": f.original_name, "sha256": f.sha256}
        for f in files
    ]


def delete_after_commit(rows: Sequence[InspectionFile]) -> None:
    """Remove the stored files of deleted rows once the deletion is committed (a rolled-back
    removal keeps them)."""
    names = [row.file.name for row in rows if row.file.name]
    if not names:
        return
    storage = InspectionFile._meta.get_field("file").storage

    def delete() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete, robust=True)


def response(item: InspectionFile) -> FileResponse:
    """The stored file under its original name: shown inline when it is a photo (re-encoded
    from its pixels by `sanitised`), downloaded otherwise; never sniffed by the browser."""
    try:
        handle = item.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    answer = FileResponse(
        handle,
        as_attachment=not item.is_image,
        filename=item.original_name or "tep",
        content_type=item.content_type,
    )
    answer["X-Content-Type-Options"] = "nosniff"
    return answer

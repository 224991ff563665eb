"""What the inspections' and the cases' signed copies (`core.signed_papers`) look like in
the API: one output schema and one multipart form, used by `inspection_documents` and
`case_documents`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Final

from ninja import Field, Schema, UploadedFile
from pydantic import StringConstraints, WithJsonSchema

from congvu.core.uploads import IMAGES, PDF

from .common import NO_NUL, IsoDate
from .plans import UserRef

SCAN_TYPES: Final = (PDF, *sorted(IMAGES))
Text = Annotated[str, StringConstraints(max_length=10_000, pattern=NO_NUL)]
#: Optional, so that a missing date is the service's bilingual message; a form field is
#: never null, so the schema says a date.
SignedOn = Annotated[IsoDate | None, WithJsonSchema({"type": "string", "format": "date"})]

RECORD_DESCRIPTION: Final = (
    "multipart/form-data: `number` (số hiệu, bắt buộc), `signed_on` (YYYY-MM-DD, không sau "
    "hôm nay, không trước ngày kết luận), `signer_name`, `signer_title`, `file` (bản chụp "
    "PDF hoặc ảnh, nhận diện theo nội dung), `reason` (bắt buộc khi thay bản đã có; bản cũ "
    "vẫn được lưu). Chưa kết luận hoặc dữ liệu sai: 422. / The number (required), the "
    "signing date (not in the future, not before the conclusion), the signer, the scan (PDF "
    "or a photo, type read from the content) and, to replace the current copy, a reason "
    "(the old one is kept). Not concluded, or bad input: 422."
)


class SignedPaperOut(Schema):
    """A recorded signed copy; its scan is at `download_url`, for the same readers (each
    app's schema resolves it)."""

    id: int
    number: str
    signed_on: dt.date
    signer_name: str
    signer_title: str
    name: str = Field(..., validation_alias="original_name")
    content_type: str
    size: int
    sha256: str
    recorded_by: UserRef | None
    recorded_at: dt.datetime
    current: bool = Field(
        ..., description="Bản hiện hành (chưa bị thay thế) / not replaced", alias="is_current"
    )
    replaced_at: dt.datetime | None
    replaced_by: UserRef | None
    replace_reason: str
    download_url: str


class SignedPaperIn(Schema):
    number: Text = ""
    signed_on: SignedOn = None
    signer_name: Text = ""
    signer_title: Text = ""
    reason: Text = ""

    def values(self, file: UploadedFile | None) -> dict[str, Any]:
        return {
            "number": self.number,
            "signed_on": self.signed_on,
            "signer_name": self.signer_name,
            "signer_title": self.signer_title,
            "reason": self.reason,
            "file": file,
        }

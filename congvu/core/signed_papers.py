"""The signed, numbered copy of a paper the site printed (bản đã ký), shared by the apps.

The site prints an inspection's minutes and conclusion notice, and a concluded case's
paper, with the number left blank. In the office the paper is signed and stamped, given
its number ("15/BB-ĐKT") and date, and the signed copy is scanned and filed. Each app
keeps that record in its own model (`inspections.SignedPaper`, `cases.SignedPaper`, on
`SignedPaperBase`): what is common is here — the fields, the form, the checks of what was
typed (`check_entry`) and of the scan (`check_scan`), storing it, and serving it.

Nothing submitted is lost: a replacement (wrong scan, typo in the number) needs its reason
and marks the previous record replaced, with who, when and why; its file stays.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from . import uploads as shared
from .forms import DateField
from .models import SIGNED_NAME_MAX, SIGNED_NUMBER_MAX, SignedPaperBase
from .text import bounded
from .uploads import CheckedFile

NUMBER_MAX: Final = SIGNED_NUMBER_MAX
NAME_MAX: Final = SIGNED_NAME_MAX
REASON_MAX: Final = 2000
#: A scan is a PDF or a photo of the signed paper; nothing else is a scan.
ACCEPTED: Final = frozenset({shared.PDF, *shared.IMAGES})

P = TypeVar("P", bound=SignedPaperBase)


class SignedPaperForm(forms.Form):
    """Recording (or replacing, with `reason`) the signed copy of a paper."""

    number = forms.CharField(
        label=_lazy("Số hiệu văn bản"),
        max_length=NUMBER_MAX,
        help_text=_lazy("Ví dụ 15/BB-ĐKT hoặc 27/TB-SNV."),
        error_messages={
            "required": _lazy(
                "Cần số hiệu văn bản đã ký. / The number of the signed paper is required."
            )
        },
    )
    signed_on = DateField(
        label=_lazy("Ngày ký"),
        error_messages={"required": _lazy("Cần ngày ký. / The signing date is required.")},
    )
    signer_name = forms.CharField(label=_lazy("Người ký"), max_length=NAME_MAX, required=False)
    signer_title = forms.CharField(
        label=_lazy("Chức vụ người ký"), max_length=NAME_MAX, required=False
    )
    file = forms.FileField(
        label=_lazy("Bản chụp (scan) văn bản đã ký"),
        help_text=_lazy("PDF hoặc ảnh PNG, JPEG, WEBP."),
        error_messages={
            "required": _lazy(
                "Cần tệp bản chụp văn bản đã ký. / The scan of the signed paper is required."
            )
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.webp"}),
    )
    reason = forms.CharField(
        label=_lazy("Lý do thay thế (khi đã có bản đã ký)"),
        max_length=REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def values(self) -> dict[str, Any]:
        """The cleaned values as the services take them."""
        return {key: self.cleaned_data[key] for key in self.fields}


@dataclass(frozen=True)
class Entry:
    """What was typed, checked and trimmed."""

    number: str
    signed_on: dt.date
    signer_name: str
    signer_title: str
    reason: str


def _today_error() -> str:
    return _("Ngày ký không được sau hôm nay. / The signing date cannot be in the future.")


def check_entry(
    *,
    number: Any,
    signed_on: Any,
    signer_name: Any = "",
    signer_title: Any = "",
    reason: Any = "",
    concluded_on: dt.date,
    replacing: bool,
) -> tuple[Entry | None, dict[str, list[str]]]:
    """The entry, or the errors keyed by field (every one at once)."""
    errors: dict[str, list[str]] = {}

    def text(value: Any, limit: int, key: str) -> str:
        try:
            return bounded(str(value or ""), limit, key)
        except ValidationError as exc:
            errors.setdefault(key, []).extend(exc.messages)
            return ""

    number = " ".join(text(number, NUMBER_MAX, "number").split())
    signer_name = text(signer_name, NAME_MAX, "signer_name")
    signer_title = text(signer_title, NAME_MAX, "signer_title")
    reason = text(reason, REASON_MAX, "reason")
    if not number and "number" not in errors:
        errors["number"] = [
            _("Cần số hiệu văn bản đã ký. / The number of the signed paper is required.")
        ]
    if not isinstance(signed_on, dt.date):
        errors["signed_on"] = [_("Cần ngày ký. / The signing date is required.")]
    elif signed_on > timezone.localdate():
        errors["signed_on"] = [_today_error()]
    elif signed_on < concluded_on:
        errors["signed_on"] = [
            _(
                "Ngày ký không được trước ngày kết luận (%(day)s). / The signing date cannot "
                "be before the conclusion (%(day)s)."
            )
            % {"day": f"{concluded_on:%d/%m/%Y}"}
        ]
    if replacing and not reason and "reason" not in errors:
        errors["reason"] = [
            _(
                "Đã có bản đã ký; cần ghi lý do thay thế (bản cũ vẫn được lưu). / A signed "
                "copy is already recorded: say why it is replaced (the old one is kept)."
            )
        ]
    if errors:
        return None, errors
    assert isinstance(signed_on, dt.date)
    return Entry(number, signed_on, signer_name, signer_title, reason), errors


def _not_accepted(name: str) -> ValidationError:
    return shared.error(
        _(
            "Tệp %(name)s không phải PDF hay ảnh (PNG, JPEG, WEBP); bản đã ký chỉ nhận bản "
            "chụp PDF hoặc ảnh. / The file is neither a PDF nor a photo (PNG, JPEG, WEBP): "
            "the signed copy must be a scan in one of them."
        ),
        name,
        "file_type",
    )


def check_scan(upload: Any, *, limit: int) -> CheckedFile:
    """The scan's bytes, type read from the content (never the name), cleaned of their
    metadata; ValidationError naming the file otherwise."""
    if upload is None:
        raise ValidationError(
            _("Cần tệp bản chụp văn bản đã ký. / The scan of the signed paper is required."),
            code="required",
        )
    name = shared.display_name(upload, max_length=255)
    data = shared.read(upload, name=name, limit=limit)
    content_type = shared.sniff(data)
    if content_type not in ACCEPTED:
        raise _not_accepted(name)
    data = shared.sanitised(data, content_type, name=name)
    return CheckedFile(content=data, original_name=name, content_type=content_type)


def checked_or_errors(
    upload: Any, *, limit: int, errors: dict[str, list[str]]
) -> CheckedFile | None:
    """`check_scan`, its refusal added to `errors` under "file"."""
    try:
        return check_scan(upload, limit=limit)
    except ValidationError as exc:
        errors.setdefault("file", []).extend(exc.messages)
        return None


def recording(
    file: Any,
    *,
    limit: int,
    write: Callable[[CheckedFile | None, dict[str, list[str]], list[Any]], P],
) -> P:
    """Check the scan (its errors collected with the rest of the entry's), then
    `write(checked, errors, stored)` in one transaction; if it fails, the files stored
    so far are removed, so nothing half-written is left."""
    errors: dict[str, list[str]] = {}
    checked = checked_or_errors(file, limit=limit, errors=errors)
    stored: list[Any] = []
    try:
        with transaction.atomic():
            return write(checked, errors, stored)
    except BaseException:
        shared.discard(stored)
        raise


def save(
    checked: CheckedFile,
    entry: Entry,
    *,
    row: Callable[..., P],
    actor: Any,
    into: list[P],
) -> P:
    """Store the scan and its row (`row(**fields)` builds the unsaved model with its links).
    Files are not transactional: the caller discards `into` when its transaction fails."""
    fields = {
        "number": entry.number,
        "signed_on": entry.signed_on,
        "signer_name": entry.signer_name,
        "signer_title": entry.signer_title,
        "recorded_by": actor,
        "recorded_at": timezone.now(),
    }
    return shared.store([checked], row=lambda c: row(**fields, **c.row_fields()), into=into)[0]


def replace(previous: SignedPaperBase | None, *, actor: Any, reason: str) -> None:
    """Mark `previous` replaced (kept, with who, when and why)."""
    if previous is None:
        return
    previous.replaced_at = timezone.now()
    previous.replaced_by = actor
    previous.replace_reason = reason
    previous.save(update_fields=["replaced_at", "replaced_by", "replace_reason"])


def response(paper: Any) -> FileResponse:
    """The scan, as an attachment under the name it was sent with; never sniffed."""
    try:
        handle = paper.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    answer = FileResponse(
        handle,
        as_attachment=True,
        filename=paper.original_name or "ban-da-ky",
        content_type=paper.content_type,
    )
    answer["X-Content-Type-Options"] = "nosniff"
    return answer


def form_page(
    request: Any,
    *,
    call: Callable[[dict[str, Any]], Any],
    context: dict[str, Any],
    done: str,
) -> HttpResponse:
    """The recording page of both apps: parse `SignedPaperForm`, `call(values)` the app's
    service, redirect to `done`; else the form again with every error and what was typed
    (a browser never fills a file box again: the page says the file was not kept)."""
    form = SignedPaperForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                call(form.values())
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for key, errors in exc.message_dict.items():
                        form.add_error(key if key in form.fields else None, errors)
                else:
                    form.add_error(None, exc.messages)
            else:
                messages.success(request, _("Đã lưu bản đã ký. / The signed copy is recorded."))
                return redirect(done)
        if request.FILES and "file" not in form.errors:
            form.add_error(
                "file",
                _("Chưa lưu tệp; hãy chọn lại tệp. / The file was not saved; select it again."),
            )
    return render(
        request,
        "core/signed_paper_form.html",
        {**context, "form": form},
        status=400 if request.method == "POST" else 200,
    )

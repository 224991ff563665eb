"""Helpers shared by the progress, upload and extension tests (no tests here).

Assignments are made directly, not through the planning services' fan-out, so
these tests depend only on the models.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from congvu.accounts.models import Role, User
from congvu.conftest import make_user
from congvu.core.tests.media_helpers import pdf_bytes
from congvu.planning.models import Assignment, Plan, Task


def _image(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 12), (30, 120, 200)).save(out, format=fmt)
    return out.getvalue()


# Real files: photos are re-encoded and PDFs rewritten when stored, so they must open.
PDF = pdf_bytes()
PNG = _image("PNG")
JPEG = _image("JPEG")
WEBP = _image("WEBP")


def today() -> dt.date:
    return timezone.localdate()


def days(n: int) -> dt.date:
    return today() + dt.timedelta(days=n)


def focal_point(organisation: Any, username: str = "focal") -> User:
    return make_user(username, Role.FOCAL_POINT, organisation)


def make_plan(issuer: Any, number: str = "86/KH-UBND") -> Plan:
    return Plan.objects.create(
        number=number,
        title="Kế hoạch thực hiện văn hóa công vụ",
        issuing_organisation=issuer,
        issued_on=dt.date(2019, 8, 30),
    )


def make_assignment(
    plan: Plan,
    organisation: Any,
    *,
    code: str = "1",
    due: dt.date | None = None,
    period: str = "2026",
    period_start: dt.date | None = None,
    progress: str = Assignment.Progress.NOT_STARTED,
    percent: int = 0,
    completed_on: dt.date | None = None,
    working_days: int | None = None,
) -> Assignment:
    task, _ = Task.objects.get_or_create(
        plan=plan,
        code=code,
        defaults={
            "content": f"Nhiệm vụ {code}: quán triệt quy tắc ứng xử",
            "starts_on": days(-60),
            "due_working_days": working_days,
        },
    )
    due = due or days(10)
    return Assignment.objects.create(
        task=task,
        organisation=organisation,
        period=period,
        period_start=period_start or days(-60),
        period_end=days(300),
        original_due_on=due,
        due_on=due,
        progress=progress,
        percent=percent,
        completed_on=completed_on,
    )


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()

"""Shared setup of the back-office tests: cases filed through the real services."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from congvu.accounts.models import Role, User
from congvu.conftest import make_user
from congvu.core.tests.media_helpers import pdf_bytes
from congvu.organisations.models import Organisation, StaffMember

from .. import services, workflow
from ..models import Case, Track

REPORTER_NAME = "Trần Thị Bích Ngọc"
REPORTER_PHONE = "0987654321"
REPORTER_EMAIL = "ngoc.reporter@example.vn"
S = Case.Status


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def pdf(name: str = "bien-ban.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def file_report(
    *,
    staff: StaffMember | None = None,
    organisation: Organisation | None = None,
    anonymous: bool = False,
    track: str = Track.FEEDBACK,
    description: str = "Cán bộ gây khó khăn, đòi tiền khi nhận hồ sơ.",
    clause_ids: tuple[int, ...] = (),
    files: tuple[Any, ...] = (),
) -> Case:
    data = services.ReportInput(
        track=track,
        subject_staff=staff,
        organisation=organisation,
        subject_description="" if staff is not None else "Cán bộ tiếp nhận hồ sơ buổi sáng",
        description=description,
        clause_ids=clause_ids,
        is_anonymous=anonymous,
        reporter_name="" if anonymous else REPORTER_NAME,
        reporter_phone="" if anonymous else REPORTER_PHONE,
        reporter_email="" if anonymous else REPORTER_EMAIL,
    )
    return services.submit_report(data, files=files).case


def move(case: Case, *targets: str, actor: User, **kwargs: Any) -> Case:
    for target in targets:
        extra = dict(kwargs) if target in (S.CONCLUDED, S.REJECTED) else {}
        if target == S.CONCLUDED:
            extra.setdefault("outcome", Case.Outcome.SUBSTANTIATED)
            extra.setdefault("conclusion", "Có căn cứ: cán bộ đã đòi tiền.")
        if target == S.REJECTED:
            extra.setdefault("reject_reason", Case.RejectReason.INSUFFICIENT)
        case = workflow.transition(case, S(target), actor=actor, **extra)
    return case


def make_case_handler(organisation: Organisation, full_name: str = "Lê Thị Lan") -> User:
    """A CASE_HANDLER of `organisation` with a name to find on the pages."""
    user = make_user("handler", Role.CASE_HANDLER, organisation)
    user.full_name = full_name
    user.save(update_fields=["full_name"])
    return user

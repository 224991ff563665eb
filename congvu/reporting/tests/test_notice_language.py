"""A report's submitter reads the reviewer's decision in their own language; the note as typed."""

from __future__ import annotations

from typing import Any

import pytest

from congvu.core.tests.notice_helpers import notifications_page, shows_all
from congvu.reporting import services
from congvu.reporting.models import OrganisationReport

pytestmark = pytest.mark.django_db

NOTE = "Bổ sung số liệu quý IV."


@pytest.mark.parametrize(
    ("language", "start", "absent"),
    [
        ("en", "Report “{period}” returned for completion", "được trả lại"),
        ("vi", "Báo cáo “{period}” được trả lại để bổ sung", "returned for"),
    ],
)
def test_a_returned_report_reads_in_the_readers_language(
    draft: OrganisationReport, officer: Any, head: Any, language: str, start: str, absent: str
) -> None:
    report = services.submit_report(draft, actor=head)
    services.return_report(report, actor=officer, comments=NOTE)
    page = notifications_page(head, language)
    assert shows_all(page, [start.format(period=draft.period.name), NOTE])
    assert absent not in page


@pytest.mark.parametrize(
    ("language", "start"),
    [("en", "Report “{period}” accepted"), ("vi", "Báo cáo “{period}” đã được tiếp nhận")],
)
def test_an_accepted_report_reads_in_the_readers_language(
    draft: OrganisationReport, officer: Any, head: Any, language: str, start: str
) -> None:
    report = services.submit_report(draft, actor=head)
    services.accept_report(report, actor=officer)
    page = notifications_page(head, language)
    assert shows_all(page, [start.format(period=draft.period.name)])

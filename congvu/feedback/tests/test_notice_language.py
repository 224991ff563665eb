"""The reviewers' notice of flagged ratings reads in the reader's language."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from congvu.accounts.models import User
from congvu.core.tests.notice_helpers import notifications_page, shows_all
from congvu.feedback import flag_digest
from congvu.feedback.models import Rating

from .test_flag_digest import flagged  # noqa: F401 - a fixture used below

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "expected", "absent"),
    [
        (
            "en",
            [
                "Ratings awaiting review on {today}: 3 flagged, 2 new since yesterday",
                "- {organisation}: 3 awaiting review (2 new)",
                "The following ratings were flagged as possibly abnormal",
            ],
            "lượt chờ xem xét",
        ),
        (
            "vi",
            [
                "Đánh giá chờ xem xét ngày {today}: 3 lượt bị gắn cờ, 2 lượt mới từ hôm qua",
                "- {organisation}: 3 lượt chờ xem xét (2 mới)",
            ],
            "awaiting review",
        ),
    ],
)
def test_the_flagged_ratings_notice_reads_in_the_readers_language(
    flagged: list[Rating],  # noqa: F811 - the imported fixture
    head: User,
    province: Any,
    language: str,
    expected: list[str],
    absent: str,
) -> None:
    today = timezone.localdate()
    flag_digest.send(today)
    page = notifications_page(head, language)
    values = {"today": f"{today:%d/%m/%Y}", "organisation": province["dept_justice"].name}
    assert shows_all(page, [text.format(**values) for text in expected])
    assert absent not in page
    assert "Bình luận riêng" not in page

"""The home page's work list, the ratings' part: flagged ratings waiting for review."""

from __future__ import annotations

from django.utils import timezone

from congvu.accounts.models import User
from congvu.api.tests.conftest import bearer
from congvu.conftest import client_for
from congvu.core import worklist
from congvu.feedback.models import Rating
from congvu.organisations.models import Organisation

from .test_flag_digest import flagged  # noqa: F401  (the fixture)


def work_of(user: User) -> dict[str, worklist.Item]:
    return {item.key: item for item in worklist.collect(user, timezone.localdate())}


def test_a_reviewer_sees_how_many_flagged_ratings_wait_per_organisation(
    flagged: list[Rating],  # noqa: F811
    head: User,
    outsider: User,
    viewer: User,
    province: dict[str, Organisation],
) -> None:
    item = work_of(head)["feedback.flagged_ratings"]
    justice = province["dept_justice"]
    assert (item.count, item.url) == (3, "/ratings/flagged/")
    assert item.entries[0].url == f"/ratings/flagged/?organisation={justice.pk}"
    assert item.entries[0].text == f"{justice.name}: 3 đánh giá"
    # Three ratings, one organisation, listed: no "and 2 more…" pointing at nothing.
    assert item.more == 0
    page = client_for(head).get("/").content.decode()
    assert "Đánh giá bị gắn cờ chờ xem xét" in page
    assert "việc khác" not in page
    api = {row["key"]: row for row in bearer(head).get("/api/v1/me/work").json()}
    assert (api["feedback.flagged_ratings"]["count"], api["feedback.flagged_ratings"]["more"]) == (
        3,
        0,
    )
    assert "Bình luận riêng" not in page  # counts only, never what citizens wrote
    # Another organisation's head and a viewer (no review permission) see nothing.
    assert "feedback.flagged_ratings" not in work_of(outsider)
    assert "feedback.flagged_ratings" not in work_of(viewer)

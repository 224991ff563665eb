"""What a signed-in user is shown is never kept by a proxy or on a shared computer's disk:
`Cache-Control: private, no-store` on pages, API answers and files, unless the view chose
its caching itself (the public pages, rendered without the user)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from congvu.accounts.services import create_api_token
from congvu.cases.models import Case
from congvu.cases.tests.core_helpers import media, report  # noqa: F401
from congvu.conftest import client_for
from congvu.organisations.models import Organisation, StaffMember

Province = dict[str, Organisation]


def kept_nowhere(response: Any) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives and "public" not in directives


def test_a_staff_page_with_the_phone_is_not_kept(
    as_head: Client, staff_member: StaffMember
) -> None:
    page = as_head.get(reverse("organisations:staff_detail", args=[staff_member.pk]))
    assert page.status_code == 200 and "0912345678" in page.content.decode()
    assert kept_nowhere(page)


def test_the_staff_list_and_a_staff_members_own_pages_are_not_kept(
    as_head: Client, staff_user: Any, staff_member: StaffMember
) -> None:
    assert kept_nowhere(as_head.get(reverse("organisations:staff_list")))
    mine = client_for(staff_user).get(reverse("organisations:my_profile"))
    assert mine.status_code == 200 and "duc@example.vn" in mine.content.decode()
    assert kept_nowhere(mine)


@pytest.mark.usefixtures("media")
def test_a_case_page_naming_the_reporter_is_not_kept(
    as_head: Client, staff_member: StaffMember
) -> None:
    report(
        staff_member,
        is_anonymous=False,
        reporter_name="Hoàng Thị Bí Mật",
        reporter_phone="0987000111",
    )
    case = Case.objects.get()
    # The handling organisation's head: Home Affairs' oversight sees "[…]" until it reveals.
    page = as_head.get(reverse("cases:detail", args=[case.code]))
    assert page.status_code == 200 and "Hoàng Thị Bí Mật" in page.content.decode()
    assert kept_nowhere(page)


def test_an_export_file_is_not_kept(as_head: Client, province: Province) -> None:
    justice = province["dept_justice"]
    download = as_head.get(reverse("organisations:conduct_record_xlsx", args=[justice.pk]))
    assert download.status_code == 200
    assert kept_nowhere(download)


def test_api_answers_are_not_kept_with_a_token_or_the_session(
    head: Any, as_head: Client, staff_member: StaffMember
) -> None:
    _, key = create_api_token(head, name="tests")
    by_token = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    url = f"/api/v1/staff/{staff_member.pk}"
    for client in (by_token, as_head):
        answer = client.get(url)
        assert answer.status_code == 200 and answer.json()["phone"] == "0912345678"
        assert kept_nowhere(answer)
    # A client that keeps its own copy still revalidates it: 304, still not kept.
    again = by_token.get(url, HTTP_IF_NONE_MATCH=by_token.get(url)["ETag"])
    assert again.status_code == 304 and kept_nowhere(again)


def test_refusals_to_a_signed_in_user_are_not_kept_either(
    as_viewer: Client, staff_member: StaffMember
) -> None:
    refused = as_viewer.get(reverse("organisations:staff_edit", args=[staff_member.pk]))
    assert refused.status_code == 403 and kept_nowhere(refused)


def test_the_public_pages_keep_their_own_caching_even_for_a_signed_in_user(
    as_officer: Client,
) -> None:
    # Rendered without the user (no name, no session): shared caches may keep them.
    for client in (as_officer, Client()):
        page = client.get(reverse("transparency:index"))
        assert page.status_code == 200
        assert "public" in page["Cache-Control"] and "no-store" not in page["Cache-Control"]


def test_an_anonymous_visitors_public_page_is_left_as_it_was(db: Any) -> None:
    assert not Client().get(reverse("conduct:public")).has_header("Cache-Control")

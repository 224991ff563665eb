"""Tệp xuất của tôi (and GET /api/v1/me/exports): the user's own background exports of
both kinds, newest first, paged; another user's never; one whose rights were lost not
offered; expired ones said, without a link."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from congvu.accounts.models import Role, User
from congvu.api.tests.conftest import bearer
from congvu.cases import tasks
from congvu.cases.models import Case, CaseExport
from congvu.cases.tests.office_helpers import REPORTER_NAME
from congvu.conftest import client_for, make_staff, make_user
from congvu.organisations.models import BadgeExport, Organisation, StaffMember

PAGE = reverse("core:my_exports")
API = "/api/v1/me/exports"
CASES_EXPORT = reverse("cases:export")
Province = dict[str, Organisation]


# Every cases export and every sheet of more than two badges goes to the worker
# (`background_exports`, with `case` and `justice_staff`: core/tests/conftest.py).
pytestmark = pytest.mark.usefixtures("background_exports")


def badge_sheet(client: Client, organisation: Organisation, on_commit: Any) -> BadgeExport:
    """A large badge sheet asked and made (the worker runs after the commit)."""
    with on_commit(execute=True):
        asked = client.get(reverse("organisations:badges_pdf", args=[organisation.pk]))
    assert asked.status_code == 302
    return BadgeExport.objects.order_by("-pk").first()  # type: ignore[return-value]


def cases_export(client: Client, **params: str) -> CaseExport:
    asked = client.get(CASES_EXPORT, params)
    assert asked.status_code == 302
    export = CaseExport.objects.order_by("-pk").first()
    assert export is not None
    return export


def listed(client: Client, **params: str) -> list[dict[str, str]]:
    """The page's rows: kind, id, state and the cells' text."""
    response = client.get(PAGE, params)
    assert response.status_code == 200
    html = response.content.decode()
    rows = []
    for chunk in html.split("<tr data-kind=")[1:]:
        kind, rest = chunk[1:].split('"', 1)
        state = rest.split('data-state="', 1)[1].split('"', 1)[0]
        ident = rest.split('id="export-', 1)[1].split('"', 1)[0]
        rows.append({"kind": kind, "state": state, "id": ident, "html": chunk.split("</tr>")[0]})
    return rows


def test_the_page_lists_both_kinds_newest_first_with_their_state_and_links(
    officer: User,
    province: Province,
    case: Case,
    justice_staff: list[StaffMember],
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = client_for(officer)
    badge = badge_sheet(client, province["dept_justice"], django_capture_on_commit_callbacks)
    export = cases_export(client, format="csv")
    rows = listed(client)
    assert [(row["kind"], row["state"]) for row in rows] == [
        ("cases", "waiting"),
        ("badges", "ready"),
    ]
    first, second = rows
    status = reverse("cases:export_status", args=[export.pk])
    assert f'href="{status}"' in first["html"] and "Đang chờ" in first["html"]
    assert "1 vụ việc · CSV" in first["html"]
    asked = timezone.localtime(export.requested_at).strftime("%d/%m/%Y %H:%M")
    assert asked in first["html"]
    assert province["dept_justice"].name in second["html"] and "3 thẻ · PDF" in second["html"]
    badge_file = reverse("organisations:badge_export_file", args=[badge.pk])
    assert f'href="{badge_file}"' in second["html"]

    assert tasks.make_export.call(export.pk) == "done"
    first = listed(client)[0]
    assert first["state"] == "ready" and "Sẵn sàng tải về" in first["html"]
    file_url = reverse("cases:export_file", args=[export.pk])
    assert f'href="{file_url}"' in first["html"]
    until = timezone.localtime(CaseExport.objects.get(pk=export.pk).expires_at)
    assert until.strftime("%d/%m/%Y %H:%M") in first["html"]
    content = b"".join(client.get(file_url).streaming_content)  # type: ignore[attr-defined]
    table = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    # Home Affairs' oversight exports the case with its reporter masked (identityneed).
    assert case.code in table[1] and REPORTER_NAME not in table[1]


def test_the_page_is_in_english_for_an_english_reader(officer: User, case: Case) -> None:
    client = client_for(officer)
    cases_export(client)
    client.cookies["congvu_lang"] = "en"
    html = client.get(PAGE).content.decode()
    assert "My exports" in html and "Cases export" in html and "Queued" in html


def test_another_users_export_is_never_listed_and_its_page_is_404(
    officer: User, head: User, case: Case, as_outsider: Client
) -> None:
    mine = cases_export(client_for(officer))
    theirs = cases_export(client_for(head))
    assert [row["id"] for row in listed(client_for(officer))] == [f"cases-{mine.pk}"]
    assert [row["id"] for row in listed(client_for(head))] == [f"cases-{theirs.pk}"]
    assert listed(as_outsider) == []
    assert "Bạn chưa có tệp xuất nào" in as_outsider.get(PAGE).content.decode()
    for url in (
        reverse("cases:export_status", args=[theirs.pk]),
        f"/api/v1/cases/exports/{theirs.pk}",
    ):
        assert client_for(officer).get(url).status_code == 404
    assert [item["id"] for item in bearer(officer).get(API).json()["items"]] == [mine.pk]


def test_an_export_whose_rights_were_lost_is_not_offered_and_its_page_is_403(
    officer: User,
    head: User,
    province: Province,
    case: Case,
    justice_staff: list[StaffMember],
    django_capture_on_commit_callbacks: Any,
) -> None:
    export = cases_export(client_for(head))
    assert tasks.make_export.call(export.pk) == "done"
    export.refresh_from_db()
    stored = export.file.name
    badge = badge_sheet(
        client_for(officer), province["dept_justice"], django_capture_on_commit_callbacks
    )
    # No signal: a queryset update, caught by the check at each look.
    head.grants.update(role=Role.VIEWER)
    officer.grants.update(role=Role.VIEWER)
    with django_capture_on_commit_callbacks(execute=True):
        assert listed(client_for(head)) == []
    assert not default_storage.exists(stored)  # deleted at the look, as its page would
    assert listed(client_for(officer)) == []
    assert bearer(head).get(API).json() == {"items": [], "count": 0}
    assert client_for(head).get(reverse("cases:export_status", args=[export.pk])).status_code == 403
    badge_page = reverse("organisations:badge_export", args=[badge.pk])
    assert client_for(officer).get(badge_page).status_code == 403


def test_an_expired_export_is_said_without_a_link(
    officer: User, case: Case, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(officer)
    export = cases_export(client)
    assert tasks.make_export.call(export.pk) == "done"
    export.refresh_from_db()
    stored = export.file.name
    CaseExport.objects.filter(pk=export.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        (row,) = listed(client)
    assert row["state"] == "expired" and "Đã hết hạn" in row["html"]
    # Neither its page nor its file: only the way to delete it from the list.
    delete = reverse("core:my_export_delete", args=["cases", export.pk])
    assert row["html"].count("href") == 1 and f'href="{delete}"' in row["html"]
    assert not default_storage.exists(stored)
    (item,) = bearer(officer).get(API).json()["items"]
    assert item["state"] == "expired" and item["file_url"] is None and item["page_url"] is None


def test_a_failed_export_says_why(officer: User, case: Case) -> None:
    client = client_for(officer)
    export = cases_export(client)
    CaseExport.objects.filter(pk=export.pk).update(
        status=CaseExport.Status.FAILED, message="Không tạo được tệp Excel / could not"
    )
    (row,) = listed(client)
    assert row["state"] == "failed" and "Không tạo được tệp Excel" in row["html"]
    status = reverse("cases:export_status", args=[export.pk])
    assert f'href="{status}"' in row["html"]


def test_the_page_is_paged_twenty_at_a_time(officer: User) -> None:
    now = timezone.now()
    for n in range(25):
        CaseExport.objects.create(
            user=officer,
            fingerprint=f"{n}",
            language="vi",
            rows=n,
            grants=[],
            expires_at=now + dt.timedelta(hours=1),
        )
    client = client_for(officer)
    first = listed(client)
    assert len(first) == 20 and "Trang 1/2" in client.get(PAGE).content.decode()
    second = listed(client, page="2")
    assert len(second) == 5
    ids = [int(row["id"].removeprefix("cases-")) for row in first + second]
    assert ids == sorted(ids, reverse=True)  # newest first
    api = bearer(officer).get(API, {"limit": 10, "offset": 20}).json()
    assert api["count"] == 25 and [item["id"] for item in api["items"]] == ids[20:]


def test_the_api_lists_both_kinds_and_refuses_anonymous_callers(
    officer: User,
    province: Province,
    case: Case,
    justice_staff: list[StaffMember],
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = client_for(officer)
    badge = badge_sheet(client, province["dept_justice"], django_capture_on_commit_callbacks)
    api = bearer(officer)
    started = api.post("/api/v1/cases/exports?format=csv")
    assert started.status_code == 202
    body = api.get(API).json()
    assert body["count"] == 2
    newest, older = body["items"]
    assert newest["kind"] == "cases" and newest["format"] == "csv"
    assert newest["state"] == "waiting" and newest["status_url"] == started.json()["status_url"]
    assert older["kind"] == "badges" and older["id"] == badge.pk and older["state"] == "ready"
    assert older["file_url"] == reverse("organisations:badge_export_file", args=[badge.pk])
    assert older["status_url"] == f"/api/v1/badge-exports/{badge.pk}"
    assert older["api_file_url"] == f"/api/v1/badge-exports/{badge.pk}/file"
    assert older["deletable"] is True and newest["deletable"] is False
    assert Client().get(API).status_code == 401


def test_the_page_is_offered_where_each_user_looks_for_it(
    province: Province, officer: User, staff_user: User, staff_member: StaffMember, case: Case
) -> None:
    def offered(user: User) -> list[str]:
        response = client_for(user).get(reverse("core:home"))
        return [item.key for item in response.context["nav_items"]]

    # A head of unit who is also on the staff: in the "Của tôi" menu they already have.
    head = make_user("truongphong", Role.HEAD, province["dept_justice"])
    other = make_staff(province["dept_justice"], "Trần Thị Trưởng", "STP-H1")
    other.user = head
    other.save(update_fields=["user"])
    assert "my_exports" in offered(head)
    # The Home Affairs officer has no such menu (one of its own would wrap the header onto
    # a second line): the account page and each export's page lead there.
    assert "my_exports" not in offered(officer)
    officer_client = client_for(officer)
    assert f'href="{PAGE}"' in officer_client.get(reverse("accounts:settings")).content.decode()
    export = cases_export(officer_client)
    status = officer_client.get(reverse("cases:export_status", args=[export.pk]))
    assert f'href="{PAGE}"' in status.content.decode()
    assert "my_exports" not in offered(staff_user)  # may neither see cases nor print badges
    assert client_for(staff_user).get(PAGE).status_code == 200  # their own, empty list
    assert Client().get(PAGE).status_code == 302  # to the sign-in page

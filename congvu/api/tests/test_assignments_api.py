"""Assignments, progress updates with evidence, and extensions through /api/v1/."""

import datetime as dt
import hashlib
import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from congvu.accounts.models import Role, User
from congvu.conftest import client_for, make_user
from congvu.core.tests.media_helpers import (
    AUTHOR,
    docx_bytes,
    docx_with_traces,
    pdf_bytes,
    unzipped,
)
from congvu.organisations.models import Organisation
from congvu.planning.models import (
    Assignment,
    EvidenceFile,
    ExtensionRequest,
    Plan,
    ProgressUpdate,
    Task,
)

from .test_plans_api import make_assignment, make_plan, make_task

URL = "/api/v1/assignments"
EXTENSIONS = "/api/v1/extension-requests"
PDF = pdf_bytes()


@pytest.fixture
def site_urls(settings: Any) -> None:
    """The whole site's URLs: the services link their notifications to the pages."""
    settings.ROOT_URLCONF = "config.urls"


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def task(province: dict[str, Organisation]) -> Task:
    return make_task(make_plan(province["root"]), "1", province["dept_justice"])


@pytest.fixture
def by_state(task: Task, province: dict[str, Organisation]) -> dict[str, Assignment]:
    """One assignment of Sở Tư pháp in each of the government's statuses today."""
    today = timezone.localdate()
    yesterday, tomorrow = today - dt.timedelta(days=1), today + dt.timedelta(days=1)
    dept = province["dept_justice"]
    return {
        "overdue": make_assignment(task, dept, period="2025-Q1", due_on=yesterday),
        "not_started": make_assignment(task, dept, period="2025-Q2", due_on=tomorrow),
        "in_progress": make_assignment(
            task, dept, period="2025-Q3", due_on=tomorrow, progress="in_progress"
        ),
        "done_on_time": make_assignment(
            task, dept, period="2025-Q4", due_on=today, completed_on=today, progress="done"
        ),
        "done_late": make_assignment(
            task, dept, period="2026-Q1", due_on=yesterday, completed_on=today, progress="done"
        ),
    }


@pytest.fixture
def assignment(task: Task, province: dict[str, Organisation]) -> Assignment:
    return make_assignment(task, province["dept_justice"])


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


# --- reads --------------------------------------------------------------------------------


def test_each_state_filter_returns_the_assignments_in_that_state_today(
    api_officer: Client, by_state: dict[str, Assignment]
) -> None:
    today = timezone.localdate()
    for state, expected in by_state.items():
        response = api_officer.get(URL, {"state": state})
        assert ids(response) == [expected.pk], state
        assert response.json()["items"][0]["state"] == state
        assert expected.state_on(today) == state


def test_an_unknown_state_is_a_422(api_officer: Client, db: Any) -> None:
    assert api_officer.get(URL, {"state": "lost"}).status_code == 422


def test_officer_lists_assignments_soonest_due_first(
    api_officer: Client, by_state: dict[str, Assignment]
) -> None:
    response = api_officer.get(URL)
    dues = [item["due_on"] for item in response.json()["items"]]
    assert dues == sorted(dues)
    item = response.json()["items"][0]
    assert item["organisation"]["code"] == "H56.02"
    assert item["task"]["plan"]["number"] == "86/KH-UBND"
    assert dt.date.fromisoformat(item["original_due_on"])


def test_filters_by_plan_period_organisation_subtree_and_due_dates(
    api_officer: Client,
    province: dict[str, Organisation],
    task: Task,
    by_state: dict[str, Assignment],
) -> None:
    today = timezone.localdate()
    other_plan = make_plan(province["root"], "99/KH-UBND")
    division = make_assignment(make_task(other_plan, "1"), province["division_justice"])
    commune = make_assignment(task, province["commune"], period="2025-Q2")
    assert ids(api_officer.get(URL, {"plan": other_plan.pk})) == [division.pk]
    assert sorted(ids(api_officer.get(URL, {"period": "2025-Q2"}))) == sorted(
        [by_state["not_started"].pk, commune.pk]
    )
    justice = ids(api_officer.get(URL, {"organisation": province["dept_justice"].pk}))
    assert division.pk in justice and commune.pk not in justice
    assert ids(api_officer.get(URL, {"organisation": province["commune"].pk})) == [commune.pk]
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    assert sorted(ids(api_officer.get(URL, {"due_before": yesterday}))) == sorted(
        [by_state["overdue"].pk, by_state["done_late"].pk]
    )
    later = ids(api_officer.get(URL, {"due_after": (today + dt.timedelta(days=2)).isoformat()}))
    assert sorted(later) == sorted([division.pk, commune.pk])


def test_head_sees_their_department_only(
    api_head: Client, province: dict[str, Organisation], task: Task, assignment: Assignment
) -> None:
    make_assignment(task, province["commune"])
    assert ids(api_head.get(URL)) == [assignment.pk]


def test_outsider_gets_404_for_another_organisations_assignment(
    api_outsider: Client, assignment: Assignment, province: dict[str, Organisation]
) -> None:
    assert ids(api_outsider.get(URL)) == []
    assert api_outsider.get(f"{URL}/{assignment.pk}").status_code == 404
    organisation = {"organisation": province["dept_justice"].pk}
    assert api_outsider.get(URL, organisation).status_code == 404


def test_a_role_without_plan_view_gets_403(staff_user: User, assignment: Assignment) -> None:
    client = client_for(staff_user)
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}/{assignment.pk}").status_code == 403


def test_anonymous_callers_get_401(anonymous: Client, assignment: Assignment) -> None:
    assert anonymous.get(URL).status_code == 401
    assert anonymous.get(f"{URL}/{assignment.pk}").status_code == 401
    assert anonymous.get(EXTENSIONS).status_code == 401
    assert anonymous.post(f"{URL}/{assignment.pk}/confirm").status_code == 401


def test_detail_shows_updates_with_evidence_metadata_but_never_where_it_is_stored(
    api_viewer: Client, assignment: Assignment, head: User
) -> None:
    update = ProgressUpdate.objects.create(
        assignment=assignment,
        progress="in_progress",
        percent=40,
        note="Đã tổ chức hội nghị",
        author=head,
    )
    EvidenceFile.objects.create(
        update=update,
        file="evidence/2026/11/0f1e2d3c4b5a69788796a5b4c3d2e1f0.pdf",
        original_name="Biên bản hội nghị.pdf",
        content_type="application/pdf",
        size=12345,
        sha256="ab" * 32,
    )
    response = api_viewer.get(f"{URL}/{assignment.pk}")
    assert response.status_code == 200
    [item] = response.json()["updates"]
    assert item["author"] == {"id": head.pk, "full_name": "head"}
    assert item["files"] == [
        {
            "id": EvidenceFile.objects.get().pk,
            "name": "Biên bản hội nghị.pdf",
            "content_type": "application/pdf",
            "size": 12345,
            "sha256": "ab" * 32,
        }
    ]
    assert "0f1e2d3c4b5a" not in response.content.decode()
    assert "evidence/" not in response.content.decode()


# --- progress updates ---------------------------------------------------------------------


def test_head_reports_progress_with_an_evidence_file(
    api_head: Client, assignment: Assignment, media: None
) -> None:
    upload = SimpleUploadedFile("bao-cao.pdf", PDF, content_type="application/pdf")
    response = api_head.post(
        f"{URL}/{assignment.pk}/updates",
        {
            "progress": "in_progress",
            "percent": "60",
            "note": "Đang triển khai",
            "evidence": [upload],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["progress"], body["percent"], body["state"]) == ("in_progress", 60, "in_progress")
    [update] = body["updates"]
    [evidence] = update["files"]
    assert evidence["name"] == "bao-cao.pdf"
    assert evidence["content_type"] == "application/pdf"
    stored = EvidenceFile.objects.get().file
    with stored.open("rb") as handle:
        data = handle.read()
    assert AUTHOR.encode() in PDF and AUTHOR.encode() not in data
    assert evidence["size"] == len(data)
    assert evidence["sha256"] == hashlib.sha256(data).hexdigest()
    assert stored.name not in response.content.decode()


def test_a_file_that_is_not_accepted_is_a_422_and_nothing_is_saved(
    api_head: Client, assignment: Assignment, media: None
) -> None:
    script = SimpleUploadedFile("bao-cao.pdf", b"#!/bin/sh\necho hi\n")
    response = api_head.post(
        f"{URL}/{assignment.pk}/updates",
        {"progress": "in_progress", "percent": "60", "evidence": [script]},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "evidence"]
    assert not ProgressUpdate.objects.exists()


def test_word_evidence_with_macros_is_a_422_naming_it_and_a_clean_one_loses_its_author(
    api_head: Client, assignment: Assignment, media: None
) -> None:
    with zipfile.ZipFile(io.BytesIO(docx_bytes())) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
    macros = SimpleUploadedFile("bao-cao.docx", out.getvalue())
    response = api_head.post(
        f"{URL}/{assignment.pk}/updates",
        {"progress": "in_progress", "percent": "60", "evidence": [macros]},
    )
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "evidence"]
    assert "Tệp bao-cao.docx có macro hoặc mã tự chạy, không được chấp nhận" in error["msg"]
    assert not ProgressUpdate.objects.exists()

    clean = SimpleUploadedFile("bao-cao.docx", docx_with_traces())
    response = api_head.post(
        f"{URL}/{assignment.pk}/updates",
        {"progress": "in_progress", "percent": "60", "evidence": [clean]},
    )
    assert response.status_code == 201, response.content
    with EvidenceFile.objects.get().file.open("rb") as handle:
        stored = handle.read()
    assert AUTHOR.encode() not in unzipped(stored)


def test_viewer_gets_403_reporting_progress(api_viewer: Client, assignment: Assignment) -> None:
    response = api_viewer.post(
        f"{URL}/{assignment.pk}/updates", {"progress": "in_progress", "percent": "10"}
    )
    assert response.status_code == 403
    assert not ProgressUpdate.objects.exists()


def test_outsider_gets_404_reporting_progress(api_outsider: Client, assignment: Assignment) -> None:
    response = api_outsider.post(
        f"{URL}/{assignment.pk}/updates", {"progress": "in_progress", "percent": "10"}
    )
    assert response.status_code == 404


def test_done_at_less_than_100_percent_is_a_422_on_percent(
    api_head: Client, assignment: Assignment
) -> None:
    response = api_head.post(f"{URL}/{assignment.pk}/updates", {"progress": "done", "percent": 90})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "percent"]


def test_head_confirms_a_reported_completion(api_head: Client, assignment: Assignment) -> None:
    done = {"progress": "done", "percent": "100"}
    assert api_head.post(f"{URL}/{assignment.pk}/updates", done).status_code == 201
    response = api_head.post(f"{URL}/{assignment.pk}/confirm")
    assert response.status_code == 200, response.content
    assert response.json()["confirmed_by"]["full_name"] == "head"
    assert response.json()["state"] == "done_on_time"
    # Confirmed is final.
    again = api_head.post(f"{URL}/{assignment.pk}/confirm")
    assert again.status_code == 422


def test_viewer_gets_403_confirming(api_viewer: Client, assignment: Assignment) -> None:
    assert api_viewer.post(f"{URL}/{assignment.pk}/confirm").status_code == 403


# --- extensions ---------------------------------------------------------------------------


def ask(client: Client, assignment: Assignment, days: int = 30) -> Any:
    return client.post(
        f"{URL}/{assignment.pk}/extension-requests",
        {
            "requested_due_on": (assignment.due_on + dt.timedelta(days=days)).isoformat(),
            "reason": "Chờ hướng dẫn của Bộ Nội vụ",
        },
        content_type="application/json",
    )


def test_head_asks_for_an_extension_and_the_officer_approves_it(
    api_head: Client, api_officer: Client, assignment: Assignment, site_urls: None
) -> None:
    response = ask(api_head, assignment)
    assert response.status_code == 201, response.content
    extension = response.json()
    assert extension["status"] == "pending"
    assert extension["previous_due_on"] == assignment.due_on.isoformat()
    assert ids(api_head.get(EXTENSIONS, {"status": "pending"})) == [extension["id"]]

    decided = api_officer.post(
        f"{EXTENSIONS}/{extension['id']}/decision",
        {"decision": "approve"},
        content_type="application/json",
    )
    assert decided.status_code == 200, decided.content
    assert decided.json()["status"] == "approved"
    assert decided.json()["decided_by"]["full_name"] == "officer"
    detail = api_head.get(f"{URL}/{assignment.pk}").json()
    assert detail["due_on"] == extension["requested_due_on"]
    assert detail["original_due_on"] == assignment.original_due_on.isoformat()
    assert [e["status"] for e in detail["extensions"]] == ["approved"]


def test_refusing_an_extension_needs_a_reason(
    api_head: Client, api_officer: Client, assignment: Assignment, site_urls: None
) -> None:
    extension = ask(api_head, assignment).json()
    url = f"{EXTENSIONS}/{extension['id']}/decision"
    response = api_officer.post(url, {"decision": "refuse"}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "reason"]
    assert ExtensionRequest.objects.get().status == "pending"


def test_the_requesting_head_gets_403_deciding_their_own_extension(
    api_head: Client, assignment: Assignment
) -> None:
    extension = ask(api_head, assignment).json()
    response = api_head.post(
        f"{EXTENSIONS}/{extension['id']}/decision",
        {"decision": "approve"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_viewer_gets_403_asking_for_an_extension(
    api_viewer: Client, assignment: Assignment
) -> None:
    assert ask(api_viewer, assignment).status_code == 403


def test_outsider_gets_404_for_another_organisations_extension(
    api_head: Client, api_outsider: Client, assignment: Assignment
) -> None:
    extension = ask(api_head, assignment).json()
    assert ids(api_outsider.get(EXTENSIONS)) == []
    assert api_outsider.get(f"{EXTENSIONS}/{extension['id']}").status_code == 404
    response = api_outsider.post(
        f"{EXTENSIONS}/{extension['id']}/decision",
        {"decision": "approve"},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_the_assigning_side_sees_work_it_assigned_outside_its_own_tree(
    province: dict[str, Organisation], head: User
) -> None:
    """A department's plan giving work to a commune: the department decides its extensions."""
    manager = make_user("planner", Role.HOME_AFFAIRS, province["dept_justice"])
    justice_plan: Plan = make_plan(province["dept_justice"], "12/KH-STP")
    work = make_assignment(make_task(justice_plan, "1"), province["commune"])
    assert client_for(manager).get(f"{URL}/{work.pk}").status_code == 200
    assert client_for(head).get(f"{URL}/{work.pk}").status_code == 404


def test_an_update_that_changes_nothing_and_says_nothing_is_a_422_on_note(
    api_head: Client, assignment: Assignment
) -> None:
    same = {"progress": assignment.progress, "percent": assignment.percent}
    response = api_head.post(f"{URL}/{assignment.pk}/updates", same)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "note"]
    assert not assignment.updates.exists()

"""Excel import pages: who may see and do what."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from congvu.accounts.models import User
from congvu.organisations.import_models import ImportJob
from congvu.organisations.importing import jobs
from congvu.organisations.models import Organisation, StaffMember

from .test_import import STAFF_HEADER, staff_row, upload, xlsx


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def make_job(user: User, scope: Organisation, **fields: Any) -> ImportJob:
    values: dict[str, Any] = {
        "kind": ImportJob.Kind.STAFF,
        "scope": scope,
        "uploaded_by": user,
        "file": "imports/staff.xlsx",
        "original_name": "can-bo.xlsx",
        "status": ImportJob.Status.PREVIEWED,
    }
    values.update(fields)
    return ImportJob.objects.create(**values)


@pytest.fixture
def previewed(as_head: Client, province: dict[str, Organisation]) -> ImportJob:
    upload(as_head, "staff", xlsx(STAFF_HEADER, [staff_row("STP-900")]), province["dept_justice"])
    return ImportJob.objects.latest("pk")


def test_the_start_page_offers_both_templates_and_upload_forms(as_head: Client) -> None:
    response = as_head.get(reverse("imports:start"))
    assert response.status_code == 200
    page = response.content.decode()
    assert reverse("imports:template", args=["organisations"]) in page
    assert reverse("imports:template", args=["staff"]) in page
    assert page.count('enctype="multipart/form-data"') == 2
    assert "css/imports.css" in page


def test_the_start_page_is_forbidden_to_a_viewer(as_viewer: Client) -> None:
    assert as_viewer.get(reverse("imports:start")).status_code == 403


def test_the_start_page_needs_a_login(client: Client, province: dict[str, Organisation]) -> None:
    response = client.get(reverse("imports:start"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_a_viewer_cannot_download_a_template(as_viewer: Client) -> None:
    assert as_viewer.get(reverse("imports:template", args=["staff"])).status_code == 403


def test_a_viewer_cannot_upload(as_viewer: Client, province: dict[str, Organisation]) -> None:
    content = xlsx(STAFF_HEADER, [staff_row("STP-1")])
    response = upload(as_viewer, "staff", content, province["dept_justice"])
    assert response.status_code == 403
    assert not ImportJob.objects.exists()


def test_an_outsider_cannot_upload_into_another_scope(
    as_outsider: Client, province: dict[str, Organisation]
) -> None:
    content = xlsx(STAFF_HEADER, [staff_row("STP-1")])
    response = upload(as_outsider, "staff", content, province["dept_justice"])
    assert response.status_code == 400
    assert not ImportJob.objects.exists()


def test_the_preview_shows_the_counts_and_the_commit_button(
    as_head: Client, previewed: ImportJob
) -> None:
    response = as_head.get(reverse("imports:preview", args=[previewed.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="to-create">1<' in page
    assert reverse("imports:commit", args=[previewed.pk]) in page


def test_an_outsider_cannot_see_a_job_of_another_scope(
    as_outsider: Client, previewed: ImportJob
) -> None:
    assert as_outsider.get(reverse("imports:preview", args=[previewed.pk])).status_code == 404
    assert as_outsider.get(reverse("imports:progress", args=[previewed.pk])).status_code == 404


def test_a_viewer_cannot_see_a_job(as_viewer: Client, previewed: ImportJob) -> None:
    assert as_viewer.get(reverse("imports:preview", args=[previewed.pk])).status_code == 403
    assert as_viewer.get(reverse("imports:progress", args=[previewed.pk])).status_code == 403


def test_a_missing_job_is_not_found(as_head: Client) -> None:
    assert as_head.get(reverse("imports:preview", args=[999])).status_code == 404


def test_an_outsider_cannot_commit_a_job_of_another_scope(
    as_outsider: Client, previewed: ImportJob
) -> None:
    response = as_outsider.post(reverse("imports:commit", args=[previewed.pk]))
    assert response.status_code == 404
    assert not StaffMember.objects.exists()


def test_a_viewer_cannot_commit(as_viewer: Client, previewed: ImportJob) -> None:
    response = as_viewer.post(reverse("imports:commit", args=[previewed.pk]))
    assert response.status_code == 403
    assert not StaffMember.objects.exists()


def test_commit_only_accepts_post(as_head: Client, previewed: ImportJob) -> None:
    assert as_head.get(reverse("imports:commit", args=[previewed.pk])).status_code == 405
    assert not StaffMember.objects.exists()


def test_committing_twice_writes_once(as_head: Client, previewed: ImportJob) -> None:
    as_head.post(reverse("imports:commit", args=[previewed.pk]))
    response = as_head.post(reverse("imports:commit", args=[previewed.pk]), follow=True)
    assert "đã được ghi" in response.content.decode()
    assert StaffMember.objects.count() == 1


def test_a_running_job_shows_a_progress_bar_that_polls(
    as_head: Client, head: User, province: dict[str, Organisation]
) -> None:
    job = make_job(
        head,
        province["dept_justice"],
        status=ImportJob.Status.VALIDATING,
        total_rows=40_000,
        processed_rows=10_000,
    )
    page = as_head.get(reverse("imports:preview", args=[job.pk])).content.decode()
    assert '<progress max="40000" value="10000">' in page
    assert f'hx-get="{reverse("imports:progress", args=[job.pk])}"' in page
    assert 'hx-trigger="every 1s"' in page
    assert 'http-equiv="refresh"' in page  # works without JavaScript too
    fragment = as_head.get(
        reverse("imports:progress", args=[job.pk]), headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200
    assert "<progress" in fragment.content.decode()
    assert "<html" not in fragment.content.decode()
    assert "HX-Refresh" not in fragment


def test_the_progress_fragment_reloads_the_page_when_the_stage_is_over(
    as_head: Client, previewed: ImportJob
) -> None:
    response = as_head.get(
        reverse("imports:progress", args=[previewed.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response["HX-Refresh"] == "true"
    page = as_head.get(reverse("imports:preview", args=[previewed.pk])).content.decode()
    assert 'http-equiv="refresh"' not in page


def test_the_job_list_shows_the_jobs_of_the_users_scope_only(
    as_head: Client,
    as_outsider: Client,
    outsider: User,
    previewed: ImportJob,
    province: dict[str, Organisation],
) -> None:
    theirs = make_job(outsider, province["commune"], original_name="xa-an-binh.xlsx")
    page = as_head.get(reverse("imports:jobs")).content.decode()
    assert reverse("imports:preview", args=[previewed.pk]) in page
    assert "xa-an-binh.xlsx" not in page
    page = as_outsider.get(reverse("imports:jobs")).content.decode()
    assert reverse("imports:preview", args=[theirs.pk]) in page
    assert reverse("imports:preview", args=[previewed.pk]) not in page


def test_the_job_list_is_forbidden_to_a_viewer(as_viewer: Client) -> None:
    assert as_viewer.get(reverse("imports:jobs")).status_code == 403


# --- a stage whose worker died ------------------------------------------------------------


def _stall(job: ImportJob, status: str, *, minutes: int, attempts: int, **fields: Any) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=status,
        attempts=attempts,
        updated_at=timezone.now() - dt.timedelta(minutes=minutes),
        **fields,
    )


def test_a_validation_whose_worker_died_runs_again_when_its_page_is_opened(
    as_head: Client, previewed: ImportJob, django_capture_on_commit_callbacks: Any
) -> None:
    _stall(previewed, ImportJob.Status.VALIDATING, minutes=10, attempts=1, processed_rows=0)
    with django_capture_on_commit_callbacks(execute=True):
        page = as_head.get(reverse("imports:preview", args=[previewed.pk]))
    assert page.status_code == 200
    previewed.refresh_from_db()
    assert previewed.status == ImportJob.Status.PREVIEWED
    assert previewed.attempts == 2 and previewed.to_create == 1
    assert StaffMember.objects.count() == 0  # validation writes nothing


def test_a_commit_whose_worker_died_runs_again_and_writes_once(
    as_head: Client, head: User, previewed: ImportJob, django_capture_on_commit_callbacks: Any
) -> None:
    _stall(previewed, ImportJob.Status.COMMITTING, minutes=45, attempts=1, committed_by=head)
    with django_capture_on_commit_callbacks(execute=True):
        fragment = as_head.get(
            reverse("imports:progress", args=[previewed.pk]), headers={"HX-Request": "true"}
        )
    assert fragment.status_code == 200 and "<progress" in fragment.content.decode()
    previewed.refresh_from_db()
    assert previewed.status == ImportJob.Status.DONE and previewed.created_count == 1
    # The next poll finds the stage over and reloads the page to show the result.
    again = as_head.get(
        reverse("imports:progress", args=[previewed.pk]), headers={"HX-Request": "true"}
    )
    assert again["HX-Refresh"] == "true"
    assert StaffMember.objects.filter(staff_code="STP-900").count() == 1
    # The first commit was only slow and finishes now: it finds the job done and stops.
    late = ImportJob.objects.get(pk=previewed.pk)
    late.status = ImportJob.Status.COMMITTING
    assert jobs.commit_job(late).status == ImportJob.Status.DONE
    assert StaffMember.objects.filter(staff_code="STP-900").count() == 1
    assert ImportJob.objects.get(pk=previewed.pk).created_count == 1


def test_a_job_that_keeps_stopping_its_worker_fails_and_says_nothing_was_written(
    as_head: Client, previewed: ImportJob
) -> None:
    _stall(previewed, ImportJob.Status.VALIDATING, minutes=10, attempts=jobs.MAX_ATTEMPTS)
    page = as_head.get(reverse("imports:preview", args=[previewed.pk])).content.decode()
    previewed.refresh_from_db()
    assert previewed.status == ImportJob.Status.FAILED
    assert "không có dữ liệu nào được ghi" in page
    assert StaffMember.objects.count() == 0


def test_a_stage_that_still_shows_progress_is_left_alone(
    as_head: Client, previewed: ImportJob
) -> None:
    _stall(previewed, ImportJob.Status.VALIDATING, minutes=2, attempts=1)
    page = as_head.get(reverse("imports:preview", args=[previewed.pk])).content.decode()
    previewed.refresh_from_db()
    assert previewed.status == ImportJob.Status.VALIDATING and previewed.attempts == 1
    assert "<progress" in page


def test_the_daily_sweep_recovers_the_jobs_nobody_watches(
    head: User, previewed: ImportJob, django_capture_on_commit_callbacks: Any
) -> None:
    _stall(previewed, ImportJob.Status.COMMITTING, minutes=45, attempts=1, committed_by=head)
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.recover_stalled() == 1
    assert ImportJob.objects.get(pk=previewed.pk).status == ImportJob.Status.DONE
    assert jobs.recover_stalled() == 0

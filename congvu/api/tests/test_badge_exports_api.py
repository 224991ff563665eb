"""Badge sheets through the API: 202 with a status URL, then the PDF; BADGE_PRINT on the
organisation (404 invisible, 403 without it), the page's choices (subtree, part) checked
with a message; the requester's alone."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pypdfium2
import pytest
import zxingcpp
from django.conf import settings
from django.test import Client

from congvu.accounts.models import Role, User
from congvu.audit.models import AuditEvent
from congvu.conftest import make_staff, make_user
from congvu.organisations import badges
from congvu.organisations.models import BadgeExport, Organisation, StaffMember

from .conftest import bearer

Province = dict[str, Organisation]
ENGLISH = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def media_and_site(settings: Any, tmp_path: Path, api_only_urls: None) -> None:
    """The whole site, as deployed: a badge's QR code names the site's public card."""
    settings.MEDIA_ROOT = tmp_path
    settings.ROOT_URLCONF = "config.urls"


@pytest.fixture
def justice_staff(province: Province, staff_member: StaffMember) -> list[StaffMember]:
    return [staff_member] + [
        make_staff(province["dept_justice"], f"Lê Văn Số {n}", f"STP-B{n}") for n in range(2)
    ]


def start_url(organisation: Organisation) -> str:
    return f"/api/v1/organisations/{organisation.pk}/badge-exports"


def qr_codes(pdf: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    found = []
    for page in document:
        image = page.render(scale=3).to_pil()
        found += [barcode.text for barcode in zxingcpp.read_barcodes(image)]
    return found


def test_post_answers_202_then_the_status_then_the_pdf(
    api_head: Client,
    province: Province,
    justice_staff: list[StaffMember],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks() as queued:
        started = api_head.post(start_url(province["dept_justice"]))
    assert started.status_code == 202, started.content
    body = started.json()
    export = BadgeExport.objects.get()
    status_url = f"/api/v1/badge-exports/{export.pk}"
    assert started["Location"] == body["status_url"] == status_url
    assert body["status"] == "queued" and body["file_url"] is None and body["rows"] == 3
    assert (body["organisation_id"], body["subtree"], body["part"], body["format"]) == (
        province["dept_justice"].pk,
        False,
        0,
        "pdf",
    )
    assert api_head.get(f"{status_url}/file").status_code == 404  # not made yet

    for callback in queued:  # the worker
        callback()
    done = api_head.get(status_url).json()
    assert done["status"] == "done" and done["file_url"] == f"{status_url}/file"
    download = api_head.get(done["file_url"])
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="the-h5602.pdf"'
    pdf = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    expected = {settings.SITE_URL + "/r/" + member.badge_token for member in justice_staff}
    assert set(qr_codes(pdf)) == expected

    # Asked again with nobody changed: the same file at once, nothing queued.
    again = api_head.post(start_url(province["dept_justice"]))
    assert again.status_code == 202 and again.json()["status"] == "done"
    assert again.json()["id"] == export.pk and BadgeExport.objects.count() == 1
    # Listed on "Tệp xuất của tôi" with these API URLs.
    (listed,) = api_head.get("/api/v1/me/exports").json()["items"]
    assert listed["status_url"] == status_url and listed["api_file_url"] == f"{status_url}/file"


def test_the_subtree_and_the_parts_follow_the_page(
    api_officer: Client,
    province: Province,
    justice_staff: list[StaffMember],
    monkeypatch: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    monkeypatch.setattr(badges, "SHEET_MAX", 3)
    make_staff(province["dept_home"], "Phạm Thị Hoa", "SNV-1")
    root = start_url(province["root"])
    # The province's own staff alone: nobody.
    alone = api_officer.post(root)
    assert alone.status_code == 400
    assert alone.json()["detail"].startswith("Không có cán bộ nào mà bạn được in thẻ")
    needed = api_officer.post(f"{root}?subtree=true", headers=ENGLISH)
    assert needed.status_code == 400
    assert needed.json()["detail"] == (
        "There are 4 badges in this scope, in 2 files (at most 3 each): choose part 1 to 2."
    )
    assert api_officer.post(f"{root}?subtree=true&part=3").status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        second = api_officer.post(f"{root}?subtree=true&part=2")
    assert second.status_code == 202
    body = api_officer.get(second.json()["status_url"]).json()
    assert (body["subtree"], body["part"], body["rows"], body["status"]) == (True, 2, 1, "done")
    assert not BadgeExport.objects.filter(status=BadgeExport.Status.FAILED).exists()
    # A scope of one file: part 1 is that file, part 2 is said to be wrong.
    justice = start_url(province["dept_justice"])
    assert api_officer.post(f"{justice}?part=1").json()["part"] == 0
    one = api_officer.post(f"{justice}?part=2", headers=ENGLISH)
    assert one.status_code == 400
    assert one.json()["detail"].startswith("This scope fits one file")


def test_bad_input_is_said_and_nothing_is_queued(
    api_officer: Client, province: Province, justice_staff: list[StaffMember]
) -> None:
    justice = start_url(province["dept_justice"])
    for query in ("part=0", "part=abc", "subtree=maybe", "part=-1"):
        assert api_officer.post(f"{justice}?{query}").status_code == 422, query
    assert api_officer.post("/api/v1/organisations/0/badge-exports").status_code == 422
    unknown = province["commune"].pk + 1000
    assert api_officer.post(f"/api/v1/organisations/{unknown}/badge-exports").status_code == 404
    assert api_officer.get("/api/v1/badge-exports/99999").status_code == 404
    assert not BadgeExport.objects.exists()


def test_outsiders_get_404_and_roles_without_badge_print_403(
    api_head: Client,
    api_viewer: Client,
    api_outsider: Client,
    head: User,
    province: Province,
    justice_staff: list[StaffMember],
    django_capture_on_commit_callbacks: Any,
) -> None:
    justice = start_url(province["dept_justice"])
    assert api_outsider.post(justice).status_code == 404
    assert api_viewer.post(justice).status_code == 403
    assert Client().post(justice).status_code == 401
    with django_capture_on_commit_callbacks(execute=True):
        status_url = api_head.post(justice).json()["status_url"]
    urls = [status_url, f"{status_url}/file"]
    # Another user who may print there still does not get someone else's sheet.
    other = bearer(make_user("head2", Role.HEAD, province["dept_justice"]))
    for url in urls:
        assert api_outsider.get(url).status_code == 404
        assert other.get(url).status_code == 404
        assert api_viewer.get(url).status_code == 404
    # The requester may no longer print badges there (now only a viewer): 403.
    head.grants.update(role=Role.VIEWER)
    for url in urls:
        assert api_head.get(url).status_code == 403
    assert not any(item for item in api_head.get("/api/v1/me/exports").json()["items"])


def test_the_new_operations_are_in_the_openapi_document(api_officer: Client) -> None:
    paths = api_officer.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths["/api/v1/organisations/{id}/badge-exports"]["post"]["responses"]) >= {
        "202",
        "400",
        "403",
        "404",
    }
    assert (
        "application/pdf"
        in (paths["/api/v1/badge-exports/{export_id}/file"]["get"]["responses"]["200"]["content"])
    )
    deleting = paths["/api/v1/me/exports/{kind}/{export_id}"]["delete"]
    assert set(deleting["responses"]) >= {"204", "404", "409"}
    kind = next(p for p in deleting["parameters"] if p["name"] == "kind")
    assert kind["schema"]["enum"] == ["cases", "badges"]


def test_each_sheet_asked_through_the_api_is_audited_without_names(
    api_head: Client,
    api_viewer: Client,
    head: User,
    province: Province,
    justice_staff: list[StaffMember],
    monkeypatch: Any,
) -> None:
    justice = province["dept_justice"]
    assert api_viewer.post(start_url(justice)).status_code == 403
    assert api_head.post(f"{start_url(justice)}?part=2").status_code == 400
    monkeypatch.setattr(badges, "SHEET_MAX", 2)
    started = api_head.post(f"{start_url(justice)}?part=2")  # the third card alone
    assert started.status_code == 202
    event = AuditEvent.objects.get(action="staff.badge_sheet")  # refusals are not recorded
    assert (event.actor_id, event.organisation_id) == (head.pk, justice.pk)
    assert event.object_id == str(started.json()["id"])
    assert event.data == {
        "organisation": justice.pk,
        "subtree": False,
        "part": 2,
        "rows": 1,
        "source": "api",
        "background": True,
        "status": "queued",
    }
    recorded = str(event.data) + event.summary
    assert not any(member.full_name in recorded for member in justice_staff)


def test_each_download_through_the_api_is_audited_without_names(
    api_head: Client,
    api_officer: Client,
    head: User,
    province: Province,
    justice_staff: list[StaffMember],
    django_capture_on_commit_callbacks: Any,
) -> None:
    justice = province["dept_justice"]
    with django_capture_on_commit_callbacks() as queued:
        started = api_head.post(start_url(justice))
    file_url = f"/api/v1/badge-exports/{started.json()['id']}/file"
    assert api_head.get(file_url).status_code == 404  # not made yet: nothing served
    for callback in queued:  # the worker
        callback()
    assert api_officer.get(file_url).status_code == 404  # not theirs: nothing served
    assert not AuditEvent.objects.filter(action="staff.badge_sheet_download").exists()
    assert api_head.get(file_url).status_code == 200
    event = AuditEvent.objects.get(action="staff.badge_sheet_download")
    assert (event.actor_id, event.organisation_id) == (head.pk, justice.pk)
    assert event.object_id == str(started.json()["id"])
    assert event.data == {
        "organisation": justice.pk,
        "subtree": False,
        "part": 0,
        "rows": 3,
        "source": "api",
    }
    recorded = str(event.data) + event.summary
    assert not any(member.full_name in recorded for member in justice_staff)

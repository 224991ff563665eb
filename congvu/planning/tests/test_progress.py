import hashlib
import io
import re
import zipfile

import pytest
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from congvu.audit.models import AuditEvent
from congvu.conftest import client_for
from congvu.core.models import Notification
from congvu.core.tests.media_helpers import (
    AUTHOR,
    NAMES,
    PHONE,
    docx_bytes,
    docx_with_traces,
    jpeg_with_gps,
    pdf_bytes,
    unzipped,
    xlsx_bytes,
    xlsx_with_traces,
    zip_bomb,
)
from congvu.planning import progress, rollups, states
from congvu.planning.models import Assignment, AssignmentRollup, EvidenceFile, ProgressUpdate

from .test_progress_helpers import (
    PDF,
    days,
    focal_point,
    make_assignment,
    make_plan,
    today,
    upload,
    zip_bytes,
)

S = Assignment.State
P = Assignment.Progress


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def plan(province):
    return make_plan(province["root"])


@pytest.fixture
def assignment(plan, province):
    return make_assignment(plan, province["dept_justice"])


@pytest.fixture
def focal(province):
    return focal_point(province["dept_justice"])


@pytest.fixture
def as_focal(focal):
    return client_for(focal)


def detail(assignment):
    return reverse("assignments:detail", args=[assignment.pk])


def update_url(assignment):
    return reverse("assignments:update", args=[assignment.pk])


def rollup_rows():
    return sorted(
        AssignmentRollup.objects.values_list(
            "organisation_id",
            "plan_id",
            "period",
            "total",
            "not_started",
            "in_progress",
            "overdue",
            "done_on_time",
            "done_late",
        )
    )


# --- The five statuses ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "state", "label"),
    [
        ({"due": days(5)}, S.NOT_STARTED, "Chưa thực hiện"),
        (
            {"due": days(5), "progress": P.IN_PROGRESS, "percent": 40},
            S.IN_PROGRESS,
            "Đang thực hiện trong hạn",
        ),
        ({"due": days(-1), "progress": P.IN_PROGRESS, "percent": 40}, S.OVERDUE, "Quá hạn"),
        (
            {"due": days(-1), "progress": P.DONE, "percent": 100, "completed_on": days(-2)},
            S.DONE_ON_TIME,
            "Hoàn thành đúng hạn",
        ),
        (
            {"due": days(-5), "progress": P.DONE, "percent": 100, "completed_on": days(-2)},
            S.DONE_LATE,
            "Hoàn thành trễ hạn",
        ),
    ],
)
def test_each_government_status_shows_on_the_detail_page(
    plan, province, as_head, fields, state, label
):
    assignment = make_assignment(plan, province["dept_justice"], **fields)
    response = as_head.get(detail(assignment))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<span class="state state-{state.value}">{label}</span>' in html
    assert states.state_q(state, today()) is not None
    assert Assignment.objects.filter(states.state_q(state, today())).get() == assignment


def test_the_state_annotation_agrees_with_state_on(plan, province):
    rows = [
        make_assignment(plan, province["dept_justice"], period="a", due=days(5)),
        make_assignment(plan, province["dept_justice"], period="b", due=days(-1)),
        make_assignment(
            plan, province["dept_justice"], period="c", due=days(0), progress=P.IN_PROGRESS
        ),
        make_assignment(
            plan,
            province["dept_justice"],
            period="d",
            due=days(-3),
            completed_on=days(-1),
            progress=P.DONE,
            percent=100,
        ),
    ]
    annotated = dict(
        states.with_state(Assignment.objects.all(), today()).values_list("pk", "state")
    )
    assert annotated == {a.pk: a.state_on(today()).value for a in rows}


def test_a_deadline_in_working_days_is_shown_with_the_working_days_left(plan, province, as_head):
    assignment = make_assignment(plan, province["dept_justice"], working_days=15, due=days(14))
    html = as_head.get(detail(assignment)).content.decode()
    assert "15 ngày làm việc kể từ đầu kỳ" in html
    assert "còn " in html


# --- Updating progress ------------------------------------------------------------------------


def test_the_focal_point_reports_progress_with_a_pdf_as_evidence(assignment, as_focal, focal):
    response = as_focal.post(
        update_url(assignment),
        {
            "progress": P.IN_PROGRESS,
            "percent": "40",
            "note": "Đã tổ chức hội nghị quán triệt",
            "evidence": [upload("bien-ban.pdf", PDF)],
        },
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert (assignment.progress, assignment.percent) == (P.IN_PROGRESS, 40)
    evidence = EvidenceFile.objects.get()
    assert evidence.original_name == "bien-ban.pdf"
    assert evidence.content_type == "application/pdf"
    assert evidence.file.name.endswith(".pdf")
    assert "bien-ban" not in evidence.file.name
    page = as_focal.get(detail(assignment)).content.decode()
    assert "Đã tổ chức hội nghị quán triệt" in page
    assert reverse("assignments:evidence", args=[evidence.pk]) in page
    assert "Đang thực hiện trong hạn" in page
    assert AuditEvent.objects.filter(action="planning.progress_update", actor=focal).exists()


def test_a_fake_pdf_is_refused_nothing_is_saved_and_the_input_is_kept(assignment, as_focal, media):
    response = as_focal.post(
        update_url(assignment),
        {
            "progress": P.IN_PROGRESS,
            "percent": "55",
            "note": "Ghi chú của tôi",
            "evidence": [upload("bien-ban.pdf", PDF), upload("gia.pdf", b"plain text, not a pdf")],
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Loại tệp không được chấp nhận: gia.pdf" in html
    assert "File type not accepted" in html
    assert "Ghi chú của tôi" in html
    assert 'value="55"' in html
    assert not ProgressUpdate.objects.exists()
    assert not EvidenceFile.objects.exists()
    assert not [path for path in media.rglob("*") if path.is_file()]
    assignment.refresh_from_db()
    assert (assignment.progress, assignment.percent) == (P.NOT_STARTED, 0)


def test_the_focal_points_photo_and_pdf_are_stored_without_gps_or_author(assignment, as_focal):
    page = as_focal.get(detail(assignment)).content.decode()
    assert "Vị trí GPS trong ảnh, tên tác giả trong PDF, Word, Excel" in page
    response = as_focal.post(
        update_url(assignment),
        {
            "progress": P.IN_PROGRESS,
            "percent": "30",
            "evidence": [jpeg_with_gps("hoi-nghi.jpg"), upload("bien-ban.pdf", pdf_bytes())],
        },
    )
    assert response.status_code == 302
    stored = {e.original_name: e for e in EvidenceFile.objects.all()}
    assert set(stored) == {"hoi-nghi.jpg", "bien-ban.pdf"}
    for evidence in stored.values():
        with evidence.file.open("rb") as handle:
            data = handle.read()
        assert b"SecretPhone" not in data and AUTHOR.encode() not in data
        assert evidence.size == len(data)
        assert evidence.sha256 == hashlib.sha256(data).hexdigest()
    with stored["hoi-nghi.jpg"].file.open("rb") as handle:
        assert not Image.open(handle).getexif()


def test_a_damaged_photo_is_refused_by_name_and_the_input_is_kept(assignment, as_focal, media):
    response = as_focal.post(
        update_url(assignment),
        {
            "progress": P.IN_PROGRESS,
            "percent": "45",
            "note": "Ảnh hội nghị quán triệt",
            "evidence": [
                upload("bien-ban.pdf", PDF),
                upload("hong.jpg", b"\xff\xd8\xff\xe0" + b"garbage" * 10, "image/jpeg"),
            ],
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ảnh hong.jpg bị hỏng hoặc quá lớn để xử lý." in html
    assert "Ảnh hội nghị quán triệt" in html
    assert 'value="45"' in html
    assert not ProgressUpdate.objects.exists()
    assert not [path for path in media.rglob("*") if path.is_file()]


@pytest.mark.parametrize(
    ("name", "build"), [("bao-cao.docx", docx_bytes), ("so-lieu.xlsx", xlsx_bytes)]
)
def test_a_zip_bomb_as_word_or_excel_evidence_is_refused_by_name_and_the_input_kept(
    assignment, as_focal, media, name, build
):
    response = as_focal.post(
        update_url(assignment),
        {
            "progress": P.IN_PROGRESS,
            "percent": "35",
            "note": "Số liệu quán triệt",
            "evidence": [
                upload("bien-ban.pdf", PDF),
                upload(name, zip_bomb(build()), "application/octet-stream"),
            ],
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Tệp {name} là tệp nén bất thường (có thể là “bom nén”)" in html
    assert "a possible zip bomb" in html
    assert "Số liệu quán triệt" in html
    assert 'value="35"' in html
    assert not ProgressUpdate.objects.exists()
    assert not [path for path in media.rglob("*") if path.is_file()]


def test_word_and_excel_evidence_is_stored_without_who_wrote_or_commented_it(assignment, as_focal):
    files = {"bao-cao.docx": docx_with_traces(), "so-lieu.xlsx": xlsx_with_traces()}
    response = as_focal.post(
        update_url(assignment),
        {
            "progress": P.IN_PROGRESS,
            "percent": "35",
            "evidence": [
                upload(name, data, "application/octet-stream") for name, data in files.items()
            ],
        },
    )
    assert response.status_code == 302
    assert EvidenceFile.objects.count() == 2
    for evidence in EvidenceFile.objects.all():
        with evidence.file.open("rb") as handle:
            data = handle.read()
        assert data != files[evidence.original_name]
        text = unzipped(data)
        for name in (*NAMES, PHONE):
            assert name.encode() not in text, (evidence.original_name, name)
        assert evidence.size == len(data)
        assert evidence.sha256 == hashlib.sha256(data).hexdigest()


def test_a_word_file_with_macros_is_refused_by_name_and_the_input_kept(assignment, as_focal, media):
    with zipfile.ZipFile(io.BytesIO(docx_bytes())) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    response = as_focal.post(
        update_url(assignment),
        {
            "progress": P.IN_PROGRESS,
            "percent": "40",
            "note": "Báo cáo kèm macro",
            "evidence": [upload("bao-cao.docx", zip_bytes(parts), "application/octet-stream")],
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tệp bao-cao.docx có macro hoặc mã tự chạy, không được chấp nhận" in html
    assert "Báo cáo kèm macro" in html
    assert not ProgressUpdate.objects.exists()
    assert not [path for path in media.rglob("*") if path.is_file()]


def test_a_file_over_the_limit_is_refused_on_the_page(assignment, as_focal, settings):
    settings.CONGVU_EVIDENCE_MAX_BYTES = 50
    response = as_focal.post(
        update_url(assignment),
        {"progress": P.IN_PROGRESS, "percent": "10", "evidence": [upload("a.pdf", PDF)]},
    )
    assert response.status_code == 200
    assert "quá lớn" in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_done_needs_one_hundred_percent(assignment, as_focal):
    response = as_focal.post(update_url(assignment), {"progress": P.DONE, "percent": "90"})
    assert response.status_code == 200
    assert "Done means 100%" in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_done_takes_today_when_no_date_is_given_and_awaits_the_head(assignment, as_focal):
    as_focal.post(update_url(assignment), {"progress": P.DONE, "percent": "100"})
    assignment.refresh_from_db()
    assert assignment.completed_on == today()
    assert assignment.confirmed_at is None
    assert "Chờ xác nhận" in as_focal.get(detail(assignment)).content.decode()


@pytest.mark.parametrize(
    ("offset", "message"),
    [
        (1, "cannot be in the future"),
        (-61, "cannot be before the start of the period"),
    ],
)
def test_the_completion_date_must_be_in_the_period_and_not_in_the_future(
    assignment, as_focal, offset, message
):
    # The date is computed when the test runs, not when it is collected: a run that
    # crosses midnight (Asia/Ho_Chi_Minh) would otherwise test "today" as "tomorrow".
    completed_on = days(offset)
    response = as_focal.post(
        update_url(assignment),
        {"progress": P.DONE, "percent": "100", "completed_on": completed_on.strftime("%d/%m/%Y")},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_a_bad_percentage_is_an_error_not_a_crash(assignment, as_focal):
    for value in ("abc", "101", "-1", ""):
        response = as_focal.post(
            update_url(assignment), {"progress": P.IN_PROGRESS, "percent": value}
        )
        assert response.status_code == 200
    response = as_focal.post(update_url(assignment), {"progress": "bogus", "percent": "5"})
    assert response.status_code == 200
    assert not ProgressUpdate.objects.exists()


def test_a_viewer_gets_403_when_updating(assignment, as_viewer):
    response = as_viewer.post(update_url(assignment), {"progress": P.IN_PROGRESS, "percent": "5"})
    assert response.status_code == 403
    assert not ProgressUpdate.objects.exists()


def test_a_viewer_sees_the_page_without_the_update_form(assignment, as_viewer):
    html = as_viewer.get(detail(assignment)).content.decode()
    assert update_url(assignment) not in html


def test_an_outsider_gets_404_on_the_detail_page_and_on_updating(assignment, as_outsider):
    assert as_outsider.get(detail(assignment)).status_code == 404
    response = as_outsider.post(update_url(assignment), {"progress": P.IN_PROGRESS, "percent": "5"})
    assert response.status_code == 404


def test_the_service_refuses_an_outsider_too(assignment, outsider):
    from django.http import Http404

    with pytest.raises(Http404):
        progress.update_progress(assignment, actor=outsider, progress=P.IN_PROGRESS, percent=5)


# --- Evidence downloads -----------------------------------------------------------------------


def test_the_evidence_downloads_as_an_attachment_with_its_original_name(
    assignment, focal, as_viewer, as_outsider
):
    progress.update_progress(
        assignment,
        actor=focal,
        progress=P.IN_PROGRESS,
        percent=20,
        files=[upload("Biên bản.pdf", PDF)],
    )
    evidence = EvidenceFile.objects.get()
    url = reverse("assignments:evidence", args=[evidence.pk])
    response = as_viewer.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Bi%C3%AAn%20b%E1%BA%A3n.pdf" in response["Content-Disposition"]
    downloaded = b"".join(response.streaming_content)
    assert hashlib.sha256(downloaded).hexdigest() == evidence.sha256
    assert len(PdfReader(io.BytesIO(downloaded)).pages) == 1
    assert as_outsider.get(url).status_code == 404


def test_an_unknown_evidence_file_is_404(as_head):
    assert as_head.get(reverse("assignments:evidence", args=[999])).status_code == 404


# --- Confirmation ------------------------------------------------------------------------------


def test_the_head_confirms_completion_and_the_focal_point_is_told(assignment, focal, head, as_head):
    progress.update_progress(assignment, actor=focal, progress=P.DONE, percent=100)
    html = as_head.get(detail(assignment)).content.decode()
    assert reverse("assignments:confirm", args=[assignment.pk]) in html
    response = as_head.post(reverse("assignments:confirm", args=[assignment.pk]))
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.confirmed_by == head
    assert assignment.confirmed_at is not None
    assert Notification.objects.filter(user=focal, kind="progress_confirmed").exists()
    assert AuditEvent.objects.filter(action="planning.progress_confirm", actor=head).exists()
    html = as_head.get(detail(assignment)).content.decode()
    assert reverse("assignments:confirm", args=[assignment.pk]) not in html
    assert "Chờ xác nhận" not in html


def test_the_focal_point_may_correct_a_done_report_before_confirmation_only(
    assignment, focal, head
):
    from django.core.exceptions import ValidationError

    progress.update_progress(assignment, actor=focal, progress=P.DONE, percent=100)
    progress.update_progress(assignment, actor=focal, progress=P.IN_PROGRESS, percent=80)
    assert assignment.completed_on is None
    progress.update_progress(assignment, actor=focal, progress=P.DONE, percent=100)
    progress.confirm_completion(assignment, actor=head)
    with pytest.raises(ValidationError):
        progress.update_progress(assignment, actor=focal, progress=P.IN_PROGRESS, percent=80)


def test_the_focal_point_cannot_confirm(assignment, focal, as_focal):
    progress.update_progress(assignment, actor=focal, progress=P.DONE, percent=100)
    assert as_focal.post(reverse("assignments:confirm", args=[assignment.pk])).status_code == 403
    assignment.refresh_from_db()
    assert assignment.confirmed_at is None


def test_confirming_unfinished_work_shows_an_error(assignment, as_head):
    response = as_head.post(reverse("assignments:confirm", args=[assignment.pk]), follow=True)
    assert "has not been reported as done" in response.content.decode()


# --- Rollups -----------------------------------------------------------------------------------


def test_rollups_follow_every_update_and_match_a_rebuild(plan, province, focal, head):
    late = make_assignment(plan, province["dept_justice"], period="a", due=days(-3))
    open_ = make_assignment(plan, province["dept_justice"], period="b", due=days(3))
    rollups.rebuild_all()
    progress.update_progress(late, actor=focal, progress=P.DONE, percent=100)
    progress.update_progress(open_, actor=focal, progress=P.IN_PROGRESS, percent=30)
    progress.confirm_completion(late, actor=head)
    incremental = rollup_rows()
    by_period = {row[2]: row[3:] for row in incremental}
    assert by_period["a"] == (1, 0, 0, 0, 0, 1)
    assert by_period["b"] == (1, 0, 1, 0, 0, 0)
    rollups.rebuild_all()
    assert rollup_rows() == incremental


# --- The list ----------------------------------------------------------------------------------


def test_the_list_shows_visible_assignments_soonest_due_first(plan, province, as_head):
    later = make_assignment(plan, province["dept_justice"], code="2", due=days(20), percent=0)
    sooner = make_assignment(plan, province["division_justice"], code="3", due=days(2))
    hidden = make_assignment(plan, province["commune"], code="4", due=days(1))
    html = as_head.get(reverse("assignments:list")).content.decode()
    assert detail(sooner) in html
    assert detail(later) in html
    assert detail(hidden) not in html
    assert html.index(detail(sooner)) < html.index(detail(later))
    assert '<progress class="percent" max="100" value="0">' in html


def test_the_list_filters_by_status_organisation_subtree_period_and_due_window(
    plan, province, as_officer
):
    overdue = make_assignment(plan, province["dept_justice"], code="1", due=days(-2))
    division = make_assignment(
        plan, province["division_justice"], code="2", due=days(3), period="2026-Q2"
    )
    commune = make_assignment(plan, province["commune"], code="3", due=days(40))
    url = reverse("assignments:list")

    html = as_officer.get(url, {"state": S.OVERDUE}).content.decode()
    assert detail(overdue) in html and detail(division) not in html and detail(commune) not in html

    html = as_officer.get(url, {"organisation": province["dept_justice"].code}).content.decode()
    assert detail(overdue) in html and detail(division) in html and detail(commune) not in html

    html = as_officer.get(url, {"period": "2026-Q2"}).content.decode()
    assert detail(division) in html and detail(overdue) not in html

    html = as_officer.get(url, {"due_within": "7"}).content.decode()
    assert detail(division) in html and detail(overdue) not in html and detail(commune) not in html

    html = as_officer.get(url, {"plan": plan.pk}).content.decode()
    assert detail(commune) in html


def test_bad_filters_are_reported_not_a_crash(as_officer, province):
    response = as_officer.get(
        reverse("assignments:list"),
        {"state": "x", "plan": "abc", "due_within": "-4", "organisation": "NOPE", "page": "zz"},
    )
    assert response.status_code == 200


def test_the_list_shows_the_organisation_name_as_it_was(plan, province, officer, as_officer):
    from congvu.organisations.restructuring import rename_organisation

    assignment = make_assignment(plan, province["dept_justice"])
    assignment.period_end = days(-10)
    assignment.save()
    rename_organisation(
        province["dept_justice"], actor=officer, name="Sở Tư pháp mới", effective=days(-5)
    )
    html = as_officer.get(reverse("assignments:list")).content.decode()
    row = html[html.index(detail(assignment)) :]
    assert "Sở Tư pháp</td>" in row


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(reverse("assignments:list"))
    assert response.status_code == 302


def test_a_staff_member_without_plan_rights_gets_403_on_the_list(staff_user):
    assert client_for(staff_user).get(reverse("assignments:list")).status_code == 403


def test_a_staff_member_without_plan_rights_gets_403_on_their_organisations_assignment(
    assignment, staff_user
):
    # Their own department's assignment: the organisation is theirs to see, the plan is
    # not (the API answers 403 too); 404 is for what is outside their organisation.
    as_staff = client_for(staff_user)
    assert as_staff.get(detail(assignment)).status_code == 403
    assert as_staff.post(update_url(assignment), {"percent": "10"}).status_code == 403


def test_the_assigning_side_sees_an_update_it_did_not_write(assignment, focal, as_officer):
    progress.update_progress(
        assignment, actor=focal, progress=P.IN_PROGRESS, percent=60, note="xong 60"
    )
    assert "xong 60" in as_officer.get(detail(assignment)).content.decode()


def test_the_percent_moves_with_the_latest_update(assignment, focal):
    progress.update_progress(assignment, actor=focal, progress=P.IN_PROGRESS, percent=60)
    progress.update_progress(assignment, actor=focal, progress=P.IN_PROGRESS, percent=70)
    assert list(assignment.updates.values_list("percent", flat=True)) == [60, 70]
    assert assignment.percent == 70
    assert assignment.last_update_at is not None


def test_a_failure_after_the_files_are_written_leaves_no_file_behind(
    assignment, focal, media, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("rollup failed")

    monkeypatch.setattr(rollups, "refresh", broken)
    with pytest.raises(RuntimeError):
        progress.update_progress(
            assignment, actor=focal, progress=P.IN_PROGRESS, percent=5, files=[upload("a.pdf", PDF)]
        )
    assert not ProgressUpdate.objects.exists()
    assert not [path for path in media.rglob("*") if path.is_file()]


def test_the_list_follows_the_dashboard_links_by_organisation_id_kind_and_task(province, officer):
    import datetime as dt

    from django.test import Client
    from django.utils import timezone

    from congvu.planning.models import Assignment, Plan, Task

    today = timezone.localdate()
    plan = Plan.objects.create(
        number="1/KH", title="Kế hoạch", issuing_organisation=province["root"], issued_on=today
    )
    task = Task.objects.create(plan=plan, code="1", content="Nhiệm vụ một", starts_on=today)
    other = Task.objects.create(plan=plan, code="2", content="Nhiệm vụ hai", starts_on=today)
    for t, org in ((task, province["dept_justice"]), (other, province["commune"])):
        Assignment.objects.create(
            task=t,
            organisation=org,
            period="",
            period_start=today,
            period_end=today,
            original_due_on=today - dt.timedelta(days=3),
            due_on=today - dt.timedelta(days=3),
        )
    client = Client()
    client.force_login(officer)
    by_id = client.get("/assignments/", {"organisation": province["dept_justice"].pk})
    assert [r.assignment.task for r in by_id.context["rows"]] == [task]
    by_kind = client.get("/assignments/", {"kind": province["commune"].kind_id})
    assert [r.assignment.task for r in by_kind.context["rows"]] == [other]
    by_task = client.get("/assignments/", {"task": other.pk, "due": "overdue"})
    assert [r.assignment.task for r in by_task.context["rows"]] == [other]
    assert client.get("/assignments/", {"due": "soon"}).context["rows"] == []


def test_the_detail_page_names_the_period_as_a_reader_says_it(plan, province, as_head):
    quarterly = make_assignment(plan, province["dept_justice"], period="2026-Q3")
    once = make_assignment(plan, province["dept_justice"], period="")
    assert "Quý III/2026 (" in as_head.get(detail(quarterly)).content.decode()
    assert "Một lần (" in as_head.get(detail(once)).content.decode()


def test_an_update_that_changes_nothing_and_says_nothing_is_refused(assignment, as_focal):
    """Sending the form as it came (the same progress and percent, no note, no file) once
    said "Đã cập nhật tiến độ." and logged an update that told nobody anything."""
    same = {"progress": P.NOT_STARTED, "percent": "0"}
    response = as_focal.post(update_url(assignment), same)
    assert response.status_code == 200
    assert "Tiến độ không thay đổi" in response.content.decode()
    assert not ProgressUpdate.objects.exists()
    # Saying how it stands is an update, even at the same percent.
    note = {**same, "note": "Đang chờ Sở Tài chính cấp kinh phí"}
    assert as_focal.post(update_url(assignment), note).status_code == 302
    assert ProgressUpdate.objects.get().note == "Đang chờ Sở Tài chính cấp kinh phí"


def _form_key(page):
    return re.search(r'name="once" value="([0-9a-f-]{36})"', page.content.decode())[1]


def test_the_same_update_sent_twice_is_stored_once_and_the_second_says_so(
    assignment, as_focal, media
):
    # A double tap, or Back and "Lưu cập nhật" again: the page's form is sent twice.
    key = _form_key(as_focal.get(detail(assignment)))
    fields = {"progress": P.IN_PROGRESS, "percent": "40", "note": "Đã họp", "once": key}
    first = as_focal.post(update_url(assignment), {**fields, "evidence": [upload("a.pdf", PDF)]})
    second = as_focal.post(update_url(assignment), {**fields, "evidence": [upload("a.pdf", PDF)]})
    assert first.status_code == second.status_code == 302
    assert second["Location"] == detail(assignment)
    assert ProgressUpdate.objects.count() == 1
    assert EvidenceFile.objects.count() == 1
    assert len([path for path in media.rglob("*") if path.is_file()]) == 1
    page = as_focal.get(second["Location"]).content.decode()
    assert "đã được gửi và ghi nhận trước đó" in page
    # The page drawn after the update carries a new key: the next update is a new one.
    assert _form_key(as_focal.get(detail(assignment))) != key


def test_a_refused_update_corrected_and_sent_again_with_its_key_is_stored(assignment, as_focal):
    key = _form_key(as_focal.get(detail(assignment)))
    refused = as_focal.post(
        update_url(assignment), {"progress": P.DONE, "percent": "50", "once": key}
    )
    assert refused.status_code == 200
    assert f'value="{key}"' in refused.content.decode()
    stored = as_focal.post(
        update_url(assignment), {"progress": P.IN_PROGRESS, "percent": "50", "once": key}
    )
    assert stored.status_code == 302
    assert ProgressUpdate.objects.get().percent == 50

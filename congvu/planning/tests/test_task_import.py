import datetime as dt
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from congvu.core.tests.media_helpers import zip_bomb
from congvu.planning.models import Assignment, Plan, Schedule, Task
from congvu.planning.task_import import TimeFrameError, parse_time_frame

D = dt.date
ISSUED = D(2026, 1, 10)
HEADER = [
    "STT",
    "Nội dung nhiệm vụ",
    "Cơ quan chủ trì",
    "Cơ quan phối hợp",
    "Thời gian thực hiện",
    "Sản phẩm",
]
GOOD = [
    ["I", "NHIỆM VỤ CHUNG", "", "", "", ""],
    [
        "1",
        "Quán triệt Quyết định 1847 đến toàn thể cán bộ",
        "Các sở, ban, ngành; UBND các xã, phường",
        "Sở Nội vụ",
        "Quý I/2026",
        "Biên bản",
    ],
    [
        "2",
        "Báo cáo kết quả thực hiện văn hóa công vụ",
        "Các cơ quan, đơn vị",
        "",
        "Trước 15/11 hằng năm",
        "Báo cáo",
    ],
    ["3", "Kiểm tra công vụ", "so noi vu", "H56.02", "Hằng quý", "Kết luận kiểm tra"],
]


@pytest.fixture
def plan(province):
    return Plan.objects.create(
        number="12/KH-UBND",
        title="Kế hoạch năm 2026",
        issuing_organisation=province["root"],
        issued_on=ISSUED,
    )


def workbook(rows, *, title=True):
    wb = openpyxl.Workbook()
    ws = wb.active
    if title:
        ws.append(["PHỤ LỤC: NHIỆM VỤ THỰC HIỆN KẾ HOẠCH"])
        ws.append([])
    ws.append(HEADER)
    ws.append([f"({n})" for n in range(1, 7)])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("bang-nhiem-vu.xlsx", out.getvalue())


def upload(client, plan, rows):
    return client.post(reverse("planning:task_import", args=[plan.pk]), {"file": workbook(rows)})


def payload(response):
    return re.search(r'name="payload" value="([^"]+)"', response.content.decode()).group(1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31/12/2026", (Schedule.ONCE, D(2026, 12, 31), None, None)),
        ("Trước ngày 30/9/2026", (Schedule.ONCE, D(2026, 9, 30), None, None)),
        ("Năm 2026", (Schedule.ONCE, D(2026, 12, 31), None, None)),
        ("Quý III/2026", (Schedule.ONCE, D(2026, 9, 30), None, None)),
        ("Tháng 9/2026", (Schedule.ONCE, D(2026, 9, 30), None, None)),
        ("Hằng năm", (Schedule.YEARLY, None, 12, 31)),
        ("Thường xuyên", (Schedule.YEARLY, None, 12, 31)),
        ("Trước 15/11 hằng năm", (Schedule.YEARLY, None, 11, 15)),
        ("Quý", (Schedule.QUARTERLY, None, None, None)),
        ("Hằng quý", (Schedule.QUARTERLY, None, None, None)),
        ("6 tháng", (Schedule.HALF_YEARLY, None, None, None)),
        ("Hằng tháng", (Schedule.MONTHLY, None, None, None)),
    ],
)
def test_the_usual_time_frames_are_understood(text, expected):
    frame = parse_time_frame(text, issued_on=ISSUED)
    assert (frame.schedule, frame.due_on, frame.due_month, frame.due_day) == expected


def test_monthly_days_working_days_and_periods_of_years_are_understood():
    assert parse_time_frame("Trước ngày 20 hằng tháng", issued_on=ISSUED).due_day == 20
    frame = parse_time_frame("Trong 10 ngày làm việc", issued_on=ISSUED)
    assert (frame.schedule, frame.due_working_days) == (Schedule.ONCE, 10)
    frame = parse_time_frame("Giai đoạn 2026 - 2030", issued_on=ISSUED)
    assert (frame.schedule, frame.ends_on) == (Schedule.YEARLY, D(2030, 12, 31))


@pytest.mark.parametrize("text", ["", "Sớm nhất có thể", "31/02/2026", "Trước 31/2 hằng năm"])
def test_what_cannot_be_understood_is_an_error(text):
    with pytest.raises(TimeFrameError):
        parse_time_frame(text, issued_on=ISSUED)


def test_a_table_with_row_errors_shows_them_and_writes_nothing(as_officer, plan):
    rows = [
        *GOOD,
        ["4", "", "Sở Nội vụ", "", "Hằng năm", ""],
        ["3", "Trùng số", "Sở Nội vụ", "", "Hằng năm", ""],
        ["5", "Cơ quan lạ", "Sở Du lịch", "", "Hằng năm", ""],
        ["6", "Thời gian lạ", "Sở Nội vụ", "", "Khi nào xong", ""],
    ]
    response = upload(as_officer, plan, rows)
    assert response.status_code == 200
    text = response.content.decode()
    assert "The content is missing" in text
    assert "Duplicate No." in text
    assert "Sở Du lịch" in text and "Unknown organisation" in text
    assert "Time frame not understood" in text
    assert 'name="payload"' not in text
    assert not Task.objects.exists()


def test_a_good_table_is_previewed_then_committed_and_fanned_out(as_officer, plan, province):
    assert as_officer.get(reverse("planning:task_import", args=[plan.pk])).status_code == 200
    preview = upload(as_officer, plan, GOOD)
    assert preview.status_code == 200
    assert preview.context["preview"].to_create == 3
    assert not Task.objects.exists()
    response = as_officer.post(
        reverse("planning:task_import_commit", args=[plan.pk]), {"payload": payload(preview)}
    )
    assert response.status_code == 302
    tasks = {task.code: task for task in Task.objects.filter(plan=plan)}
    assert sorted(tasks) == ["1", "2", "3"]
    first = tasks["1"]
    assert first.assign_to == Task.AssignTo.KINDS
    assert sorted(first.assignee_kinds.values_list("code", flat=True)) == [
        "commune_pc",
        "department",
    ]
    assert list(first.coordinating_organisations.all()) == [province["dept_home"]]
    assert first.due_on == D(2026, 3, 31)
    assert sorted(first.assignments.values_list("organisation__code", flat=True)) == [
        "H56.01",
        "H56.02",
        "H56.30",
    ]
    assert (tasks["2"].schedule, tasks["2"].due_month, tasks["2"].due_day) == (
        Schedule.YEARLY,
        11,
        15,
    )
    third = tasks["3"]
    assert third.lead_organisation == province["dept_home"]
    assert list(third.assignees.all()) == [province["dept_home"]]
    assert list(third.coordinating_organisations.all()) == [province["dept_justice"]]
    assert Assignment.objects.filter(task=third).exists()


def test_importing_the_table_again_updates_tasks_by_their_number(as_officer, plan):
    commit = reverse("planning:task_import_commit", args=[plan.pk])
    as_officer.post(commit, {"payload": payload(upload(as_officer, plan, GOOD))})
    changed = [row[:] for row in GOOD]
    changed[1][1] = "Quán triệt, phổ biến Quyết định 1847 (sửa)"
    preview = upload(as_officer, plan, changed)
    assert (preview.context["preview"].to_create, preview.context["preview"].to_update) == (0, 3)
    as_officer.post(commit, {"payload": payload(preview)})
    assert Task.objects.filter(plan=plan).count() == 3
    assert Task.objects.get(plan=plan, code="1").content.endswith("(sửa)")


def test_a_tampered_preview_is_refused(as_officer, plan):
    response = as_officer.post(
        reverse("planning:task_import_commit", args=[plan.pk]), {"payload": "forged"}
    )
    assert response.status_code == 302
    assert not Task.objects.exists()


def test_a_file_that_is_not_a_workbook_is_refused_with_a_message(as_officer, plan):
    response = as_officer.post(
        reverse("planning:task_import", args=[plan.pk]),
        {"file": SimpleUploadedFile("bang.xlsx", b"not a zip")},
    )
    assert response.status_code == 400
    assert "xlsx" in response.content.decode()


def test_a_zip_bomb_workbook_is_refused_by_name_before_openpyxl_reads_it(as_officer, plan):
    url = reverse("planning:task_import", args=[plan.pk])
    real = workbook(GOOD).read()
    bomb = SimpleUploadedFile("bang-nhiem-vu.xlsx", zip_bomb(real, entry="xl/extra.xml"))
    response = as_officer.post(url, {"file": bomb})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Tệp bang-nhiem-vu.xlsx là tệp nén bất thường (có thể là “bom nén”)" in text
    assert "a possible zip bomb" in text
    assert 'name="payload"' not in text
    assert not Task.objects.exists()
    # The same workbook without the extra part is previewed.
    fine = as_officer.post(url, {"file": SimpleUploadedFile("bang-nhiem-vu.xlsx", real)})
    assert fine.status_code == 200
    assert fine.context["preview"].to_create == 3


def test_the_template_downloads_with_the_appendix_columns(as_officer, plan):
    response = as_officer.get(reverse("planning:task_import_template", args=[plan.pk]))
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [cell.value for cell in wb.worksheets[0][1]] == HEADER


def test_the_import_is_404_for_an_outsider_and_403_for_a_viewer(as_outsider, as_viewer, province):
    plan = Plan.objects.create(
        number="3/KH-STP",
        title="Kế hoạch của Sở Tư pháp",
        issuing_organisation=province["dept_justice"],
        issued_on=ISSUED,
    )
    url = reverse("planning:task_import", args=[plan.pk])
    assert as_outsider.get(url).status_code == 404
    assert as_viewer.get(url).status_code == 403
    assert upload(as_viewer, plan, GOOD).status_code == 403
    commit = reverse("planning:task_import_commit", args=[plan.pk])
    assert as_viewer.post(commit, {"payload": "x"}).status_code == 403
    assert not Task.objects.exists()

"""Actions on the case file: each a real POST form, offered only when allowed."""

from __future__ import annotations

import datetime as dt
import html
import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from congvu.accounts.models import Role, User
from congvu.conftest import (
    client_for,
    form_key,
    form_version,
    make_user,
    said_already_sent,
)
from congvu.core.tests.media_helpers import (
    BODY,
    NAMES,
    PHONE,
    docx_bytes,
    docx_with_traces,
    unzipped,
)
from congvu.organisations.models import Organisation, StaffMember

from .. import workflow
from ..models import Case, CaseEvent, DisciplineDecision, DisciplineForm, Track
from .office_helpers import file_report, media, move, pdf  # noqa: F401

S = Case.Status


@pytest.fixture
def case(staff_member: StaffMember) -> Case:
    return file_report(staff=staff_member)


def url(name: str, case: Case, *args: object) -> str:
    return reverse(f"cases:{name}", args=[case.code, *args])


@pytest.mark.parametrize(
    "path",
    [
        (),
        ("accepted",),
        ("rejected",),
        ("accepted", "investigating"),
        ("accepted", "investigating", "concluded"),
        ("accepted", "investigating", "concluded", "closed"),
    ],
)
def test_the_transitions_offered_are_those_the_state_table_allows(
    as_head: Client, head: User, case: Case, path: tuple[str, ...]
) -> None:
    case = move(case, *path, actor=head)
    response = as_head.get(url("detail", case))
    offered = {value for value, _label, _form, _send in response.context["transitions"]}
    assert offered == {str(s) for s in workflow.ALLOWED[S(case.status)]}
    html = response.content.decode()
    for value in offered:
        assert f'data-transition="{value}"' in html
    if offered:
        # The note goes to both parties with the new status: its label says so.
        assert "Ghi chú gửi các bên (người phản ánh và người bị phản ánh đều xem được)" in html


def test_accepting_a_case_moves_it_and_records_the_event(as_head: Client, case: Case) -> None:
    response = as_head.post(url("transition", case), {"to": "accepted", "note": "Thụ lý."})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == S.ACCEPTED
    assert case.settle_due is not None
    assert case.events.filter(kind=CaseEvent.Kind.TRANSITION, to_status="accepted").exists()


def test_rejecting_needs_a_reason_and_keeps_the_note_typed(as_head: Client, case: Case) -> None:
    response = as_head.post(url("transition", case), {"to": "rejected", "note": "Ghi chú giữ lại"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Chọn lý do không thụ lý" in html
    assert "Ghi chú giữ lại" in html
    case.refresh_from_db()
    assert case.status == S.RECEIVED
    response = as_head.post(
        url("transition", case), {"to": "rejected", "reject_reason": "out_of_scope"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.reject_reason) == (S.REJECTED, "out_of_scope")


def test_a_move_chosen_before_another_handler_moved_the_case_says_so_and_keeps_the_note(
    as_head: Client, as_officer: Client, case: Case
) -> None:
    # A opens the case; B rejects it; A, still on the old page, accepts it with a note.
    drawn = as_head.get(url("detail", case))
    version = form_version(drawn, after='data-transition="accepted"')
    rejected = {"to": "rejected", "reject_reason": "out_of_scope"}
    rejected["stale"] = form_version(
        as_officer.get(url("detail", case)), after='data-transition="rejected"'
    )
    assert as_officer.post(url("transition", case), rejected).status_code == 302
    note = "Đã xác minh sơ bộ, đủ điều kiện thụ lý"
    response = as_head.post(
        url("transition", case), {"to": "accepted", "note": note, "stale": version}
    )
    assert response.status_code == 409
    page = html.unescape(response.content.decode())
    assert "Vụ việc đã chuyển sang trạng thái “Không thụ lý” trong lúc bạn xem" in page
    assert "moved to “" in page and note in page
    case.refresh_from_db()
    assert case.status == S.REJECTED
    assert not case.events.filter(to_status="accepted").exists()


def test_a_move_still_possible_after_the_case_moved_on_is_sent_only_once_reviewed(
    as_head: Client, head: User, case: Case
) -> None:
    version = form_version(as_head.get(url("detail", case)), after='data-transition="rejected"')
    move(case, "accepted", actor=head)  # another handler
    sent = {
        "to": "rejected",
        "reject_reason": "out_of_scope",
        "note": "Ngoài phạm vi",
        "stale": version,
    }
    response = as_head.post(url("transition", case), sent)
    case.refresh_from_db()
    assert response.status_code == 409 and case.status == S.ACCEPTED
    assert "Ngoài phạm vi" in response.content.decode()


def test_concluding_needs_an_outcome_and_a_conclusion(
    as_head: Client, head: User, case: Case
) -> None:
    case = move(case, "accepted", "investigating", actor=head)
    response = as_head.post(url("transition", case), {"to": "concluded", "outcome": ""})
    assert response.status_code == 400
    assert "Chọn kết luận" in response.content.decode()
    response = as_head.post(
        url("transition", case),
        {"to": "concluded", "outcome": "partly", "conclusion": "Đúng một phần."},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.outcome, case.conclusion) == (S.CONCLUDED, "partly", "Đúng một phần.")


def test_an_illegal_move_is_refused_with_a_message(as_head: Client, case: Case) -> None:
    response = as_head.post(url("transition", case), {"to": "closed"})
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == S.RECEIVED


def test_a_note_a_message_and_a_request_for_a_statement_go_to_their_audiences(
    as_head: Client, case: Case
) -> None:
    assert as_head.post(url("note", case), {"note-body": "Nội bộ"}).status_code == 302
    assert as_head.post(url("message", case), {"msg-body": "Gửi người dân"}).status_code == 302
    response = as_head.post(
        url("request_statement", case), {"req-body": "Đề nghị giải trình", "req-attachments": pdf()}
    )
    assert response.status_code == 302
    audiences = dict(case.events.values_list("body", "audience"))
    assert audiences["Nội bộ"] == CaseEvent.Audience.INTERNAL
    assert audiences["Gửi người dân"] == CaseEvent.Audience.REPORTER
    assert audiences["Đề nghị giải trình"] == CaseEvent.Audience.SUBJECT
    request = case.events.get(body="Đề nghị giải trình")
    assert request.files.count() == 1


def test_an_empty_note_is_refused_and_nothing_is_written(as_head: Client, case: Case) -> None:
    before = case.events.count()
    response = as_head.post(url("note", case), {"note-body": ""})
    assert response.status_code == 400
    assert case.events.count() == before


def test_a_disguised_file_is_refused_with_a_message(as_head: Client, case: Case) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("anh.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg")
    response = as_head.post(url("note", case), {"note-body": "Kèm ảnh", "note-attachments": fake})
    assert response.status_code == 400
    assert not case.events.filter(body="Kèm ảnh").exists()


def test_extending_needs_a_written_reason_and_moves_the_deadline(
    as_head: Client, head: User, staff_member: StaffMember
) -> None:
    case = move(file_report(staff=staff_member, track=Track.DENUNCIATION), "accepted", actor=head)
    due = case.settle_due
    assert as_head.get(url("detail", case)).context["may_extend"]
    assert as_head.post(url("extend", case), {"ext-reason": ""}).status_code == 400
    response = as_head.post(
        url("extend", case), {"ext-reason": "Vụ việc phức tạp, cần xác minh thêm."}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.extensions == 1 and case.settle_due is not None and due is not None
    assert case.settle_due > due


def test_linking_a_duplicate_by_code(
    as_head: Client, staff_member: StaffMember, case: Case
) -> None:
    main = file_report(staff=staff_member)
    response = as_head.post(url("link", case), {"link-main_code": "PA-NOPE"})
    assert response.status_code == 400
    assert "Không tìm thấy vụ việc" in response.content.decode()
    response = as_head.post(url("link", case), {"link-main_code": main.code.lower()})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.main_case_id == main.pk


def test_discipline_is_proposed_then_decided_with_number_date_and_file(
    as_head: Client, head: User, case: Case
) -> None:
    case = move(case, "accepted", "investigating", "concluded", actor=head)
    page = as_head.get(url("detail", case))
    assert page.context["may_propose"]
    form = page.context["propose_form"]
    reprimand: DisciplineForm = min(form.fields["form"].queryset, key=lambda f: f.rank)
    today = timezone.localdate()
    response = as_head.post(
        url("propose", case),
        {
            "disc-form": reprimand.pk,
            "disc-conduct_date": (today - dt.timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 302
    decision = DisciplineDecision.objects.get(case=case)
    response = as_head.post(
        url("decide", case, decision.pk),
        {
            f"dec-{decision.pk}-decision": decision.pk,
            f"dec-{decision.pk}-number": "12/QĐ-STP",
            f"dec-{decision.pk}-decided_on": today.isoformat(),
            f"dec-{decision.pk}-file": pdf("qd.pdf"),
        },
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.stage == DisciplineDecision.Stage.DECIDED
    assert decision.decision_number == "12/QĐ-STP"
    file_url = reverse("cases:decision_file", args=[case.code, decision.pk])
    assert file_url in as_head.get(url("detail", case)).content.decode()
    assert as_head.get(file_url).status_code == 200


def _propose(as_head: Client, head: User, case: Case) -> DisciplineDecision:
    case = move(case, "accepted", "investigating", "concluded", actor=head)
    form = as_head.get(url("detail", case)).context["propose_form"]
    reprimand: DisciplineForm = min(form.fields["form"].queryset, key=lambda f: f.rank)
    conduct = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    response = as_head.post(
        url("propose", case), {"disc-form": reprimand.pk, "disc-conduct_date": conduct}
    )
    assert response.status_code == 302
    return DisciplineDecision.objects.get(case=case)


def _decide(as_head: Client, decision: DisciplineDecision, file: SimpleUploadedFile) -> Any:
    prefix = f"dec-{decision.pk}"
    return as_head.post(
        url("decide", decision.case, decision.pk),
        {
            f"{prefix}-decision": decision.pk,
            f"{prefix}-number": "12/QĐ-STP",
            f"{prefix}-decided_on": timezone.localdate().isoformat(),
            f"{prefix}-file": file,
        },
    )


def test_a_word_decision_is_stored_without_its_author_editors_or_commenters(
    as_head: Client, head: User, case: Case
) -> None:
    decision = _propose(as_head, head, case)
    response = _decide(as_head, decision, SimpleUploadedFile("qd.docx", docx_with_traces()))
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.decision_file.name.endswith(".docx")
    download = as_head.get(reverse("cases:decision_file", args=[case.code, decision.pk]))
    stored = b"".join(download.streaming_content)
    with zipfile.ZipFile(io.BytesIO(stored)) as archive:
        core = archive.read("docProps/core.xml")
    assert b"creator" not in core and b"lastModifiedBy" not in core
    text = unzipped(stored)
    assert BODY.encode() in text
    for name in (*NAMES, PHONE):
        assert name.encode() not in text, name


@pytest.mark.parametrize(
    ("content", "message", "english"),
    [
        (
            "macros",
            "Tệp qd.docx có macro hoặc mã tự chạy, không được chấp nhận",
            "The document contains macros or other code that runs and is refused",
        ),
        (
            "damaged",
            "Tệp qd.docx bị hỏng hoặc không đọc được nên không xóa được thông tin ẩn",
            "The document is damaged or unreadable",
        ),
    ],
)
def test_a_word_decision_with_macros_or_damaged_is_refused_by_name_and_nothing_decided(
    as_head: Client, head: User, case: Case, content: str, message: str, english: str
) -> None:
    decision = _propose(as_head, head, case)
    with zipfile.ZipFile(io.BytesIO(docx_bytes())) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    if content == "macros":
        parts["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    else:
        parts["word/document.xml"] = parts["word/document.xml"][:200]  # cut off
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
    response = _decide(as_head, decision, SimpleUploadedFile("qd.docx", out.getvalue()))
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert message in page
    assert english in page
    decision.refresh_from_db()
    assert decision.stage == DisciplineDecision.Stage.PROPOSED
    assert not decision.decision_file


def test_a_proposal_past_the_limitation_period_shows_the_error(
    as_head: Client, head: User, case: Case
) -> None:
    case = move(case, "accepted", "investigating", "concluded", actor=head)
    form = as_head.get(url("detail", case)).context["propose_form"]
    reprimand = min(form.fields["form"].queryset, key=lambda f: f.limitation_years)
    long_ago = timezone.localdate().replace(year=timezone.localdate().year - 20)
    response = as_head.post(
        url("propose", case), {"disc-form": reprimand.pk, "disc-conduct_date": long_ago.isoformat()}
    )
    assert response.status_code == 400
    assert "thời hiệu" in response.content.decode()
    assert not DisciplineDecision.objects.filter(case=case).exists()


def test_no_discipline_is_offered_before_a_substantiated_conclusion(
    as_head: Client, head: User, case: Case
) -> None:
    case = move(case, "accepted", "investigating", actor=head)
    assert not as_head.get(url("detail", case)).context["may_propose"]
    case = move(case, "concluded", actor=head, outcome=Case.Outcome.UNSUBSTANTIATED)
    assert not as_head.get(url("detail", case)).context["may_propose"]


def test_actions_are_refused_to_a_viewer_an_outsider_and_the_subject(
    as_viewer: Client, as_outsider: Client, staff_user: User, case: Case
) -> None:
    assert as_viewer.post(url("note", case), {"note-body": "x"}).status_code == 403
    assert as_outsider.post(url("note", case), {"note-body": "x"}).status_code == 404
    subject = client_for(staff_user)
    assert subject.post(url("transition", case), {"to": "accepted"}).status_code == 404
    assert case.events.count() == 1


def test_an_inspector_may_read_but_not_act(province: dict[str, Organisation], case: Case) -> None:
    inspector = client_for(make_user("insp", Role.INSPECTOR, province["dept_justice"]))
    assert inspector.get(url("detail", case)).status_code == 200
    assert inspector.post(url("transition", case), {"to": "accepted"}).status_code == 403
    case.refresh_from_db()
    assert case.status == S.RECEIVED


def test_the_decided_discipline_appears_on_the_staff_record_by_year(
    as_head: Client, as_viewer: Client, head: User, case: Case, staff_member: StaffMember
) -> None:
    from .. import discipline

    case = move(case, "accepted", "investigating", "concluded", actor=head)
    form = discipline.allowed_forms(staff_member).first()
    assert form is not None
    today = timezone.localdate()
    decision = discipline.propose(
        case, form=form, conduct_date=today - dt.timedelta(days=3), note="", actor=head
    )
    page = reverse("organisations:staff_detail", args=[staff_member.pk])
    assert "Không có quyết định kỷ luật" in as_head.get(page).content.decode()
    discipline.decide(decision, number="99/QĐ-STP", decided_on=today, file=None, actor=head)
    html = as_head.get(page).content.decode()
    assert 'data-testid="discipline-record"' in html
    assert "99/QĐ-STP" in html and form.name in html and str(today.year) in html
    viewer_html = as_viewer.get(page).content.decode()
    assert "99/QĐ-STP" not in viewer_html


def test_a_message_to_the_reporter_sent_twice_is_sent_once(as_head: Client, case: Case) -> None:
    # A double tap, or Back and "Gửi người phản ánh" again: the case page's form twice.
    key = form_key(as_head.get(url("detail", case)), "msg-once")
    data = {"msg-body": "Gửi người dân", "msg-once": key}
    first, second = (
        as_head.post(url("message", case), data),
        as_head.post(url("message", case), data),
    )
    assert first["Location"] == second["Location"] == url("detail", case)
    assert case.events.filter(body="Gửi người dân").count() == 1
    assert said_already_sent(as_head, second)

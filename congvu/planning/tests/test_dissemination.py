"""Dissemination sessions: recording, editing and the attendance list."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from congvu.accounts.models import User
from congvu.audit.models import AuditEvent
from congvu.conftest import (
    form_key,
    make_staff,
    page_form,
    said_already_sent,
    said_changed_meanwhile,
)
from congvu.organisations.models import Organisation
from congvu.planning import dissemination
from congvu.planning.models import Dissemination

pytestmark = pytest.mark.django_db

CREATE = reverse("dissemination:create")


def page(response: Any) -> str:
    return response.content.decode()


@pytest.fixture
def session(province: dict[str, Organisation], head: User) -> Dissemination:
    return dissemination.record_session(
        province["dept_justice"],
        actor=head,
        held_on=timezone.localdate() - dt.timedelta(days=3),
        format=Dissemination.Format.CONFERENCE,
        content="Hội nghị quán triệt Quyết định 1847/QĐ-TTg",
        participants=40,
    )


def form_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "organisation": "H56.02",
        "held_on": (timezone.localdate() - dt.timedelta(days=1)).strftime("%d/%m/%Y"),
        "format": "training",
        "content": "Tập huấn kỹ năng giao tiếp với người dân",
        "participants": "25",
    }
    data.update(overrides)
    return data


def test_a_head_records_a_session_and_is_sent_to_the_attendance_list(
    as_head: Client, head: User
) -> None:
    response = as_head.post(CREATE, form_data())
    session = Dissemination.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("dissemination:attendance", args=[session.pk])
    assert (session.format, session.participants, session.recorded_by) == ("training", 25, head)
    assert session.held_on == timezone.localdate() - dt.timedelta(days=1)
    assert AuditEvent.objects.filter(action="dissemination.record", object_id=session.pk).exists()


def test_a_session_in_the_future_is_refused_and_the_input_kept(as_officer: Client) -> None:
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).strftime("%d/%m/%Y")
    response = as_officer.post(CREATE, form_data(held_on=tomorrow))
    assert response.status_code == 200
    assert "Chỉ ghi nhận buổi đã tổ chức" in page(response)
    assert "Tập huấn kỹ năng giao tiếp với người dân" in page(response)
    assert not Dissemination.objects.exists()


def test_a_session_before_2000_is_refused_and_the_input_kept(as_officer: Client) -> None:
    response = as_officer.post(CREATE, form_data(held_on="01/01/1990"))
    assert response.status_code == 200
    assert "Ngày phải trong khoảng năm 2000–2100" in page(response)
    assert "Tập huấn kỹ năng giao tiếp với người dân" in page(response)
    assert not Dissemination.objects.exists()


def test_an_outsider_cannot_record_for_another_organisation(as_outsider: Client) -> None:
    response = as_outsider.post(CREATE, form_data())
    assert response.status_code == 200
    assert "Không tìm thấy cơ quan có mã" in page(response)
    assert not Dissemination.objects.exists()


def test_a_viewer_may_not_open_the_recording_page(as_viewer: Client) -> None:
    assert as_viewer.get(CREATE).status_code == 403


def test_the_list_shows_only_sessions_the_user_may_see(
    as_viewer: Client, as_outsider: Client, session: Dissemination
) -> None:
    url = reverse("dissemination:list")
    assert "Hội nghị quán triệt Quyết định 1847" in page(as_viewer.get(url))
    assert "Hội nghị quán triệt Quyết định 1847" not in page(as_outsider.get(url))


def test_the_detail_page_is_404_for_an_outsider_and_read_only_for_a_viewer(
    as_viewer: Client, as_outsider: Client, session: Dissemination
) -> None:
    url = reverse("dissemination:detail", args=[session.pk])
    assert as_outsider.get(url).status_code == 404
    response = as_viewer.get(url)
    assert response.status_code == 200
    assert "Hội nghị" in page(response)
    assert reverse("dissemination:edit", args=[session.pk]) not in page(response)


def test_editing_a_session(as_officer: Client, session: Dissemination) -> None:
    url = reverse("dissemination:edit", args=[session.pk])
    assert as_officer.get(url).status_code == 200
    response = as_officer.post(url, form_data(format="online", participants="55"))
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.format, session.participants) == ("online", 55)
    assert session.organisation.code == "H56.02"


def test_a_save_from_a_page_someone_else_saved_since_is_refused_and_keeps_the_input(
    as_officer: Client, as_head: Client, session: Dissemination
) -> None:
    url = reverse("dissemination:edit", args=[session.pk])
    tab_a, tab_b = page_form(as_officer.get(url)), page_form(as_head.get(url))
    assert as_head.post(url, {**tab_b, "participants": "45"}).status_code == 302
    refused = as_officer.post(url, {**tab_a, "content": "Nội dung do A sửa"})
    assert said_changed_meanwhile(refused)
    assert "Nội dung do A sửa" in page(refused)
    assert "hiện là: «45»" in page(refused)
    session.refresh_from_db()
    assert (session.participants, session.content) == (
        45,
        "Hội nghị quán triệt Quyết định 1847/QĐ-TTg",
    )
    again = page_form(refused)
    assert as_officer.post(url, {**again, "participants": "45"}).status_code == 302
    session.refresh_from_db()
    assert (session.participants, session.content) == (45, "Nội dung do A sửa")


def test_editing_is_403_for_a_viewer_and_404_for_an_outsider(
    as_viewer: Client, as_outsider: Client, session: Dissemination
) -> None:
    url = reverse("dissemination:edit", args=[session.pk])
    assert as_viewer.get(url).status_code == 403
    assert as_viewer.post(url, form_data()).status_code == 403
    assert as_outsider.get(url).status_code == 404
    assert (
        as_outsider.get(reverse("dissemination:attendance", args=[session.pk])).status_code == 404
    )


def test_ticking_attendees_on_one_page_leaves_the_other_pages_alone(
    as_head: Client, session: Dissemination, province: dict[str, Organisation]
) -> None:
    dept = province["dept_justice"]
    an, binh, cuong = (
        make_staff(dept, "Lê Văn An", "A1"),
        make_staff(dept, "Trần Thị Bình", "B1"),
        make_staff(dept, "Phạm Văn Cường", "C1"),
    )
    session.attendees.add(cuong)
    url = reverse("dissemination:attendance", args=[session.pk])
    html = page(as_head.get(url))
    assert html.index("Lê Văn An") < html.index("Trần Thị Bình") < html.index("Phạm Văn Cường")
    # The page showed An and Bình only (a search): Cường keeps his mark.
    response = as_head.post(url + "?q=an", {"shown": [an.pk, binh.pk], "present": [an.pk]})
    assert response.status_code == 302
    assert set(session.attendees.all()) == {an, cuong}
    detail = page(as_head.get(reverse("dissemination:detail", args=[session.pk])))
    assert "Lê Văn An" in detail and "Phạm Văn Cường" in detail and "Trần Thị Bình" not in detail


def test_staff_of_another_organisation_cannot_be_ticked(
    as_head: Client, session: Dissemination, province: dict[str, Organisation]
) -> None:
    stranger = make_staff(province["commune"], "Hoàng Văn Xã", "X1")
    url = reverse("dissemination:attendance", args=[session.pk])
    response = as_head.post(url, {"shown": [stranger.pk], "present": [stranger.pk]})
    assert response.status_code == 200
    assert "không thuộc danh sách" in page(response)
    assert not session.attendees.exists()


def test_the_participant_count_never_falls_below_the_attendance_list(
    head: User, session: Dissemination, province: dict[str, Organisation]
) -> None:
    people = [make_staff(province["dept_justice"], f"Cán bộ {i}", f"P{i}") for i in range(3)]
    session.participants = 1
    session.save()
    dissemination.set_attendance(session, actor=head, shown=people, present=people)
    session.refresh_from_db()
    assert session.participants == 3
    with pytest.raises(Exception, match="không được ít hơn"):
        dissemination.edit_session(
            session,
            actor=head,
            held_on=session.held_on,
            format=session.format,
            content=session.content,
            participants=2,
        )


def test_a_session_sent_twice_is_recorded_once_and_both_lead_to_its_attendance_list(
    as_head: Client,
) -> None:
    # A double tap, or Back and "Lưu" again: the page's form is sent twice.
    data = form_data(once=form_key(as_head.get(CREATE)))
    first, second = as_head.post(CREATE, data), as_head.post(CREATE, data)
    session = Dissemination.objects.get()
    assert first["Location"] == second["Location"]
    assert second["Location"] == reverse("dissemination:attendance", args=[session.pk])
    assert said_already_sent(as_head, second)

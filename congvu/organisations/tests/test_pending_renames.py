"""Leftovers of the reorganisation tooling (reorgfix): withdrawing a rename recorded ahead
of its day, the Excel import that would have lost one, and a move under a parent that
already has a unit of the same name."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from congvu.accounts.models import Role, User
from congvu.audit.models import AuditEvent
from congvu.conftest import START, client_for, form_key, kind, make_user
from congvu.core import daily
from congvu.organisations import restructuring, services
from congvu.organisations.import_models import ImportJob
from congvu.organisations.importing.columns import ORG_COLUMNS
from congvu.organisations.models import Organisation
from congvu.organisations.selectors import tree_as_of

Province = dict[str, Organisation]

TODAY = timezone.localdate()
AHEAD = TODAY + dt.timedelta(days=60)
LATER = AHEAD + dt.timedelta(days=30)


@pytest.fixture(autouse=True)
def _the_days_of_this_test() -> None:
    """The dates above as of the moment each test runs, not of the collection: a run
    that crosses midnight (Vietnam time) in between saw yesterday as today."""
    global TODAY, AHEAD, LATER
    TODAY = timezone.localdate()
    AHEAD = TODAY + dt.timedelta(days=60)
    LATER = AHEAD + dt.timedelta(days=30)


def url(name: str, org: Organisation) -> str:
    return reverse(f"organisations:{name}", args=[org.pk])


def reload(org: Organisation) -> Organisation:
    return Organisation.objects.get(pk=org.pk)


def dmy(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def names_on(day: dt.date) -> set[str]:
    return {node.name for root in tree_as_of(day) for node in root.walk()}


def history(org: Organisation) -> list[tuple[str, dt.date, dt.date | None]]:
    return [(v.name, v.valid_from, v.valid_to) for v in org.versions.order_by("valid_from")]


@pytest.fixture
def pending(province: Province, officer: User) -> Organisation:
    """Sở Tư pháp, to be called Sở Tư pháp và Pháp chế from AHEAD."""
    justice = province["dept_justice"]
    restructuring.rename_organisation(
        justice, actor=officer, name="Sở Tư pháp và Pháp chế", effective=AHEAD
    )
    return justice


# --- 1. Withdrawing a pending rename ------------------------------------------------------


def test_a_withdrawn_rename_never_takes_effect_and_is_audited(
    pending: Organisation, officer: User
) -> None:
    restructuring.withdraw_rename(pending, actor=officer)
    assert history(pending) == [("Sở Tư pháp", pending.valid_from, None)]
    assert "Sở Tư pháp và Pháp chế" not in names_on(AHEAD)
    assert daily.registered()["organisations.apply_due_names"](AHEAD) == 0
    assert reload(pending).name == "Sở Tư pháp"
    event = AuditEvent.objects.get(action="organisations.rename_withdrawn")
    assert event.actor == officer and event.organisation_id == pending.pk
    assert event.data["withdrawn"] == "Sở Tư pháp và Pháp chế"
    assert event.data["kept"] == "Sở Tư pháp"


def test_after_withdrawing_the_organisation_may_be_renamed_or_merged_before_that_day(
    pending: Organisation, officer: User, province: Province
) -> None:
    restructuring.withdraw_rename(pending, actor=officer)
    restructuring.rename_organisation(pending, actor=officer, name="Sở Pháp chế", effective=TODAY)
    assert reload(pending).name == "Sở Pháp chế"


def test_withdrawing_the_second_of_two_pending_renames_keeps_the_first(
    pending: Organisation, officer: User
) -> None:
    restructuring.rename_organisation(pending, actor=officer, name="Tên B", effective=LATER)
    restructuring.withdraw_rename(pending, actor=officer, effective=LATER)
    assert [(n, f) for n, f, _t in history(pending)] == [
        ("Sở Tư pháp", pending.valid_from),
        ("Sở Tư pháp và Pháp chế", AHEAD),
    ]
    assert history(pending)[-1][2] is None


def test_withdrawing_the_first_of_two_pending_renames_keeps_the_old_name_until_the_second(
    pending: Organisation, officer: User
) -> None:
    restructuring.rename_organisation(pending, actor=officer, name="Tên B", effective=LATER)
    restructuring.withdraw_rename(pending, actor=officer, effective=AHEAD)
    assert history(pending) == [
        ("Sở Tư pháp", pending.valid_from, LATER - dt.timedelta(days=1)),
        ("Tên B", LATER, None),
    ]


def test_there_is_nothing_to_withdraw_without_a_pending_rename(
    province: Province, officer: User
) -> None:
    justice = province["dept_justice"]
    restructuring.rename_organisation(justice, actor=officer, name="Sở mới", effective=TODAY)
    with pytest.raises(ValidationError) as refused:
        restructuring.withdraw_rename(justice, actor=officer)
    assert "There is no rename waiting for its date" in str(refused.value)
    assert reload(justice).name == "Sở mới"  # a rename in force is history, not withdrawn


def test_a_withdrawal_is_refused_when_a_sibling_has_taken_the_old_name_since(
    pending: Organisation, officer: User, province: Province
) -> None:
    services.create_organisation(
        actor=None,
        code="H56.50",
        name="Sở Tư pháp",
        kind=kind("department"),
        parent=province["root"],
        valid_from=AHEAD,
    )
    with pytest.raises(ValidationError) as refused:
        restructuring.withdraw_rename(pending, actor=officer)
    assert "H56.50" in str(refused.value) and "hãy chọn tên khác" in str(refused.value)
    assert len(history(pending)) == 2


def test_the_page_shows_the_pending_rename_with_a_withdraw_button(
    pending: Organisation, as_officer: Client, as_viewer: Client
) -> None:
    html = as_officer.get(url("detail", pending)).content.decode()
    assert 'data-testid="pending-renames"' in html
    assert f"Tên mới «Sở Tư pháp và Pháp chế» có hiệu lực từ {dmy(AHEAD)}" in html
    assert url("withdraw_rename", pending) in html
    # A reader sees what is coming, without the button.
    html = as_viewer.get(url("detail", pending)).content.decode()
    assert f"Tên mới «Sở Tư pháp và Pháp chế» có hiệu lực từ {dmy(AHEAD)}" in html
    assert url("withdraw_rename", pending) not in html


def test_an_officer_withdraws_the_rename_from_the_page(
    pending: Organisation, as_officer: Client
) -> None:
    response = as_officer.post(url("withdraw_rename", pending), {"effective": dmy(AHEAD)})
    assert response.status_code == 302
    html = as_officer.get(response["Location"]).content.decode()
    assert "Đã rút lại việc đổi tên." in html
    assert 'data-testid="pending-renames"' not in html
    assert len(history(pending)) == 1


def test_the_page_refuses_a_date_without_a_pending_rename_and_changes_nothing(
    pending: Organisation, as_officer: Client
) -> None:
    for sent, said in (
        ({"effective": dmy(LATER)}, f"Không có việc đổi tên nào chờ hiệu lực từ ngày {dmy(LATER)}"),
        ({"effective": "31/02/2027"}, "Ngày không hợp lệ"),
        ({}, "Hãy nhập ngày"),
    ):
        response = as_officer.post(url("withdraw_rename", pending), sent)
        assert response.status_code == 200
        assert said in response.content.decode()
        assert len(history(pending)) == 2


def test_withdrawing_twice_says_there_is_nothing_left_to_withdraw(
    pending: Organisation, as_officer: Client
) -> None:
    data = {"effective": dmy(AHEAD)}
    assert as_officer.post(url("withdraw_rename", pending), data).status_code == 302
    response = as_officer.post(url("withdraw_rename", pending), data)
    assert response.status_code == 200
    assert f"Không có việc đổi tên nào chờ hiệu lực từ ngày {dmy(AHEAD)}" in (
        response.content.decode()
    )
    assert len(history(pending)) == 1


def test_withdrawing_from_the_page_is_404_for_an_outsider_and_403_for_a_viewer(
    pending: Organisation, as_outsider: Client, as_viewer: Client
) -> None:
    data = {"effective": dmy(AHEAD)}
    assert as_outsider.post(url("withdraw_rename", pending), data).status_code == 404
    assert as_viewer.post(url("withdraw_rename", pending), data).status_code == 403
    assert len(history(pending)) == 2
    assert not AuditEvent.objects.filter(action="organisations.rename_withdrawn").exists()


def withdraw_key(client: Client, org: Organisation) -> str:
    """The key of the page's withdraw form (`core.once`)."""
    return form_key(client.get(url("detail", org)), after=url("withdraw_rename", org))


def test_a_withdraw_form_sent_twice_withdraws_once_and_says_so(
    pending: Organisation, as_officer: Client
) -> None:
    data = {"effective": dmy(AHEAD), "once": withdraw_key(as_officer, pending)}
    first = as_officer.post(url("withdraw_rename", pending), data)
    assert first.status_code == 302
    # A double tap, or Back and send again: the same form, the same key.
    second = as_officer.post(url("withdraw_rename", pending), data, follow=True)
    assert second.redirect_chain == [(url("detail", pending), 302)]
    html = second.content.decode()
    assert "Nội dung này đã được gửi và ghi nhận trước đó" in html
    assert "Không có việc đổi tên nào chờ hiệu lực" not in html
    assert reload(pending).name == "Sở Tư pháp"
    assert len(history(pending)) == 1
    assert AuditEvent.objects.filter(action="organisations.rename_withdrawn").count() == 1


def test_a_withdraw_key_is_not_spent_by_an_outsider_a_viewer_or_a_refused_sending(
    pending: Organisation,
    as_officer: Client,
    as_outsider: Client,
    as_viewer: Client,
    province: Province,
) -> None:
    key = withdraw_key(as_officer, pending)
    data = {"effective": dmy(AHEAD), "once": key}
    assert as_outsider.post(url("withdraw_rename", pending), data).status_code == 404
    assert as_viewer.post(url("withdraw_rename", pending), data).status_code == 403
    # A sibling takes the old name: refused, the page keeps the form's key.
    sibling = services.create_organisation(
        actor=None,
        code="H56.50",
        name="Sở Tư pháp",
        kind=kind("department"),
        parent=province["root"],
        valid_from=AHEAD,
    )
    refused = as_officer.post(url("withdraw_rename", pending), data)
    assert refused.status_code == 200
    assert "H56.50" in refused.content.decode()
    assert form_key(refused, after=url("withdraw_rename", pending)) == key
    assert len(history(pending)) == 2
    # Once the sibling is named otherwise, the same form goes through.
    restructuring.rename_organisation(sibling, actor=None, name="Sở Pháp chế", effective=AHEAD)
    assert as_officer.post(url("withdraw_rename", pending), data).status_code == 302
    assert len(history(pending)) == 1


def test_a_withdraw_key_sent_from_another_session_is_refused_clearly(
    pending: Organisation, as_officer: Client, province: Province
) -> None:
    data = {"effective": dmy(AHEAD), "once": withdraw_key(as_officer, pending)}
    assert as_officer.post(url("withdraw_rename", pending), data).status_code == 302
    colleague = client_for(make_user("colleague", Role.HOME_AFFAIRS, province["root"]))
    response = colleague.post(url("withdraw_rename", pending), data)
    assert response.status_code == 200
    assert "đã được gửi từ một phiên làm việc khác" in response.content.decode()


# --- 2. The Excel import does not silently lose a pending rename --------------------------


def org_file(rows: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([c.label for c in ORG_COLUMNS])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def import_orgs(client: Client, scope: Organisation, rows: list[list[Any]]) -> ImportJob:
    client.post(
        reverse("imports:upload"),
        {
            "kind": "organisations",
            "scope": scope.pk,
            "file": SimpleUploadedFile("coquan.xlsx", org_file(rows)),
        },
    )
    return ImportJob.objects.latest("pk")


@pytest.fixture
def import_media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def test_an_import_row_that_would_lose_a_pending_rename_is_refused_with_the_reason(
    pending: Organisation, as_officer: Client, province: Province, import_media: None
) -> None:
    rows = [["H56.02", "Sở Tư pháp tỉnh", "", "department", "H56", ""]]
    job = import_orgs(as_officer, province["root"], rows)
    [error] = job.row_errors
    assert error["row"] == 2 and error["column"] == "Tên"
    assert f"«Sở Tư pháp và Pháp chế» từ {dmy(AHEAD)}" in error["message"]
    assert "withdraw that rename" in error["message"]
    page = as_officer.get(reverse("imports:preview", args=[job.pk])).content.decode()
    assert "rút lại việc đổi tên trên trang của cơ quan" in page
    assert 'data-testid="commit"' not in page
    as_officer.post(reverse("imports:commit", args=[job.pk]))
    assert reload(pending).name == "Sở Tư pháp"
    assert [n for n, _f, _t in history(pending)] == ["Sở Tư pháp", "Sở Tư pháp và Pháp chế"]


def test_an_import_row_as_the_organisation_is_today_keeps_the_pending_rename(
    pending: Organisation, as_officer: Client, province: Province, import_media: None
) -> None:
    rows = [["H56.02", "Sở Tư pháp", "", "department", "H56", ""]]
    job = import_orgs(as_officer, province["root"], rows)
    assert job.row_errors == [] and job.to_keep == 1
    as_officer.post(reverse("imports:commit", args=[job.pk]))
    assert [n for n, _f, _t in history(pending)] == ["Sở Tư pháp", "Sở Tư pháp và Pháp chế"]


def test_after_withdrawing_the_rename_the_import_updates_the_name(
    pending: Organisation, officer: User, as_officer: Client, province: Province, import_media: None
) -> None:
    restructuring.withdraw_rename(pending, actor=officer)
    rows = [["H56.02", "Sở Tư pháp tỉnh", "", "department", "H56", ""]]
    job = import_orgs(as_officer, province["root"], rows)
    assert job.row_errors == [] and job.to_update == 1
    as_officer.post(reverse("imports:commit", args=[job.pk]))
    assert reload(pending).name == "Sở Tư pháp tỉnh"


# --- 3. A move under a parent that already has a unit of the same name ---------------------


@pytest.fixture
def namesake(province: Province) -> Organisation:
    """ "Phòng Hành chính tư pháp" also under Sở Nội vụ (allowed: another parent)."""
    return services.create_organisation(
        actor=None,
        code="H56.01.07",
        name="Phòng Hành chính tư pháp",
        kind=kind("division"),
        parent=province["dept_home"],
        valid_from=START,
    )


def test_a_move_under_a_parent_with_a_namesake_is_refused(
    namesake: Organisation, province: Province, officer: User
) -> None:
    division = province["division_justice"]
    with pytest.raises(ValidationError) as refused:
        restructuring.move_organisation(
            division, actor=officer, parent=province["dept_home"], effective=TODAY
        )
    message = refused.value.message_dict["parent"][0]
    assert "H56.01.07" in message and "hãy chọn tên khác" in message
    assert reload(division).parent_id == province["dept_justice"].pk
    assert division.versions.count() == 1


def test_a_move_under_a_parent_whose_namesake_closed_goes_through(
    namesake: Organisation, province: Province, officer: User
) -> None:
    restructuring.dissolve_organisation(namesake, actor=officer, effective=TODAY)
    division = province["division_justice"]
    restructuring.move_organisation(
        division, actor=officer, parent=province["dept_home"], effective=TODAY
    )
    assert reload(division).parent_id == province["dept_home"].pk


def test_the_move_form_shows_the_namesake_refusal_on_the_parent_and_keeps_the_input(
    namesake: Organisation, province: Province, as_officer: Client
) -> None:
    division = province["division_justice"]
    response = as_officer.post(
        url("move", division), {"move-parent": "H56.01", "move-effective": dmy(TODAY)}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "hãy chọn tên khác" in html and 'value="H56.01"' in html
    assert reload(division).parent_id == province["dept_justice"].pk

"""The audit log's pages: /audit/, one event, the CSV export, "verify now"."""

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from congvu.accounts.models import Role, User
from congvu.audit.models import AuditEvent, ChainVerification
from congvu.audit.services import record, run_verification
from congvu.conftest import client_for, make_user
from congvu.organisations.models import Organisation

from .events import sample_events

LIST = reverse("audit:list")


@pytest.fixture
def events(province: dict[str, Organisation], officer: User) -> dict[str, AuditEvent]:
    return sample_events(province, officer)


@pytest.fixture
def commune_auditor(province: dict[str, Organisation]) -> User:
    """Home Affairs rights on the commune only: its events, nothing else."""
    return make_user("commune_auditor", Role.HOME_AFFAIRS, province["commune"])


def ids_on(response: Any) -> set[int]:
    """The events on the page that the tests recorded (the province's fixture records the
    creation of its organisations too)."""
    return {
        row["event"].pk
        for row in response.context["rows"]
        if row["event"].action != "organisations.create"
    }


def test_a_home_affairs_officer_sees_every_event_newest_first(
    as_officer: Client, events: dict[str, AuditEvent], province: dict[str, Organisation]
) -> None:
    response = as_officer.get(LIST)
    assert response.status_code == 200
    rows = [row["event"].pk for row in response.context["rows"]]
    assert rows[:3] == [events["account"].pk, events["commune"].pk, events["justice"].pk]
    body = response.content.decode()
    assert "Tạo nhiệm vụ" in body  # the action's label, not "planning.task_create"
    assert "Sở Tư pháp" in body
    # The organisation's creation links to its page; the task #7 that does not exist, not.
    assert reverse("organisations:detail", args=[province["dept_justice"].pk]) in body
    assert reverse("planning:task_detail", args=[7]) not in body


def test_the_navigation_offers_the_log_to_its_holders_only(
    as_officer: Client, as_head: Client
) -> None:
    assert LIST in as_officer.get(reverse("core:home")).content.decode()
    assert LIST not in as_head.get(reverse("core:home")).content.decode()


def test_a_holder_on_one_organisation_sees_only_its_events(
    commune_auditor: User, events: dict[str, AuditEvent]
) -> None:
    response = client_for(commune_auditor).get(LIST)
    assert response.status_code == 200
    assert ids_on(response) == {events["commune"].pk}


def test_an_event_outside_the_users_scope_is_not_found(
    commune_auditor: User, as_outsider: Client, events: dict[str, AuditEvent]
) -> None:
    auditor = client_for(commune_auditor)
    assert auditor.get(reverse("audit:detail", args=[events["justice"].pk])).status_code == 404
    assert auditor.get(reverse("audit:detail", args=[events["account"].pk])).status_code == 404
    assert auditor.get(reverse("audit:detail", args=[events["commune"].pk])).status_code == 200
    outsider_page = as_outsider.get(reverse("audit:detail", args=[events["justice"].pk]))
    assert outsider_page.status_code == 404


def test_a_role_without_audit_view_is_refused(
    as_head: Client, as_viewer: Client, events: dict[str, AuditEvent]
) -> None:
    assert as_head.get(LIST).status_code == 403
    assert as_viewer.get(LIST).status_code == 403
    assert as_head.get(reverse("audit:csv")).status_code == 403
    assert as_head.get(reverse("audit:detail", args=[events["justice"].pk])).status_code == 403
    assert as_head.post(reverse("audit:verify")).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(events: dict[str, AuditEvent]) -> None:
    response = Client().get(LIST)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_filters_by_organisation_without_accents_action_type_and_actor(
    as_officer: Client, officer: User, events: dict[str, AuditEvent]
) -> None:
    by_org = as_officer.get(LIST, {"organisation": "so tu phap"})
    assert ids_on(by_org) == {events["justice"].pk}
    by_action = as_officer.get(LIST, {"action": "inspection.plan"})
    assert ids_on(by_action) == {events["commune"].pk}
    by_type = as_officer.get(LIST, {"object_type": "accounts.user"})
    assert ids_on(by_type) == {events["account"].pk}
    by_actor = as_officer.get(LIST, {"actor": "OFFICER"})
    assert {e.pk for e in events.values()} <= ids_on(by_actor)
    assert ids_on(as_officer.get(LIST, {"actor": "không-ai-cả"})) == set()


def test_the_actor_filter_ignores_accents_and_case(
    as_officer: Client, officer: User, events: dict[str, AuditEvent]
) -> None:
    User.objects.filter(pk=officer.pk).update(full_name="Mai Thị Nga")
    mine = {e.pk for e in events.values()}
    for typed in ("Mai Thị Nga", "mai thi nga", "MAI THI NGA", "thi nga"):
        assert mine <= ids_on(as_officer.get(LIST, {"actor": typed})), typed
    assert ids_on(as_officer.get(LIST, {"actor": "mai thi hoa"})) == set()


def test_filters_by_date_range_in_day_month_year(
    as_officer: Client, events: dict[str, AuditEvent]
) -> None:
    AuditEvent.objects.filter(pk=events["justice"].pk).update(
        at=timezone.make_aware(dt.datetime(2026, 3, 5, 10, 0))
    )
    response = as_officer.get(LIST, {"date_from": "05/03/2026", "date_to": "05/03/2026"})
    assert ids_on(response) == {events["justice"].pk}
    assert ids_on(as_officer.get(LIST, {"date_to": "04/03/2026"})) == set()


def test_a_wrong_date_is_explained_and_the_other_filters_are_kept(
    as_officer: Client, events: dict[str, AuditEvent]
) -> None:
    response = as_officer.get(
        LIST, {"date_from": "31/02/2026", "organisation": "tư pháp", "action": ""}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="filter-errors"' in body
    assert "Từ ngày" in body
    assert 'value="tư pháp"' in body
    assert ids_on(response) == {events["justice"].pk}  # the valid filter still applies
    assert 'data-testid="csv-link"' not in body


def test_an_end_date_before_the_start_is_refused_in_english_too(
    as_officer: Client, settings: Any
) -> None:
    dates = {"date_from": "10/03/2026", "date_to": "01/03/2026"}
    assert "“Đến ngày” phải từ “Từ ngày” trở đi." in as_officer.get(LIST, dates).content.decode()
    as_officer.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = as_officer.get(LIST, dates).content.decode()
    assert "The end date must not be before the start date." in body
    assert "Audit log" in body


def test_pages_follow_each_other_without_gaps_or_repeats(
    as_officer: Client, officer: User, province: dict[str, Organisation]
) -> None:
    kind = "organisations.staffmember"
    made = [
        record("staff.update", actor=officer, object_type=kind, object_id=str(n)).pk
        for n in range(120)
    ]
    seen: list[int] = []
    params: dict[str, Any] = {"object_type": kind}
    while True:
        response = as_officer.get(LIST, params)
        seen.extend(row["event"].pk for row in response.context["rows"])
        older = response.context["page"].older
        if older is None:
            break
        params = {"object_type": kind, "after": older}
    assert seen == sorted(made, reverse=True)
    back = as_officer.get(LIST, {"object_type": kind, "before": made[69]})
    assert [row["event"].pk for row in back.context["rows"]][-1] == made[70]
    assert as_officer.get(LIST, {"after": "abc"}).status_code == 200


def test_the_event_page_shows_every_field_its_data_and_that_its_hash_holds(
    as_officer: Client, events: dict[str, AuditEvent]
) -> None:
    event = events["justice"]
    response = as_officer.get(reverse("audit:detail", args=[event.pk]))
    body = response.content.decode()
    assert event.hash in body and event.prev_hash in body
    assert "deadline" in body and "2026-12-31" in body and "[1, 2]" in body
    assert "Nhiệm vụ tuyên truyền" in body
    assert "tính lại khớp" in body


def test_the_event_page_says_when_the_hash_no_longer_holds(
    as_officer: Client, events: dict[str, AuditEvent]
) -> None:
    AuditEvent.objects.filter(pk=events["justice"].pk).update(summary="đã sửa")
    body = as_officer.get(reverse("audit:detail", args=[events["justice"].pk])).content.decode()
    assert "KHÔNG khớp" in body


def test_a_reporters_identity_in_event_data_is_masked_without_case_identity(
    province: dict[str, Organisation], officer: User, as_officer: Client
) -> None:
    event = record(
        "case.create",
        actor=None,
        object_type="cases.case",
        object_id="1",
        organisation=province["commune"],
        data={"reporter_name": "Trần Thị Bí Mật", "track": "feedback"},
    )
    auditor = make_user("auditor_x", Role.HOME_AFFAIRS, province["commune"])
    page = client_for(auditor).get(reverse("audit:detail", args=[event.pk]))
    # HOME_AFFAIRS holds CASE_IDENTITY: the name shows.
    assert "Trần Thị Bí Mật" in page.content.decode()
    from congvu.audit import selectors

    reader = make_user("reader", Role.VIEWER, province["commune"])
    data, masked = selectors.masked_data(reader, event)
    assert masked and "Bí Mật" not in str(data) and data["track"] == "feedback"


def test_the_chain_status_says_up_to_which_event_it_was_verified(
    as_officer: Client, events: dict[str, AuditEvent]
) -> None:
    assert "chưa được kiểm tra" in as_officer.get(LIST).content.decode()
    run = run_verification()
    body = as_officer.get(LIST).content.decode()
    when = timezone.localtime(run.finished_at).strftime("%d/%m/%Y %H:%M")
    assert f"nguyên vẹn đến sự kiện #{events['account'].pk} lúc {when}" in body


def test_a_tampered_event_turns_the_chain_status_into_a_red_warning(
    as_officer: Client, events: dict[str, AuditEvent]
) -> None:
    AuditEvent.objects.filter(pk=events["commune"].pk).update(summary="sửa trộm")
    run_verification()
    body = as_officer.get(LIST).content.decode()
    assert "chain-broken" in body
    assert f"bị phá vỡ tại sự kiện #{events['commune'].pk}" in body


def test_verify_now_runs_the_verification_in_the_background_and_is_audited(
    as_officer: Client,
    officer: User,
    events: dict[str, AuditEvent],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = as_officer.post(reverse("audit:verify"))
    assert response.status_code == 302
    run = ChainVerification.objects.get()
    assert run.trigger == "manual" and run.requested_by == officer
    assert run.finished_at is not None and run.ok  # the tests' task backend runs it at once
    assert AuditEvent.objects.filter(action="audit.verify_request", actor=officer).exists()


def test_verify_now_is_for_province_wide_holders(commune_auditor: User) -> None:
    assert client_for(commune_auditor).post(reverse("audit:verify")).status_code == 403


def read_csv(response: Any) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_csv_has_the_rows_the_page_shows_for_the_same_filters(
    as_officer: Client, events: dict[str, AuditEvent]
) -> None:
    params = {"organisation": "xa an binh"}
    page_ids = ids_on(as_officer.get(LIST, params))
    response = as_officer.get(reverse("audit:csv"), params)
    assert response["Content-Type"].startswith("text/csv")
    rows = read_csv(response)
    assert rows[0][0] == "id"
    assert {int(row[0]) for row in rows[1:] if row[3] != "organisations.create"} == page_ids
    assert page_ids == {events["commune"].pk}
    assert rows[1][9].startswith("'=HYPERLINK")  # no formula reaches a spreadsheet


def test_the_csv_is_scoped_like_the_page(
    commune_auditor: User, events: dict[str, AuditEvent]
) -> None:
    rows = read_csv(client_for(commune_auditor).get(reverse("audit:csv")))
    listed = {int(row[0]) for row in rows[1:] if row[3] != "organisations.create"}
    assert listed == {events["commune"].pk}


def test_the_csv_with_a_wrong_date_sends_back_to_the_page_with_the_error(
    as_officer: Client,
) -> None:
    response = as_officer.get(reverse("audit:csv"), {"date_from": "99/99/2026", "actor": "a"})
    assert response.status_code == 302
    page = as_officer.get(response["Location"])
    assert 'data-testid="filter-errors"' in page.content.decode()
    assert 'value="a"' in page.content.decode()


def test_the_csv_names_a_reports_submission_in_the_readers_language(
    as_officer: Client, province: dict[str, Organisation], officer: User
) -> None:
    record(
        "report.submit",
        actor=officer,
        object_type="reporting.organisationreport",
        object_id="1",
        organisation=province["dept_justice"],
        summary="Sở Tư pháp",
    )
    rows = read_csv(as_officer.get(reverse("audit:csv")))
    header = rows[0]
    submitted = [row for row in rows[1:] if row[header.index("action")] == "report.submit"]
    assert [row[header.index("action_label")] for row in submitted] == ["Nộp báo cáo"]
    as_officer.cookies["congvu_lang"] = "en"
    rows = read_csv(as_officer.get(reverse("audit:csv")))
    submitted = [row for row in rows[1:] if row[header.index("action")] == "report.submit"]
    assert [row[header.index("action_label")] for row in submitted] == ["Submit report"]


def test_each_csv_download_is_audited_with_its_filters(
    as_officer: Client, as_head: Client, officer: User, events: dict[str, AuditEvent]
) -> None:
    assert as_head.get(reverse("audit:csv")).status_code == 403  # refused: not recorded
    as_officer.get(LIST, {"actor": "officer"})  # the page is not a file: not recorded
    assert not AuditEvent.objects.filter(action="audit.export").exists()
    rows = read_csv(as_officer.get(reverse("audit:csv"), {"actor": "officer"}))
    event = AuditEvent.objects.get(action="audit.export")
    assert event.actor_id == officer.pk and event.organisation_id is None
    assert event.data == {"filters": {"actor": "officer"}, "format": "csv"}
    # The file lists its own download, as the log will from now on.
    assert str(event.pk) in {row[0] for row in rows[1:]}

"""Changing a reporting period once it is opened ("Sửa kỳ báo cáo"): the dates, a due
date moved with its reason and history, the kinds, the document details; who may; what an
extension does to lateness; who is told; the creation form's default due date."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from congvu.accounts.models import Role, User
from congvu.audit.models import AuditEvent
from congvu.conftest import (
    client_for,
    make_user,
    on_a_vietnamese_page,
    page_form,
    said_changed_meanwhile,
)
from congvu.core.calendar import add_working_days
from congvu.core.models import Notification
from congvu.organisations.models import Organisation, OrganisationKind
from congvu.reporting import services
from congvu.reporting.forms import default_due_on
from congvu.reporting.models import OrganisationReport, ReportPeriod, ReportPeriodDueChange

pytestmark = pytest.mark.django_db

REASON_REQUIRED = "Cần ghi lý do đổi hạn nộp báo cáo. / Say why the due date changes."


def edit_url(period: ReportPeriod) -> str:
    return reverse("reporting:period_edit", args=[period.pk])


def page(response: Any) -> str:
    return response.content.decode()


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def filed(
    period: ReportPeriod, organisation: Organisation, on: dt.date, **extra: Any
) -> OrganisationReport:
    """A report first submitted on `on`, marked late as the workflow would have."""
    return OrganisationReport.objects.create(
        period=period,
        organisation=organisation,
        organisation_name=organisation.name,
        status=extra.pop("status", OrganisationReport.Status.SUBMITTED),
        first_submitted_at=at(on),
        submitted_at=at(on),
        is_late=on > period.due_on,
        results="Đã thực hiện",
        **extra,
    )


def move_due(period: ReportPeriod, to: dt.date, actor: Any, reason: str = "Gia hạn") -> None:
    services.update_period(period, actor=actor, due_on=to, reason=reason)


# --- The page ------------------------------------------------------------------------------


def test_home_affairs_edits_a_period_from_its_page_and_the_extension_is_listed(
    as_officer: Client, officer: User, period: ReportPeriod
) -> None:
    detail = reverse("reporting:period", args=[period.pk])
    assert edit_url(period) in page(as_officer.get(detail))
    form = page_form(as_officer.get(edit_url(period)))
    assert form["due_on"] == "15/11/2026"
    form.update(
        name="Báo cáo năm 2026 (sửa)",
        due_on="30/11/2026",
        reason="UBND tỉnh gia hạn theo Công văn 12/UBND",
        number="120/BC-SNV",
        signer_name="Trần Thị Bình",
        signer_title="Giám đốc",
    )
    response = as_officer.post(edit_url(period), form)
    assert response.status_code == 302, page(response)
    period.refresh_from_db()
    assert (period.name, period.due_on, period.number, period.signer_name) == (
        "Báo cáo năm 2026 (sửa)",
        dt.date(2026, 11, 30),
        "120/BC-SNV",
        "Trần Thị Bình",
    )
    shown = page(as_officer.get(detail))
    today = f"{timezone.localdate():%d/%m/%Y}"
    assert (
        "Gia hạn: 15/11/2026 → 30/11/2026, lý do: UBND tỉnh gia hạn theo Công văn 12/UBND, "
        f"bởi officer, ngày {today}"
    ) in shown
    event = AuditEvent.objects.get(action="report_period.update")
    assert event.data["before"]["due_on"] == "2026-11-15"
    assert event.data["after"]["due_on"] == "2026-11-30"
    assert event.data["after"]["number"] == "120/BC-SNV"
    assert "covers_from" not in event.data["after"]  # unchanged fields are not listed
    assert event.data["reason"] == "UBND tỉnh gia hạn theo Công văn 12/UBND"


def test_a_new_due_date_without_a_reason_is_refused_with_the_input_kept_and_nothing_saved(
    as_officer: Client, period: ReportPeriod
) -> None:
    form = page_form(as_officer.get(edit_url(period)))
    form.update(name="Tên mới gõ dở", due_on="30/11/2026", reason="  ")
    response = as_officer.post(edit_url(period), form)
    assert response.status_code == 400
    html = page(response)
    assert on_a_vietnamese_page(REASON_REQUIRED) in html or REASON_REQUIRED in html
    assert 'value="Tên mới gõ dở"' in html and 'value="30/11/2026"' in html
    period.refresh_from_db()
    assert period.name != "Tên mới gõ dở" and period.due_on == dt.date(2026, 11, 15)
    assert not ReportPeriodDueChange.objects.exists()
    assert not AuditEvent.objects.filter(action="report_period.update").exists()


def test_bad_dates_are_refused_as_at_creation(as_officer: Client, period: ReportPeriod) -> None:
    form = page_form(as_officer.get(edit_url(period)))
    form.update(covers_to="01/01/2020", due_on="01/01/2020", reason="Nhầm")
    response = as_officer.post(edit_url(period), form)
    assert response.status_code == 400
    assert "The end must not be before the start." in page(response)
    period.refresh_from_db()
    assert period.due_on == dt.date(2026, 11, 15)


def test_an_edit_from_a_stale_page_is_refused_showing_the_current_values(
    as_officer: Client, officer: User, period: ReportPeriod
) -> None:
    form = page_form(as_officer.get(edit_url(period)))
    # Meanwhile, in another tab, someone puts in the document number.
    services.update_period(period, actor=officer, number="99/BC-SNV")
    form.update(signer_name="Trần Thị Bình")
    response = as_officer.post(edit_url(period), form)
    assert response.status_code == 400
    assert said_changed_meanwhile(response)
    html = page(response)
    assert "hiện là: «99/BC-SNV»" in html
    assert 'value="Trần Thị Bình"' in html  # the user's input kept
    period.refresh_from_db()
    assert (period.number, period.signer_name) == ("99/BC-SNV", "")
    # Sent again from the page as it came back, it goes through.
    again = page_form(response)
    again["number"] = "99/BC-SNV"
    assert as_officer.post(edit_url(period), again).status_code == 302


def test_an_outsider_gets_404_and_those_who_report_in_the_period_get_403(
    province: dict[str, Organisation],
    period: ReportPeriod,
    as_outsider: Client,
    as_head: Client,
    as_viewer: Client,
) -> None:
    theirs = services.create_period(
        actor=None,
        issuing_organisation=province["dept_justice"],
        name="Báo cáo riêng của Sở Tư pháp",
        kind=ReportPeriod.Kind.AD_HOC,
        covers_from=dt.date(2026, 1, 1),
        covers_to=dt.date(2026, 6, 30),
        due_on=dt.date(2026, 7, 15),
    )
    assert as_outsider.get(edit_url(theirs)).status_code == 404
    assert as_outsider.post(edit_url(theirs), {"name": "x"}).status_code == 404
    focal = client_for(make_user("focal", Role.FOCAL_POINT, province["dept_justice"]))
    for client in (as_head, as_viewer, focal):
        assert client.get(edit_url(period)).status_code == 403
        response = client.post(edit_url(period), {"name": "x", "due_on": "30/11/2026"})
        assert response.status_code == 403
    detail = page(as_head.get(reverse("reporting:period", args=[period.pk])))
    assert edit_url(period) not in detail
    period.refresh_from_db()
    assert period.due_on == dt.date(2026, 11, 15)


# --- Reporting kinds -----------------------------------------------------------------------


def test_adding_a_kind_is_fine_removing_one_with_reports_is_refused_naming_them(
    officer: User, period: ReportPeriod, province: dict[str, Organisation]
) -> None:
    kinds = set(period.reporting_kinds.all())
    province_pc = OrganisationKind.objects.get(code="province_pc")
    services.update_period(period, actor=officer, reporting_kinds=[*kinds, province_pc])
    assert province_pc in period.reporting_kinds.all()
    services.create_report(period, organisation=province["dept_justice"], actor=officer)
    without_departments = [k for k in kinds if k.code != "department"]
    with pytest.raises(ValidationError) as refused:
        services.update_period(period, actor=officer, reporting_kinds=without_departments)
    assert "Sở Tư pháp" in refused.value.message_dict["reporting_kinds"][0]
    assert period.reporting_kinds.filter(code="department").exists()
    # A kind nobody has reported under goes.
    services.update_period(period, actor=officer, reporting_kinds=list(kinds))
    assert not period.reporting_kinds.filter(code="province_pc").exists()


# --- Lateness ------------------------------------------------------------------------------


def test_an_extension_forgives_reports_late_only_against_the_old_date(
    officer: User, period: ReportPeriod, province: dict[str, Organisation]
) -> None:
    on_time = filed(period, province["dept_home"], dt.date(2026, 11, 10))
    late_by_days = filed(period, province["dept_justice"], dt.date(2026, 11, 20))
    very_late = filed(period, province["commune"], dt.date(2026, 12, 5))
    assert (on_time.is_late, late_by_days.is_late, very_late.is_late) == (False, True, True)

    move_due(period, dt.date(2026, 11, 30), officer)
    for report in (on_time, late_by_days, very_late):
        report.refresh_from_db()
    assert (on_time.is_late, late_by_days.is_late, very_late.is_late) == (False, False, True)
    event = AuditEvent.objects.get(action="report_period.update")
    assert event.data["no_longer_late"] == 1

    # A shortened date never makes a report filed on time late.
    move_due(period, dt.date(2026, 11, 5), officer, reason="Nhập nhầm hạn")
    for report in (on_time, late_by_days, very_late):
        report.refresh_from_db()
    assert (on_time.is_late, late_by_days.is_late, very_late.is_late) == (False, False, True)
    history = list(period.due_changes.values_list("old_due_on", "new_due_on", "reason"))
    assert history == [
        (dt.date(2026, 11, 15), dt.date(2026, 11, 30), "Gia hạn"),
        (dt.date(2026, 11, 30), dt.date(2026, 11, 5), "Nhập nhầm hạn"),
    ]


def test_a_report_submitted_after_the_extension_is_judged_against_the_new_date(
    officer: User, head: User, draft: OrganisationReport
) -> None:
    move_due(draft.period, timezone.localdate() + dt.timedelta(days=3), officer)
    submitted = services.submit_report(draft, actor=head)
    assert submitted.is_late is False


# --- Notices -------------------------------------------------------------------------------


def test_the_new_date_is_told_to_heads_and_focal_points_of_organisations_still_to_report(
    officer: User,
    head: User,
    viewer: User,
    outsider: User,
    period: ReportPeriod,
    province: dict[str, Organisation],
) -> None:
    focal = make_user("focal", Role.FOCAL_POINT, province["dept_justice"])
    home_focal = make_user("home_focal", Role.FOCAL_POINT, province["dept_home"])
    colleague = make_user("colleague", Role.HOME_AFFAIRS, province["root"])
    # The commune has filed (its head, the outsider, is not told); Sở Tư pháp has a draft.
    filed(period, province["commune"], dt.date(2026, 11, 10))
    services.create_report(period, organisation=province["dept_justice"], actor=head)
    move_due(period, dt.date(2026, 11, 30), officer, reason="Gia hạn theo Công văn 12")

    told = Notification.objects.order_by("user__username")
    assert sorted(told.values_list("user__username", flat=True)) == [
        "focal",
        "head",
        "home_focal",
    ]
    notice = told.filter(user=focal).get()
    assert notice.title == (
        "Kỳ báo cáo «Báo cáo kết quả thực hiện văn hóa công vụ năm 2026»: hạn nộp mới 30/11/2026"
    )
    assert "Gia hạn theo Công văn 12" in notice.body and "15/11/2026" in notice.body
    assert notice.url == reverse("reporting:period", args=[period.pk])
    assert not Notification.objects.filter(user__in=[officer, viewer, outsider, colleague]).exists()
    # Other changes tell nobody.
    services.update_period(period, actor=officer, number="120/BC-SNV")
    assert Notification.objects.count() == 3
    assert home_focal  # used


# --- The creation form's default due date --------------------------------------------------


def test_the_default_due_date_is_15_november_or_ten_working_days_once_it_has_passed() -> None:
    assert default_due_on(dt.date(2026, 3, 2)) == dt.date(2026, 11, 15)
    assert default_due_on(dt.date(2026, 11, 15)) == dt.date(2026, 11, 15)
    late = dt.date(2026, 11, 29)
    assert default_due_on(late) == add_working_days(late, 10)
    assert default_due_on(late) == dt.date(2026, 12, 11)


def test_the_creation_form_never_offers_a_past_due_date_and_warns_of_one_typed(
    as_officer: Client, province: dict[str, Organisation]
) -> None:
    url = reverse("reporting:period_create")
    form = page_form(as_officer.get(url), having="once")
    offered = dt.datetime.strptime(form["due_on"], "%d/%m/%Y").date()
    assert offered >= timezone.localdate()
    form.update(name="Báo cáo bổ sung năm 2020", due_on="15/11/2020")
    form.update(covers_from="01/01/2020", covers_to="31/10/2020")
    response = as_officer.post(url, form)
    assert response.status_code == 302, page(response)
    shown = page(as_officer.get(response["Location"]))
    assert "Hạn nộp 15/11/2020 đã qua" in shown

"""The reports page's one-click "open this year's period" button: its due date is
15/11, or ten working days from the day it is pressed once 15/11 has passed, and the
button says which; once open, the page links to the period instead."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from congvu.organisations.models import Organisation
from congvu.reporting import services
from congvu.reporting.models import ReportPeriod

pytestmark = pytest.mark.django_db

NAME = "Báo cáo kết quả thực hiện văn hóa công vụ năm 2026"


def on_day(monkeypatch: pytest.MonkeyPatch, day: dt.date) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)


def test_before_15_november_the_button_opens_the_period_due_that_day(
    monkeypatch: pytest.MonkeyPatch, as_officer: Client, province: dict[str, Organisation]
) -> None:
    on_day(monkeypatch, dt.date(2026, 3, 2))
    page = as_officer.get(reverse("reporting:index")).content.decode()
    assert "Mở kỳ báo cáo năm 2026 (hạn 15/11/2026)" in page

    response = as_officer.post(reverse("reporting:period_yearly"))

    period = ReportPeriod.objects.get(name=NAME)
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:period", args=[period.pk])
    assert (period.covers_from, period.covers_to, period.due_on) == (
        dt.date(2025, 11, 16),
        dt.date(2026, 11, 15),
        dt.date(2026, 11, 15),
    )
    page = as_officer.get(reverse("reporting:index")).content.decode()
    assert "Mở kỳ báo cáo năm 2026" not in page
    link = reverse("reporting:period", args=[period.pk])
    assert f'href="{link}" data-testid="period-yearly"' in page
    assert f"{NAME} (hạn 15/11/2026)" in page


def test_after_15_november_the_button_gives_ten_working_days_and_no_past_due_warning(
    monkeypatch: pytest.MonkeyPatch, as_officer: Client, province: dict[str, Organisation]
) -> None:
    on_day(monkeypatch, dt.date(2026, 11, 29))
    page = as_officer.get(reverse("reporting:index")).content.decode()
    # Ten working days from Sunday 29/11/2026: Friday 11/12/2026.
    assert "Mở kỳ báo cáo năm 2026 (hạn 11/12/2026)" in page
    assert "hạn 15/11" not in page

    response = as_officer.post(reverse("reporting:period_yearly"))

    period = ReportPeriod.objects.get(name=NAME)
    # The figures are still those of the year to 15/11; only the due date moves.
    assert (period.covers_to, period.due_on) == (dt.date(2026, 11, 15), dt.date(2026, 12, 11))
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert not any("đã qua" in m for m in said), said
    # Pressed again (another tab): the same period, unchanged.
    as_officer.post(reverse("reporting:period_yearly"))
    assert ReportPeriod.objects.filter(name=NAME).count() == 1
    assert services.ensure_yearly_period(2026, issuing_organisation=province["root"]) == period


def test_the_button_is_for_those_who_manage_the_plan(
    as_viewer: Client, as_outsider: Client, province: dict[str, Organisation]
) -> None:
    assert "period-yearly" not in as_viewer.get(reverse("reporting:index")).content.decode()
    assert as_viewer.post(reverse("reporting:period_yearly")).status_code == 403
    assert as_outsider.post(reverse("reporting:period_yearly")).status_code == 403
    assert not ReportPeriod.objects.exists()

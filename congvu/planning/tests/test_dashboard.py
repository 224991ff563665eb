import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from congvu.conftest import client_for, kind
from congvu.core.tests.test_crawl import Page, repeated_landmarks
from congvu.organisations.models import Organisation
from congvu.planning import rollups
from congvu.planning.dashboard_views import _pct
from congvu.planning.models import Assignment, Plan, Task

# A Friday before Hùng Kings' day (observed Monday 27/04) and the 30/04–01/05 holidays:
# ten working days later is Wednesday 13/05/2026, not Friday 08/05.
TODAY = dt.date(2026, 4, 24)
P = Assignment.Progress


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY


@pytest.fixture
def plan(province: dict[str, Organisation]) -> Plan:
    return Plan.objects.create(
        number="86/KH-UBND",
        title="Kế hoạch thực hiện văn hóa công vụ",
        issuing_organisation=province["root"],
        issued_on=dt.date(2019, 8, 30),
    )


@pytest.fixture
def tasks(plan: Plan) -> list[Task]:
    return [
        Task.objects.create(
            plan=plan, code=str(i), content=f"Nhiệm vụ {i}", starts_on=dt.date(2025, 1, 1), order=i
        )
        for i in (1, 2)
    ]


def assign(
    task: Task,
    org: Organisation,
    due: dt.date,
    *,
    period: str = "2026",
    completed: dt.date | None = None,
    progress: str = P.NOT_STARTED,
) -> Assignment:
    year = int(period)
    return Assignment.objects.create(
        task=task,
        organisation=org,
        period=period,
        period_start=dt.date(year, 1, 1),
        period_end=dt.date(year, 12, 31),
        original_due_on=due,
        due_on=due,
        completed_on=completed,
        progress=P.DONE if completed else progress,
        percent=100 if completed else 0,
    )


def refresh(plan: Plan, *orgs: Organisation) -> None:
    rollups.refresh(plan_id=plan.pk, organisation_ids=[o.pk for o in orgs])


@pytest.fixture
def work(plan: Plan, tasks: list[Task], province: dict[str, Organisation]) -> dict[str, Any]:
    """Sở Tư pháp: 1 on time, 1 overdue (2026); the commune: 1 late, 1 not started (2026);
    Sở Nội vụ: 2 on time in 2025."""
    justice, commune, home = province["dept_justice"], province["commune"], province["dept_home"]
    t1, t2 = tasks
    assign(t1, justice, dt.date(2026, 3, 31), completed=dt.date(2026, 3, 20))
    assign(t2, justice, dt.date(2026, 4, 10))  # overdue on 24/04
    assign(t1, commune, dt.date(2026, 3, 31), completed=dt.date(2026, 4, 2))  # late
    assign(t2, commune, dt.date(2026, 6, 30))  # not started
    assign(t1, home, dt.date(2025, 6, 30), period="2025", completed=dt.date(2025, 6, 1))
    assign(t2, home, dt.date(2025, 6, 30), period="2025", completed=dt.date(2025, 6, 2))
    refresh(plan, justice, commune, home)
    return {"justice": justice, "commune": commune, "home": home}


def org_counts(response: Any) -> dict[str, tuple[int, ...]]:
    return {
        row.organisation.name: (
            row.counts.total,
            row.counts.done_on_time,
            row.counts.done_late,
            row.counts.overdue,
            row.counts.not_started,
        )
        for row, _cells in response.context["org_table"]
    }


def test_the_dashboard_counts_each_organisation_and_links_each_number_to_its_records(
    as_officer, plan, work
):
    response = as_officer.get(reverse("dashboards:province"), {"plan": plan.pk, "period": "2026"})
    assert response.status_code == 200
    assert org_counts(response) == {
        "Sở Tư pháp": (2, 1, 0, 1, 0),
        "Ủy ban nhân dân xã An Bình": (2, 0, 1, 0, 1),
    }
    totals = response.context["totals"]
    assert (totals.total, totals.overdue, totals.done_pct) == (4, 1, 50.0)
    html = response.content.decode()
    justice = work["justice"].pk
    link = (
        f"/assignments/?state=overdue&amp;plan={plan.pk}&amp;period=2026&amp;organisation={justice}"
    )
    assert f'<a href="{link}">1</a>' in html
    assert f'href="/assignments/?state=done_late&amp;plan={plan.pk}&amp;period=2026"' in html


def test_the_worst_organisation_comes_first(as_officer, plan, work):
    response = as_officer.get(reverse("dashboards:province"), {"plan": plan.pk, "period": "2026"})
    assert next(iter(org_counts(response))) == "Sở Tư pháp"  # the only one with overdue work


def test_a_head_sees_only_their_own_subtree(as_head, plan, work, province):
    response = as_head.get(reverse("dashboards:province"), {"plan": plan.pk})
    assert set(org_counts(response)) == {"Sở Tư pháp"}
    assert response.context["totals"].total == 2
    assert "Ủy ban nhân dân xã An Bình" not in response.content.decode()


def test_filters_narrow_the_figures_by_period_and_kind(as_officer, plan, work):
    by_period = as_officer.get(reverse("dashboards:province"), {"plan": plan.pk, "period": "2025"})
    assert set(org_counts(by_period)) == {"Sở Nội vụ"}
    department = kind("department")
    by_kind = as_officer.get(
        reverse("dashboards:province"), {"plan": plan.pk, "kind": department.pk}
    )
    assert set(org_counts(by_kind)) == {"Sở Tư pháp", "Sở Nội vụ"}
    assert by_kind.context["totals"].total == 4


def test_invalid_filters_fall_back_to_the_defaults(as_officer, plan, work):
    response = as_officer.get(
        reverse("dashboards:province"), {"plan": "x", "period": "1999", "kind": "9999"}
    )
    assert response.status_code == 200
    assert response.context["filters"].plan == plan
    assert response.context["totals"].total == 6


def test_the_trend_sums_each_period(as_officer, plan, work):
    response = as_officer.get(reverse("dashboards:province"), {"plan": plan.pk})
    data = response.context["charts"]["trend"]
    assert data["labels"] == ["Năm 2025", "Năm 2026"]  # as a reader says them
    series = {one["key"]: one["values"] for one in data["series"]}
    assert series["done_on_time"] == [2, 1]
    assert series["overdue"] == [0, 1]


def chart_titles(html: str, testid: str) -> list[str]:
    """The hover titles of the chart `testid` on the page (after the chart's own title)."""
    import xml.etree.ElementTree as ET

    start = html.index(f'data-testid="{testid}"')
    svg = html[html.rindex("<svg", 0, start) : html.index("</svg>", start) + len("</svg>")]
    root = ET.fromstring(svg)  # noqa: S314 - our own page, in a test
    return [t.text or "" for t in root.iter("title")][1:]


def test_the_charts_are_drawn_by_the_server_with_the_figures_of_each_period(
    as_officer: Any, plan: Plan, work: dict[str, Any]
) -> None:
    response = as_officer.get(reverse("dashboards:province"), {"plan": plan.pk})
    html = response.content.decode()
    # No Chart.js, no script for the charts: two inline SVG images, named, described.
    assert "chart.umd" not in html and "dashboard.js" not in html
    assert html.count('role="img"') == 2
    assert "<desc>Số liệu ở bảng Xu hướng qua các kỳ</desc>" in html
    assert chart_titles(html, "column-chart") == [
        "Năm 2025\nChưa thực hiện: 0\nĐang thực hiện trong hạn: 0\nQuá hạn: 0\n"
        "Hoàn thành đúng hạn: 2\nHoàn thành trễ hạn: 0\nTỷ lệ hoàn thành (%): 100,0 %",
        "Năm 2026\nChưa thực hiện: 1\nĐang thực hiện trong hạn: 0\nQuá hạn: 1\n"
        "Hoàn thành đúng hạn: 1\nHoàn thành trễ hạn: 1\nTỷ lệ hoàn thành (%): 50,0 %",
    ]
    # The states of all six tasks, each with its share.
    assert chart_titles(html, "bar-chart") == [
        "Chưa thực hiện: 1 (16,7 %)",
        "Đang thực hiện trong hạn: 0 (0,0 %)",
        "Quá hạn: 1 (16,7 %)",
        "Hoàn thành đúng hạn: 3 (50,0 %)",
        "Hoàn thành trễ hạn: 1 (16,7 %)",
    ]


def test_the_charts_speak_english_with_its_separators(
    as_officer: Any, plan: Plan, work: dict[str, Any]
) -> None:
    as_officer.cookies["congvu_lang"] = "en"
    html = as_officer.get(reverse("dashboards:province"), {"plan": plan.pk}).content.decode()
    assert "<desc>The figures are in the Trend over the periods table</desc>" in html
    assert "Done on time: 3 (50.0 %)" in chart_titles(html, "bar-chart")


def test_each_table_has_a_caption_and_no_two_landmarks_share_a_name(
    as_officer: Any, plan: Plan, work: dict[str, Any]
) -> None:
    html = as_officer.get(
        reverse("dashboards:province"), {"plan": plan.pk, "period": "2026"}
    ).content.decode()
    import re

    main = html[html.index("<main") :]
    assert main.count("<table") == main.count("<caption") == 5
    # A section is not named by the heading that already names its table's scrolling region.
    named_sections = set(re.findall(r'<section[^>]*aria-labelledby="([^"]+)"', main))
    scrolling = re.findall(r'role="region"[^>]*aria-labelledby="([^"]+)"', main)
    assert len(scrolling) == len(set(scrolling)) and not named_sections & set(scrolling)
    page = Page()
    page.feed(html)
    assert page.landmarks and repeated_landmarks(page) == []


def test_the_per_task_table_counts_every_organisation(as_officer, plan, tasks, work):
    response = as_officer.get(reverse("dashboards:province"), {"plan": plan.pk, "period": "2026"})
    rows = {row.task.code: row.counts for row, _cells in response.context["task_table"]}
    assert (rows["1"].done_on_time, rows["1"].done_late) == (1, 1)
    assert (rows["2"].overdue, rows["2"].not_started) == (1, 1)


def test_heat_map_cells_show_each_state_in_colour_and_words(as_officer, plan, tasks, work):
    response = as_officer.get(reverse("dashboards:province"), {"plan": plan.pk, "period": "2026"})
    heat = {row.organisation.name: row.cells for row, _html in response.context["heat_rows"]}
    assert heat == {
        "Sở Tư pháp": ["done_on_time", "overdue"],
        "Ủy ban nhân dân xã An Bình": ["done_late", "not_started"],
    }
    html = response.content.decode()
    assert '<td class="hm hm-overdue"><abbr title="Quá hạn">QH</abbr></td>' in html


def test_in_english_the_heat_map_cells_and_legend_use_english_initials(
    as_officer, plan, tasks, work
):
    as_officer.cookies["congvu_lang"] = "en"
    response = as_officer.get(reverse("dashboards:province"), {"plan": plan.pk, "period": "2026"})
    html = response.content.decode()
    assert '<td class="hm hm-overdue"><abbr title="Overdue">OD</abbr></td>' in html
    assert '<span class="hm hm-done_late">DL</span> Done late' in html
    assert ">QH<" not in html and ">ĐTH<" not in html


def test_the_overdue_list_shows_open_work_past_its_deadline(as_officer, plan, work):
    response = as_officer.get(reverse("dashboards:province"), {"plan": plan.pk})
    overdue = list(response.context["overdue_page"].object_list)
    assert [(a.organisation.name, a.task.code) for a in overdue] == [("Sở Tư pháp", "2")]


def test_the_organisation_page_lists_work_due_within_ten_working_days_and_late_work(
    as_head, plan, tasks, province
):
    justice = province["dept_justice"]
    t1, t2 = tasks
    extra = [
        Task.objects.create(plan=plan, code=str(i), content=f"Việc {i}", starts_on=TODAY, order=i)
        for i in (3, 4, 5)
    ]
    assign(t1, justice, dt.date(2026, 4, 28))  # next working day after the long weekend
    assign(t2, justice, dt.date(2026, 5, 13))  # the tenth working day: still in
    assign(extra[0], justice, dt.date(2026, 5, 14))  # the eleventh: not yet
    assign(extra[1], justice, dt.date(2026, 4, 23))  # late
    assign(extra[2], justice, dt.date(2026, 4, 20), completed=dt.date(2026, 4, 20))  # done
    refresh(plan, justice)

    response = as_head.get(reverse("dashboards:organisation", args=[justice.pk]))

    assert response.status_code == 200
    assert response.context["due_until"] == dt.date(2026, 5, 13)
    assert [a.due_on for a in response.context["due_soon"]] == [
        dt.date(2026, 4, 28),
        dt.date(2026, 5, 13),
    ]
    assert [a.task.code for a in response.context["late"]] == ["4"]
    assert "13/05/2026" in response.content.decode()
    # The period filter names its periods as a reader says them, not by their codes.
    assert [(c.value, c.label) for c in response.context["period_choices"]] == [
        ("2026", "Năm 2026")
    ]


def test_the_organisation_page_shows_its_standing_among_organisations_of_its_kind(
    as_head, plan, tasks, work, province
):
    # Sở Nội vụ: 2/2 on time; Sở Tư pháp: 1/2 → second of two departments.
    response = as_head.get(reverse("dashboards:organisation", args=[province["dept_justice"].pk]))
    standing = response.context["standing"]
    assert (standing.rank, standing.out_of) == (2, 2)
    assert 'data-testid="standing"' in response.content.decode()


def test_the_organisation_page_shows_dissemination_coverage(
    as_head, plan, work, province, staff_member
):
    response = as_head.get(reverse("dashboards:organisation", args=[province["dept_justice"].pk]))
    coverage = response.context["coverage"]
    assert (coverage.acknowledged, coverage.active) == (0, 1)


def test_an_officer_opens_any_organisation_page(as_officer, work):
    response = as_officer.get(reverse("dashboards:organisation", args=[work["commune"].pk]))
    assert response.status_code == 200
    assert response.context["totals"].total == 2


def test_an_outsider_gets_404_on_another_organisations_page(as_outsider, work):
    response = as_outsider.get(reverse("dashboards:organisation", args=[work["justice"].pk]))
    assert response.status_code == 404


def test_a_missing_organisation_is_404(as_officer):
    assert as_officer.get(reverse("dashboards:organisation", args=[999999])).status_code == 404


def test_a_user_without_plan_view_gets_403(staff_user, work):
    client = client_for(staff_user)
    assert client.get(reverse("dashboards:province")).status_code == 403
    page = reverse("dashboards:organisation", args=[work["justice"].pk])
    assert client.get(page).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, work):
    response = client.get(reverse("dashboards:province"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_dashboard_without_any_assignments_says_so(as_officer, province):
    response = as_officer.get(reverse("dashboards:province"))
    assert response.status_code == 200
    assert response.context["filters"].plan is None


def test_heat_map_states_computed_by_the_database_match_state_on(plan, tasks, province):
    from congvu.planning.dashboard_selectors import state_expression

    t1 = tasks[0]
    made = [
        assign(t1, province["dept_justice"], TODAY, completed=TODAY),
        assign(t1, province["dept_home"], TODAY - dt.timedelta(days=3), completed=TODAY),
        assign(t1, province["commune"], TODAY - dt.timedelta(days=1)),
        assign(t1, province["division_justice"], TODAY, progress=P.IN_PROGRESS),
        assign(t1, province["root"], TODAY + dt.timedelta(days=5)),
    ]
    computed = dict(
        Assignment.objects.filter(pk__in=[a.pk for a in made]).values_list(
            "pk", state_expression(TODAY)
        )
    )
    assert computed == {a.pk: a.state_on(TODAY).value for a in made}
    assert set(computed.values()) == {s.value for s in Assignment.State}


def test_links_carry_the_kind_filter(as_officer, plan, work):
    department = kind("department")
    response = as_officer.get(
        reverse("dashboards:province"), {"plan": plan.pk, "period": "2026", "kind": department.pk}
    )
    html = response.content.decode()
    expected = (
        f"/assignments/?state=overdue&amp;plan={plan.pk}&amp;period=2026&amp;kind={department.pk}"
    )
    assert expected in html


def test_work_done_once_shows_as_its_own_row_of_the_trend(as_officer, plan, tasks, province):
    assign(tasks[0], province["dept_justice"], dt.date(2026, 3, 31), period="2026")
    once = assign(tasks[1], province["dept_justice"], dt.date(2026, 3, 31), period="2026")
    Assignment.objects.filter(pk=once.pk).update(period="")
    refresh(plan, province["dept_justice"])
    response = as_officer.get(reverse("dashboards:province"), {"plan": plan.pk})
    assert {label for label, _cells in response.context["trend"]} == {"Năm 2026", "Một lần"}
    assert response.context["one_period"] == "2026"
    assert [c.value for c in response.context["period_choices"]] == ["2026"]


def test_one_off_tasks_ending_on_different_days_are_one_row_of_the_trend_at_the_last(
    as_officer, plan, tasks, province
):
    justice = province["dept_justice"]
    assign(tasks[0], justice, dt.date(2026, 3, 31), completed=dt.date(2026, 3, 20))
    early = assign(tasks[1], justice, dt.date(2026, 1, 31))  # overdue on 24/04
    third = Task.objects.create(
        plan=plan, code="3", content="Nhiệm vụ 3", starts_on=dt.date(2025, 1, 1), order=3
    )
    late = assign(third, justice, dt.date(2027, 1, 15))
    Assignment.objects.filter(pk=early.pk).update(period="", period_end=dt.date(2026, 1, 31))
    Assignment.objects.filter(pk=late.pk).update(period="", period_end=dt.date(2027, 1, 15))
    refresh(plan, justice)
    response = as_officer.get(reverse("dashboards:province"), {"plan": plan.pk})
    data = response.context["charts"]["trend"]
    # After "Năm 2026" (ends 31/12/2026): the last one-off task ends on 15/01/2027.
    assert data["labels"] == ["Năm 2026", "Một lần"]
    series = {one["key"]: one["values"] for one in data["series"]}
    assert series["overdue"] == [0, 1]
    assert series["not_started"] == [0, 1]
    assert response.context["totals"].total == 3
    page = as_officer.get(reverse("dashboards:organisation", args=[justice.pk]), {"plan": plan.pk})
    assert [label for label, _cells in page.context["per_period"]] == ["Năm 2026", "Một lần"]
    assert page.context["totals"].total == 3


def test_periods_are_named_as_a_reader_says_them() -> None:
    from congvu.planning.models import period_text

    assert [period_text(code) for code in ("", "2026", "2026-H1", "2026-H2")] == [
        "Một lần",
        "Năm 2026",
        "6 tháng đầu năm 2026",
        "6 tháng cuối năm 2026",
    ]
    assert [period_text(code) for code in ("2026-Q3", "2026-05", "x-1", "2026-Q9")] == [
        "Quý III/2026",
        "Tháng 5/2026",
        "x-1",
        "2026-Q9",
    ]
    with translation.override("en"):
        assert period_text("2026-Q3") == "Q3 2026"  # not "QIII 2026"


def test_the_tables_shares_use_the_readers_decimal_separator() -> None:
    with translation.override("vi"):
        assert (_pct(93.333), _pct(None)) == ("93,3 %", "–")
    with translation.override("en"):
        assert _pct(93.333) == "93.3 %"

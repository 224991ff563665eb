"""axe-core on the officers' and staff members' working pages, and the inspector's phone.

test_accessibility.py covers the public pages and the head's main ones; these are the
pages people work in daily: the inspector's (some at the counter, on a phone), the
inspected organisation's answer to a corrective action, the staff member's own pages,
and the back office's lists. Each page gets only the data it shows (a "scene"), so a
parameter costs one scene and one page load.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from congvu.accounts.models import Role, User
from congvu.cases import services as case_services
from congvu.conduct import services as conduct_services
from congvu.conftest import make_user
from congvu.core.tests.test_landmarks import (
    disciplined_case,
    plan_with_a_task,
    programme_with_a_draft,
)
from congvu.feedback import services as rating_services
from congvu.feedback.models import Counter, Dossier
from congvu.inspections import programme_services, workflow
from congvu.inspections import services as inspection_services
from congvu.inspections.models import Inspection, Observation
from congvu.organisations.badge_models import BadgeExport, BadgeSheet
from congvu.organisations.models import Organisation, OrganisationKind, StaffMember
from congvu.organisations.tests.clash_helpers import clash_in_justice
from congvu.planning import services as planning
from congvu.planning.models import Task
from congvu.reporting import services as reporting
from congvu.scoring import services as scoring

from .helpers import (
    NARROWEST,
    PHONE,
    clear_process_caches,
    restore_case_rules,
    restore_default_kinds,
    restore_default_scales,
    serious_violations,
    share_session,
    sideways,
)

# The live server reads committed data, so every test here runs on a flushed database.
pytestmark = pytest.mark.django_db(transaction=True)


BREACH = "Cán bộ quầy số 2 không đeo thẻ công chức khi tiếp công dân."


@pytest.fixture(autouse=True)
def default_data(transactional_db: Any) -> None:
    restore_default_kinds()
    restore_default_scales()
    restore_case_rules()


class World:
    """The province, its people and what a scene made; `args` fill the page's address."""

    def __init__(
        self, province: dict[str, Organisation], staff: StaffMember, **people: User
    ) -> None:
        self.province = province
        self.staff = staff
        self.people = dict(people)
        self.args: dict[str, Any] = {}

    def person(self, name: str) -> User:
        if name not in self.people:
            role, where = {
                "inspector": (Role.INSPECTOR, "root"),
                "handler": (Role.CASE_HANDLER, "dept_justice"),
            }[name]
            self.people[name] = make_user(name, role, self.province[where])
        return self.people[name]


def _catalogue(world: World) -> None:
    conduct_services.load_seed_catalogue(scope=world.province["root"], actor=None, activate=True)
    clear_process_caches()


def _inspection(world: World, *, complete: bool) -> Inspection:
    """An unannounced inspection of Sở Tư pháp, started, its first clause breached (naming
    the staff member), the others kept, or only some of them unless `complete`."""
    _catalogue(world)
    inspector = world.person("inspector")
    inspection = inspection_services.plan_inspection(
        world.province["dept_justice"],
        actor=inspector,
        kind=Inspection.Kind.UNANNOUNCED,
        planned_on=timezone.localdate(),
        lead=inspector,
        purpose="Kiểm tra việc thực hiện quy tắc ứng xử tại Bộ phận một cửa.",
    )
    workflow.transition(inspection, Inspection.Status.IN_PROGRESS, actor=inspector)
    answers = []
    for index, observation in enumerate(inspection.observations.order_by("order")):
        if index == 0:
            answers.append(
                inspection_services.Answer(
                    observation.pk, Observation.Result.BREACHED, BREACH, world.staff.pk
                )
            )
        elif complete or index % 3:  # else some unanswered: the checklist half-way through
            answers.append(inspection_services.Answer(observation.pk, Observation.Result.KEPT))
    inspection_services.record_observations(inspection, answers, actor=inspector)
    world.args["code"] = inspection.code
    return inspection


def in_progress(world: World) -> None:
    _inspection(world, complete=False)


def concluded(world: World) -> None:
    """Concluded with one breach and its open corrective action."""
    inspector = world.person("inspector")
    inspection = _inspection(world, complete=True)
    breached = inspection.observations.get(result=Observation.Result.BREACHED)
    inspection_services.add_corrective_action(
        breached, actor=inspector, description="Nhắc toàn bộ cán bộ đeo thẻ khi làm việc."
    )
    workflow.transition(
        inspection,
        Inspection.Status.CONCLUDED,
        actor=inspector,
        conclusion="Cơ quan thực hiện cơ bản đúng quy tắc ứng xử; còn một vi phạm về đeo thẻ.",
    )


def programme(world: World) -> None:
    """Next year's approved programme, the justice department and the commune in it."""
    inspector = world.person("inspector")
    made = programme_services.create_programme(
        world.province["root"],
        actor=inspector,
        year=timezone.localdate().year + 1,
        title="Kế hoạch kiểm tra công vụ",
    )
    for organisation, quarter in (("dept_justice", 4), ("commune", 3)):
        programme_services.add_item(
            made,
            actor=inspector,
            organisation=world.province[organisation],
            quarter=quarter,
            kind=Inspection.Kind.SCHEDULED,
            lead=inspector,
        )
    programme_services.approve(made, actor=world.people["officer"], decision_number="15/QĐ-SNV")
    world.args["programme"] = made.pk


def catalogue(world: World) -> None:
    _catalogue(world)


def statement_asked(world: World) -> None:
    """A report about the staff member, the head asking them for a statement."""
    case = case_services.submit_report(
        case_services.ReportInput(
            subject_staff=world.staff,
            description="Cán bộ hẹn trả hồ sơ ba lần mà không trả, không nói lý do.",
        )
    ).case
    case_services.add_event(
        case,
        actor=world.people["head"],
        kind="to_subject",
        body="Đề nghị anh giải trình việc hẹn trả hồ sơ nhiều lần.",
    )
    world.args["case"] = case.code


def rated(world: World) -> None:
    """Three ratings of the staff member this month, one unhappy with a comment."""
    _catalogue(world)
    target = rating_services.target_for_badge(world.staff.badge_token)
    assert target is not None
    clauses = {c.clause_id: "yes" for c in rating_services.criteria_for(target)}
    now = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(10)))
    for level, comment in ((1, ""), (2, ""), (4, "Chờ lâu quá, không được hướng dẫn.")):
        rating_services.submit_rating(
            target, level=level, answers=clauses, comment=comment, now=now
        )


def scored(world: World) -> None:
    officer = world.people["officer"]
    scorecard = scoring.create_scorecard(
        world.province["root"],
        actor=officer,
        name="Chấm điểm văn hóa công vụ năm 2025",
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
        kinds=list(OrganisationKind.objects.filter(code__in=["department", "commune_pc"])),
        criteria=[
            scoring.CriterionIn("misconduct", Decimal(1)),
            scoring.CriterionIn("tasks_on_time", Decimal(1)),
        ],
    )
    scoring.compute(scorecard, actor=officer, today=dt.date(2026, 1, 15))
    world.args["scorecard"] = scorecard.pk


def reporting_period(world: World) -> None:
    reporting.ensure_yearly_period(timezone.localdate().year, actor=None)


def planned(world: World) -> None:
    """A plan with a task assigned to the justice department."""
    today = timezone.localdate()
    plan = planning.create_plan(
        actor=None,
        number="86/KH-UBND",
        title="Kế hoạch thực hiện Đề án văn hóa công vụ",
        issuing_organisation=world.province["root"],
        issued_on=dt.date(2025, 3, 1),
    )
    planning.create_task(
        plan,
        actor=None,
        code="1",
        content="Quán triệt Quyết định 1847/QĐ-TTg đến toàn thể cán bộ",
        assignees=[world.province["dept_justice"], world.province["commune"]],
        assign_to=Task.AssignTo.NAMED,
        starts_on=today - dt.timedelta(days=30),
        due_on=today + dt.timedelta(days=30),
        today=today,
    )


def counters(world: World) -> None:
    """A one-stop counter and a registered dossier of the justice department."""
    justice = world.province["dept_justice"]
    counter = Counter.objects.create(organisation=justice, name="Quầy số 1")
    counter.staff.add(world.staff)
    Dossier.objects.create(
        code="HS-001", organisation=justice, staff=world.staff, source=Dossier.Source.FORM
    )
    world.args["org"] = justice.pk


def nothing(world: World) -> None:
    return None


def name_clash(world: World) -> None:
    """Two units of the justice department bearing one name ("Văn phòng", "VĂN PHÒNG")."""
    clash_in_justice(world.province)


def badge_sheets(world: World) -> None:
    """The officer's badge sheets: one made (its file), one whose worker failed."""
    justice = world.province["dept_justice"]
    officer = world.person("officer")
    for subtree, status, message in [
        (False, BadgeExport.Status.DONE, ""),
        (True, BadgeExport.Status.FAILED, "Lỗi khi tạo tệp."),
    ]:
        sheet = BadgeSheet.objects.create(organisation=justice, subtree=subtree, user=officer)
        BadgeExport.objects.create(
            sheet=sheet,
            status=status,
            fingerprint="0" * 64,
            rows=2,
            requested_by=officer,
            finished_at=timezone.now(),
            message=message,
        )


def failed_attempts(world: World) -> None:
    """The officer's history with failed attempts: a burst of wrong passwords from another
    browser, a lockout, a wrong code (the failure rows' words and badges)."""
    from congvu.accounts import sign_ins
    from congvu.accounts.models import SignIn

    officer = world.person("officer")
    firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
    for _n in range(4):
        sign_ins.record_failure(officer, outcome=SignIn.Outcome.WRONG_PASSWORD, user_agent=firefox)
    sign_ins.record_failure(officer, outcome=SignIn.Outcome.LOCKED_OUT, user_agent=firefox)
    sign_ins.record_failure(
        officer, outcome=SignIn.Outcome.WRONG_CODE, method=SignIn.Method.RECOVERY_CODE
    )


def announced(world: World) -> None:
    """A scheduled inspection of Sở Tư pháp next week, not started: its plan can change."""
    _catalogue(world)
    inspector = world.person("inspector")
    inspection = inspection_services.plan_inspection(
        world.province["dept_justice"],
        actor=inspector,
        kind=Inspection.Kind.SCHEDULED,
        planned_on=timezone.localdate() + dt.timedelta(days=7),
        lead=inspector,
        purpose="Kiểm tra định kỳ việc thực hiện văn hóa công vụ.",
    )
    world.args["code"] = inspection.code


def year_record(world: World) -> None:
    """The justice department's conduct record for the year: the staff member rated."""
    rated(world)
    world.args["org"] = world.province["dept_justice"].pk


Scene = Callable[[World], None]
PAGES = [
    # The inspector's pages (the checklist and the running inspection on a phone).
    pytest.param("/inspections/", "inspector", in_progress, True, id="inspection-list"),
    pytest.param("/inspections/new/", "inspector", catalogue, False, id="inspection-planning"),
    pytest.param("/inspections/{code}/", "inspector", in_progress, True, id="inspection-running"),
    pytest.param(
        "/inspections/{code}/checklist/", "inspector", in_progress, True, id="inspection-checklist"
    ),
    pytest.param("/inspections/{code}/", "inspector", concluded, True, id="inspection-concluded"),
    pytest.param("/inspections/{code}/edit/", "inspector", announced, True, id="inspection-replan"),
    pytest.param("/inspections/programmes/", "inspector", programme, True, id="programme-list"),
    pytest.param(
        "/inspections/programmes/{programme}/", "inspector", programme, True, id="programme"
    ),
    # The inspected organisation answers a corrective action (on a phone, with photos).
    pytest.param("/inspections/{code}/", "head", concluded, True, id="corrective-action-answer"),
    # The staff member's own pages.
    pytest.param("/ratings/me/", "staff_user", rated, True, id="my-ratings"),
    pytest.param("/cases/mine/", "staff_user", statement_asked, True, id="my-cases"),
    pytest.param(
        "/cases/mine/{case}/", "staff_user", statement_asked, True, id="my-case-statement"
    ),
    pytest.param("/notifications/", "staff_user", statement_asked, True, id="notifications"),
    # The back office.
    pytest.param("/cases/{case}/", "handler", statement_asked, False, id="case-file"),
    pytest.param("/accounts/two-factor/", "officer", nothing, False, id="two-factor"),
    pytest.param("/accounts/sign-ins/", "officer", failed_attempts, True, id="sign-ins"),
    pytest.param("/accounts/settings/", "staff_user", nothing, True, id="account"),
    pytest.param("/exports/", "officer", badge_sheets, True, id="my-exports"),
    pytest.param("/exports/delete/", "officer", badge_sheets, True, id="my-exports-delete-all"),
    pytest.param("/org/name-clashes/", "officer", name_clash, False, id="name-clashes"),
    pytest.param("/org/{org}/conduct-record/", "head", year_record, True, id="conduct-record"),
    pytest.param("/audit/", "officer", statement_asked, False, id="audit-log"),
    pytest.param("/scoring/", "officer", scored, False, id="scorecards"),
    pytest.param("/scoring/{scorecard}/", "officer", scored, False, id="scorecard-ranking"),
    pytest.param("/reports/", "officer", reporting_period, False, id="reports"),
    pytest.param("/plans/", "officer", planned, False, id="plans"),
    pytest.param("/assignments/", "head", planned, False, id="assignments"),
    pytest.param("/ratings/manage/", "head", counters, False, id="ratings-manage"),
    pytest.param("/ratings/manage/org/{org}/dossiers/", "head", counters, False, id="dossiers"),
    pytest.param("/ratings/manage/org/{org}/counters/", "head", counters, False, id="counters"),
]


@pytest.mark.parametrize(("path", "persona", "scene", "phone"), PAGES)
def test_a_working_page_has_no_critical_or_serious_accessibility_violation(
    live_server: Any,
    page: Any,
    province: dict[str, Organisation],
    staff_member: StaffMember,
    officer: User,
    head: User,
    staff_user: User,
    path: str,
    persona: str,
    scene: Scene,
    phone: bool,
) -> None:
    world = World(province, staff_member, officer=officer, head=head, staff_user=staff_user)
    scene(world)
    share_session(page, live_server.url, world.person(persona))
    if phone:
        page.set_viewport_size(PHONE)
    response = page.goto(live_server.url + path.format(**world.args))
    assert response is not None and response.ok, path
    page.locator("h1").first.wait_for()
    # Folded sections hold forms people use (the answer to a corrective action, the
    # conclusion, the statement): open them so axe-core sees those too.
    page.evaluate("() => document.querySelectorAll('main details').forEach(d => d.open = true)")

    violations = serious_violations(page)

    assert violations == [], f"axe-core on {path}:\n" + "\n".join(violations)
    if phone:
        assert sideways(page) == 0, path


def dashboard_data(world: World) -> None:
    """A plan with its task, ratings and a case: every chart and table of the dashboards."""
    planned(world)
    rated(world)
    statement_asked(world)
    world.args["org"] = world.province["dept_justice"].pk


ANY_IMPACT = frozenset({"critical", "serious", "moderate", "minor"})
# The tables in <main> without a <caption>, and the charts that are not a drawn, named SVG.
UNCAPTIONED = """() => [...document.querySelectorAll('main table')]
  .filter(t => !t.caption || !t.caption.textContent.trim())
  .map(t => t.dataset.testid || t.className)"""
# (The dashboards' charts also say where their table is in a <desc>; the ratings' trend
# says it in its name.) A chart with nothing to draw says so.
CHARTS = """() => [...document.querySelectorAll('main figure.chart')].map(f => {
  const svg = f.querySelector('svg[role=img]');
  if (!svg) return f.querySelector('p') ? f.querySelector('p').textContent : f.innerHTML;
  return svg.getAttribute('aria-label') && svg.querySelector('title')
    && (svg.querySelector('desc') || !svg.classList.contains('dash-chart'))
    && svg.getBoundingClientRect().height > 50 ? 'svg' : svg.outerHTML.slice(0, 80);
})"""


@pytest.mark.parametrize(
    ("path", "persona", "figures"),
    [
        pytest.param("/dashboard/", "officer", ["svg", "svg"], id="plan-dashboard"),
        pytest.param("/dashboard/organisation/{org}/", "head", [], id="organisation-dashboard"),
        # The case names no standard and none is concluded yet: those two charts say
        # there is nothing to draw instead of bars of zeros.
        pytest.param(
            "/cases/dashboard/",
            "head",
            ["svg", "Không có số liệu.", "svg", "Không có số liệu."],
            id="cases-dashboard",
        ),
        pytest.param("/ratings/", "officer", ["svg"], id="ratings-dashboard"),
        pytest.param("/ratings/org/{org}/", "head", ["svg"], id="organisation-ratings"),
    ],
)
def test_a_dashboard_has_no_accessibility_violation_and_draws_its_charts_without_a_script(
    live_server: Any,
    page: Any,
    province: dict[str, Organisation],
    staff_member: StaffMember,
    officer: User,
    head: User,
    staff_user: User,
    path: str,
    persona: str,
    figures: list[str],
) -> None:
    # Duplicate landmark names (axe-core's landmark-unique) are "moderate": asked for here
    # with every other impact, on the dashboards with data in every table and chart.
    world = World(province, staff_member, officer=officer, head=head, staff_user=staff_user)
    dashboard_data(world)
    share_session(page, live_server.url, world.person(persona))
    page.set_default_navigation_timeout(90_000)  # a shared machine: the first page is slow
    loaded: list[str] = []
    page.on("request", lambda request: loaded.append(request.url))
    response = page.goto(live_server.url + path.format(**world.args))
    assert response is not None and response.ok, path
    page.locator("h1").first.wait_for()

    violations = serious_violations(page, impacts=ANY_IMPACT)

    assert violations == [], f"axe-core on {path}:\n" + "\n".join(violations)
    assert page.evaluate(UNCAPTIONED) == []
    assert page.evaluate(CHARTS) == figures
    assert page.locator("canvas").count() == 0
    assert not [url for url in loaded if "chart" in url.rsplit("/", 1)[-1]], loaded
    # On the smallest phone the charts shrink to the screen and their text stays readable.
    page.set_viewport_size(NARROWEST)
    assert sideways(page) == 0, path
    for chart in page.locator("main figure.chart svg[role=img]").all():
        box = chart.bounding_box()
        assert box is not None and 0 < box["width"] <= NARROWEST["width"], path
        label = chart.locator("text").first.bounding_box()
        assert label is not None and label["height"] >= 13, path  # a 10 px font's line


def discipline_decided(world: World) -> None:
    """A case about the staff member concluded with a reprimand decided: the case's and the
    staff member's discipline tables."""
    world.args["case"] = disciplined_case(world.staff, world.people["head"])
    world.args["staff"] = world.staff.pk


def amended_programme(world: World) -> None:
    """An approved programme with a draft amendment: its three tables."""
    world.args["programme"] = programme_with_a_draft(
        world.province, world.people["officer"], world.person("inspector")
    )
    clear_process_caches()


def plan_and_task(world: World) -> None:
    world.args["plan"], world.args["task"] = plan_with_a_task(world.province)


def justice(world: World) -> None:
    """The justice department's page: its history and its staff (the staff member)."""
    world.args["org"] = world.province["dept_justice"].pk


@pytest.mark.parametrize(
    ("path", "persona", "scene"),
    [
        pytest.param("/cases/{case}/", "head", discipline_decided, id="case-file"),
        pytest.param("/cases/rules/", "officer", nothing, id="case-rules"),
        pytest.param(
            "/inspections/programmes/{programme}/", "officer", amended_programme, id="programme"
        ),
        pytest.param("/org/{org}/", "officer", justice, id="organisation"),
        pytest.param("/org/staff/{staff}/", "head", discipline_decided, id="staff-member"),
        pytest.param("/plans/{plan}/", "officer", plan_and_task, id="plan"),
        pytest.param("/plans/tasks/{task}/", "officer", plan_and_task, id="task"),
    ],
)
def test_a_detail_page_with_its_tables_has_no_accessibility_violation_at_any_impact(
    live_server: Any,
    page: Any,
    province: dict[str, Organisation],
    staff_member: StaffMember,
    officer: User,
    head: User,
    staff_user: User,
    path: str,
    persona: str,
    scene: Scene,
) -> None:
    # As on the dashboards: a section and its table's scrolling region named by one
    # heading are two landmarks with one name (landmark-unique, "moderate"). Each page is
    # filled so that every table it can show is drawn.
    world = World(province, staff_member, officer=officer, head=head, staff_user=staff_user)
    scene(world)
    share_session(page, live_server.url, world.person(persona))
    page.set_default_navigation_timeout(90_000)  # a shared machine: the first page is slow
    response = page.goto(live_server.url + path.format(**world.args))
    assert response is not None and response.ok, path
    page.locator("h1").first.wait_for()
    page.evaluate("() => document.querySelectorAll('main details').forEach(d => d.open = true)")

    violations = serious_violations(page, impacts=ANY_IMPACT)

    assert violations == [], f"axe-core on {path}:\n" + "\n".join(violations)
    assert page.locator("main table").count() > 0, path
    assert page.evaluate(UNCAPTIONED) == []


# What a thumb taps on the phone forms: buttons, boxes, the folded sections' summaries, and
# the labels of radio buttons and tick boxes (the box itself is small; its label is the
# target). Other phone pages set these 44 px high (static/css/app.css, rate.css, report.css,
# inspections.css); a field's own caption is not a target and is left out.
TOO_SMALL_TO_TAP = """() => [...document.querySelectorAll(
  'main button, main a.button, main summary, main select, main textarea, ' +
  'main input:not([type=hidden]):not([type=radio]):not([type=checkbox]), ' +
  'main label:has(input[type=radio], input[type=checkbox]), ' +
  'main :is(input[type=radio], input[type=checkbox]) + label'
)].filter(e => e.getClientRects().length && e.getBoundingClientRect().height < 44)
  .map(e => `${e.tagName.toLowerCase()} "${(e.textContent || e.name || '').trim().slice(0, 40)}"`
    + ` ${Math.round(e.getBoundingClientRect().height)} px`)"""


@pytest.mark.parametrize(
    ("path", "persona", "scene", "form"),
    [
        pytest.param(
            "/inspections/{code}/checklist/",
            "inspector",
            in_progress,
            "Lưu kết quả",
            id="checklist",
        ),
        pytest.param(
            "/inspections/{code}/", "head", concluded, "Gửi báo cáo", id="corrective-action-answer"
        ),
        pytest.param(
            "/inspections/{code}/edit/", "inspector", announced, "Lưu kế hoạch", id="replan"
        ),
        # The account page's e-mail choices: the master switch and each group's tick box.
        pytest.param("/accounts/settings/", "staff_user", nothing, "Lưu", id="account-mail"),
        # A case's every action opened: its labels' tick boxes ("Báo chí quan tâm"…) among them.
        pytest.param("/cases/{case}/", "head", statement_asked, "Lưu nhãn", id="case-actions"),
        # The cases list's bulk panel: "Chọn tất cả vụ việc trên trang này" and each case's box.
        pytest.param(
            "/cases/", "officer", statement_asked, "Thôi giao các vụ việc đã chọn", id="case-bulk"
        ),
    ],
)
def test_a_phone_form_fits_the_screen_and_its_controls_are_big_enough_to_tap(
    live_server: Any,
    page: Any,
    province: dict[str, Organisation],
    staff_member: StaffMember,
    officer: User,
    head: User,
    staff_user: User,
    path: str,
    persona: str,
    scene: Scene,
    form: str,
) -> None:
    world = World(province, staff_member, officer=officer, head=head, staff_user=staff_user)
    scene(world)
    share_session(page, live_server.url, world.person(persona))
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + path.format(**world.args))
    page.evaluate("() => document.querySelectorAll('main details').forEach(d => d.open = true)")
    assert page.get_by_role("button", name=form).is_visible()

    assert sideways(page) == 0
    too_small = page.evaluate(TOO_SMALL_TO_TAP)
    assert too_small == [], too_small
    page.set_viewport_size(NARROWEST)  # the smallest phone still in use
    assert sideways(page) == 0


# The header on a phone: its links, the menus' summaries and the links in each menu, the
# language and sign-out buttons (static/css/app.css gives them 44 px below 40rem).
HEADER_TOO_SMALL = """() => [...document.querySelectorAll(
  '.site-header a, .site-header summary, .site-header button'
)].filter(e => e.checkVisibility() && e.getBoundingClientRect().height < 44)
  .map(e => `${e.tagName.toLowerCase()} "${(e.textContent || '').trim().slice(0, 40)}"`
    + ` ${Math.round(e.getBoundingClientRect().height)} px at ${window.innerWidth} px`)"""


@pytest.mark.parametrize("persona", ["officer", None], ids=["officer", "citizen"])
def test_the_header_links_and_menus_are_big_enough_to_tap_on_a_phone(
    live_server: Any,
    page: Any,
    province: dict[str, Organisation],
    staff_member: StaffMember,
    officer: User,
    persona: str | None,
) -> None:
    if persona:
        world = World(province, staff_member, officer=officer)
        share_session(page, live_server.url, world.person(persona))
    page.goto(live_server.url + "/")
    summaries = page.locator(".main-nav summary")
    too_small: list[str] = []
    for size in (PHONE, NARROWEST):
        page.set_viewport_size(size)
        too_small += page.evaluate(HEADER_TOO_SMALL)
        page.locator("details.site-menu > summary").click()  # the phone's "Menu" opens
        too_small += page.evaluate(HEADER_TOO_SMALL)
        for number in range(summaries.count()):  # each menu opened in turn, its links shown
            summaries.nth(number).click()
            too_small += page.evaluate(HEADER_TOO_SMALL)
        page.keyboard.press("Escape")  # the open menu
        page.keyboard.press("Escape")  # then "Menu"
        assert sideways(page) == 0

    assert not too_small, "\n".join(sorted(set(too_small)))
    # On a desktop the header keeps its one line of text-sized links.
    page.set_viewport_size({"width": 1280, "height": 800})
    height = page.evaluate("() => document.querySelector('.site-header').offsetHeight")
    assert height < 60, height


def test_a_form_sent_with_errors_takes_the_keyboard_to_the_first_field_in_error(
    live_server: Any, page: Any, province: dict[str, Organisation], head: User
) -> None:
    # An officer who pressed Enter too early: the page comes back with the messages, and
    # the keyboard (a screen reader with it) lands on the first field in error, whose
    # description is the message, instead of at the top of the page.
    share_session(page, live_server.url, head)
    page.goto(live_server.url + f"/org/{province['dept_justice'].pk}/staff/new/")
    page.locator("#id_full_name").fill("Hoàng Thị Lan")
    page.get_by_role("button", name="Lưu").click()
    page.locator(".errorlist").first.wait_for()
    focused = page.evaluate(
        """() => {
          const field = document.activeElement;
          const ids = (field.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
          return {
            id: field.id,
            invalid: field.getAttribute('aria-invalid'),
            description: ids.map(id => document.getElementById(id)?.textContent || '?').join(' '),
          };
        }"""
    )
    assert focused["id"] == "id_staff_code"
    assert focused["invalid"] == "true"
    assert "bắt buộc" in focused["description"] or "Hãy nhập" in focused["description"]
    assert page.locator("#id_full_name").input_value() == "Hoàng Thị Lan"

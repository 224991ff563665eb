"""Nothing pushes the page sideways on a 320 px phone, whatever the length of the data.

The real province has organisations with 70-character names, e-mail addresses of
50 characters and organisation types like "Ủy ban nhân dân huyện (trước 01/07/2025)":
a drop-down as wide as its longest option, or a fact list whose second column
cannot shrink, made these pages scroll sideways.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from congvu.accounts import sign_ins
from congvu.accounts.models import Role, SignIn
from congvu.conftest import make_staff, make_user
from congvu.feedback.tests.ratings_helpers import load_catalogue
from congvu.feedback.tests.test_selectors import badge, rate_many
from congvu.organisations import services as org_services
from congvu.organisations.models import Organisation, OrganisationKind
from congvu.planning.tests.test_progress_helpers import make_assignment, make_plan
from congvu.scoring import services as scoring

from .helpers import (
    NARROWEST,
    restore_default_kinds,
    restore_default_scales,
    share_session,
    sideways,
)

# The live server reads committed data, so every test here runs on a flushed database.
pytestmark = pytest.mark.django_db(transaction=True)

LONG_NAME = "Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên Đông Thái Ninh"
LONG_EMAIL = "nguyenthithuhuong.phonghanhchinhtuphap@sotuphap.hungyen.gov.vn"


FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


@pytest.fixture(autouse=True)
def default_kinds(transactional_db: Any) -> None:
    restore_default_kinds()
    restore_default_scales()


@pytest.fixture
def long_data(province: dict[str, Organisation], officer: Any) -> dict[str, Any]:
    # The officer's sign-in history with failed attempts (its widest rows).
    for outcome in (SignIn.Outcome.WRONG_PASSWORD, SignIn.Outcome.LOCKED_OUT):
        for _n in range(3):
            sign_ins.record_failure(officer, outcome=outcome, user_agent=FIREFOX_LINUX)
    centre = org_services.create_organisation(
        actor=None,
        code="H56.40",
        name=LONG_NAME,
        kind=OrganisationKind.objects.get(code="public_service_unit"),
        parent=province["root"],
        valid_from=dt.date(2025, 1, 1),
    )
    staff = make_staff(
        centre, "Nguyễn Thị Thu Hương", "GDNN-001", position_title="Giáo viên", email=LONG_EMAIL
    )
    user = make_user("nguyenthithuhuong.gdnn.dongthaininh", Role.FOCAL_POINT, centre)
    user.email = LONG_EMAIL
    user.save(update_fields=["email"])
    return {"staff": staff, "user": user}


def test_the_public_satisfaction_page_fits_a_320_px_phone(
    live_server: Any, page: Any, province: dict[str, Organisation], staff_member: Any
) -> None:
    # 30 counted ratings: an organisation's month is published, so the trend is drawn
    # (with none, the page says so in a sentence instead of empty axes).
    load_catalogue(province)
    rate_many(badge(staff_member), satisfied=24, unsatisfied=6)
    page.set_viewport_size(NARROWEST)
    page.goto(live_server.url + "/transparency/")
    page.locator("h1").first.wait_for()
    assert sideways(page) == 0
    # The trend chart, an SVG scaled to the phone's width, keeps its labels readable.
    chart = page.locator("svg.rt-trend")
    box = chart.bounding_box()
    assert box is not None and 0 < box["width"] <= NARROWEST["width"]
    label = chart.locator("text").first.bounding_box()
    assert label is not None and label["height"] >= 13  # the line of a 10 px font


@pytest.mark.parametrize(
    "path",
    [
        "/cases/",
        "/cases/dashboard/",
        "/dashboard/",
        "/assignments/",
        "/org/",
        "/org/import/",
        "/org/staff/{staff}/",
        "/accounts/users/{user}/",
        "/accounts/sign-ins/",
    ],
)
def test_an_officer_s_page_fits_a_320_px_phone(
    live_server: Any, page: Any, officer: Any, long_data: dict[str, Any], path: str
) -> None:
    share_session(page, live_server.url, officer)
    page.set_viewport_size(NARROWEST)
    url = path.format(staff=long_data["staff"].pk, user=long_data["user"].pk)
    response = page.goto(live_server.url + url)
    assert response is not None and response.ok, url
    assert sideways(page) == 0, url


@pytest.fixture
def rankings(
    province: dict[str, Organisation], officer: Any, long_data: dict[str, Any]
) -> dict[str, int]:
    """A computed and a published scorecard over the long-named centre: one criterion with
    data (misconduct), one without (its label listed as missing in the table)."""
    made = []
    for _ in range(2):
        scorecard = scoring.create_scorecard(
            province["root"],
            actor=officer,
            name="Chấm điểm, xếp hạng văn hóa công vụ các cơ quan, đơn vị năm 2025",
            period_start=dt.date(2025, 1, 1),
            period_end=dt.date(2025, 12, 31),
            kinds=list(
                OrganisationKind.objects.filter(
                    code__in=["department", "commune_pc", "public_service_unit"]
                )
            ),
            criteria=[
                scoring.CriterionIn("misconduct", Decimal(1)),
                scoring.CriterionIn("tasks_on_time", Decimal(1)),
            ],
        )
        scoring.compute(scorecard, actor=officer, today=dt.date(2026, 1, 15))
        made.append(scorecard)
    scoring.publish(made[1], actor=officer)
    return {"computed": made[0].pk, "published": made[1].pk}


@pytest.mark.parametrize(
    "path",
    [
        "/scoring/",
        "/scoring/{computed}/",
        "/scoring/{computed}/delete/",
        "/scoring/{published}/",
        "/rankings/{published}/",
    ],
)
def test_a_scoring_page_fits_a_320_px_phone(
    live_server: Any, page: Any, officer: Any, rankings: dict[str, int], path: str
) -> None:
    share_session(page, live_server.url, officer)
    page.set_viewport_size(NARROWEST)
    url = path.format(**rankings)
    response = page.goto(live_server.url + url)
    assert response is not None and response.ok, url
    assert LONG_NAME in page.content() or "delete" in url or url == "/scoring/", url
    assert sideways(page) == 0, url


LONG_TASK = (
    "Niêm yết công khai chuẩn mực ứng xử “4 xin, 4 luôn” và đường dây nóng tiếp nhận "
    "phản ánh, kiến nghị tại Bộ phận Một cửa của xã"
)


def lines_of(locator: Any) -> int:
    """How many lines a piece of text takes on the screen."""
    return int(
        locator.evaluate(
            "e => Math.round(e.getBoundingClientRect().height"
            " / parseFloat(getComputedStyle(e).lineHeight))"
        )
    )


def test_a_list_s_long_names_read_as_lines_not_a_word_a_line_on_a_phone(
    live_server: Any, page: Any, officer: Any, province: dict[str, Organisation]
) -> None:
    """A 360 px phone, the assignment list of a commune: each task's name was one word a
    line (the column shrank to its longest word, 12 assignments made a 6,800 px page).
    The name column keeps a readable width and the table scrolls sideways in its box; a
    column headed by a row number stays narrow (the audit log's "#")."""
    plan = make_plan(province["root"])
    for code in ("1", "2", "3"):
        assignment = make_assignment(plan, province["dept_justice"], code=code)
        assignment.task.content = LONG_TASK
        assignment.task.save(update_fields=["content"])
    share_session(page, live_server.url, officer)
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(live_server.url + "/assignments/")
    name = page.locator(".assignment-table tbody tr td a").first
    name.wait_for()
    assert lines_of(name) <= 6, "the task's name breaks into a word a line"
    first_column = page.locator(".assignment-table thead th").first.bounding_box()
    assert first_column is not None and first_column["width"] >= 180
    box = page.locator(".table-scroll").first
    assert box.evaluate("b => b.scrollWidth > b.clientWidth")  # the table scrolls in its box
    assert sideways(page) == 0  # … not the page

    page.goto(live_server.url + "/audit/")
    number = page.locator(".audit-table thead th").first
    number.wait_for()
    number_box = number.bounding_box()
    assert number_box is not None and number_box["width"] < 80


def test_a_table_is_a_tab_stop_only_while_it_scrolls(
    live_server: Any, page: Any, officer: Any, long_data: dict[str, Any]
) -> None:
    """On a wide screen the staff list fits: its box is no tab stop (it would scroll
    nothing). On a 320 px phone it scrolls, and the keyboard can reach it; wide again, the
    stop goes."""
    share_session(page, live_server.url, officer)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + f"/org/{long_data['staff'].organisation_id}/")
    box = page.locator(".table-scroll").first
    box.wait_for()
    page.wait_for_load_state("load")
    assert box.get_attribute("tabindex") is None
    page.set_viewport_size(NARROWEST)
    expect(box).to_have_attribute("tabindex", "0")
    assert box.evaluate("b => b.scrollWidth > b.clientWidth")
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(box).not_to_have_attribute("tabindex", "0")


def test_a_long_list_of_organisations_narrows_as_one_types_without_accents(
    live_server: Any, page: Any, officer: Any, long_data: dict[str, Any]
) -> None:
    """Planning an inspection: hundreds of organisations in one drop-down on a real
    province. Typing "tu phap" in the box above it leaves Sở Tư pháp (and what else
    matches); the form still sends the chosen organisation."""
    share_session(page, live_server.url, officer)
    page.set_viewport_size(NARROWEST)
    for number in range(12):
        org_services.create_organisation(
            actor=None,
            code=f"H56.7{number:02d}",
            name=f"Ủy ban nhân dân xã Thử Nghiệm {number}",
            kind=OrganisationKind.objects.get(code="commune_pc"),
            parent=long_data["staff"].organisation.parent,
            valid_from=dt.date(2025, 7, 1),
        )
    page.goto(live_server.url + "/scoring/new/")
    select = page.locator("select#id_organisation")
    total = select.locator("option:not([hidden])").count()
    assert total > 12
    page.get_by_label("Lọc danh sách (gõ tên hoặc mã, không cần dấu)").fill("tu phap")
    expect(page.get_by_role("status").filter(has_text="lựa chọn phù hợp")).to_be_visible()
    shown = select.locator("option:not([hidden])")
    texts = shown.all_inner_texts()
    assert any(text.startswith("Sở Tư pháp") for text in texts), texts
    chosen = select.evaluate("s => s.options[s.selectedIndex].text")  # always kept
    assert len(texts) < total
    assert all("tư pháp" in t.lower() for t in texts if t != chosen and t[0] != "—"), texts
    assert sideways(page) == 0

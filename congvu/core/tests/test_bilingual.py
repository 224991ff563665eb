"""A "Vietnamese / English" message shows its English half as English on a Vietnamese page.

A screen reader reads the page in its language (`<html lang="vi">`): without
``lang="en"`` it reads the English half with the Vietnamese voice. In English
the catalogue gives the English half alone, and nothing is marked.
"""

from __future__ import annotations

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe

from congvu.conftest import client_for
from congvu.core.templatetags.bilingual import bilingual, split
from congvu.planning.models import Assignment
from congvu.planning.tests.test_progress_helpers import focal_point, make_assignment, make_plan

EN = '<span lang="en">'


def plan_post(province, **overrides):
    return {
        "number": "15/KH-STP",
        "title": "Kế hoạch năm 2026 của Sở Tư pháp",
        "issuing_organisation": province["dept_justice"].pk,
        "issued_on": "2026-01-15",
        **overrides,
    }


def shown(text: object, language: str = "vi") -> str:
    with translation.override(language):
        return engines["django"].from_string("{{ text|bilingual }}").render({"text": text})


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("Chưa lưu. / Not saved.", f"Chưa lưu. / {EN}Not saved.</span>"),
        (
            "Chưa thực hiện thì tỷ lệ là 0%. / Not started means 0%.",
            f"Chưa thực hiện thì tỷ lệ là 0%. / {EN}Not started means 0%.</span>",
        ),
        (
            "Ngày 28/11/2026 đã qua. / The date 28/11/2026 has passed.",
            f"Ngày 28/11/2026 đã qua. / {EN}The date 28/11/2026 has passed.</span>",
        ),
        # A slash typed by someone in either half: the English half is the whole tail.
        (
            "Mã A / B lặp lại. / Code A / B repeated.",
            f"Mã A / B lặp lại. / {EN}Code A / B repeated.</span>",
        ),
        (
            "Không có cột “Mã hồ sơ”. / No “Mã hồ sơ” column.",
            f"Không có cột “Mã hồ sơ”. / {EN}No “Mã hồ sơ” column.</span>",
        ),
    ],
)
def test_the_english_half_is_marked_english_on_a_vietnamese_page(text, html):
    assert shown(text) == html


@pytest.mark.parametrize(
    "text",
    [
        "28/11/2026",  # no spaces round the slash
        "Hạn nộp 28/11/2026",
        "A / B / C",  # no Vietnamese half
        "Vi phạm / 100 cán bộ",  # both halves Vietnamese
        "Trang 2 / 5",
        "Đã lưu.",
        "",
    ],
)
def test_a_text_of_another_shape_is_left_as_it_is(text):
    assert shown(text) == text
    assert split(text) is None


def test_both_halves_are_escaped():
    typed = 'Tên <script>x</script> "sai". / Name <b>wrong</b> & "bad".'
    assert shown(typed) == (
        "Tên &lt;script&gt;x&lt;/script&gt; &quot;sai&quot;. / "
        f"{EN}Name &lt;b&gt;wrong&lt;/b&gt; &amp; &quot;bad&quot;.</span>"
    )
    assert shown("Không <b>. / No <b>.", "en") == "No &lt;b&gt;."


def test_a_text_already_safe_is_not_escaped_twice():
    assert shown(mark_safe("Sửa &amp; lưu. / Fix &amp; save.")) == (
        f"Sửa &amp; lưu. / {EN}Fix &amp; save.</span>"
    )
    # Safe HTML is never cut: the slash might be inside a tag.
    link = mark_safe('Xem <a href="/a / b">đây</a>. / See <a href="/a">here</a>.')
    assert shown(link) == link


def test_without_autoescape_the_halves_stay_as_given():
    with translation.override("vi"):
        assert bilingual("Mã <b> sai. / Wrong <b>.", autoescape=False) == (
            f"Mã <b> sai. / {EN}Wrong <b>.</span>"
        )


def test_an_english_page_shows_the_english_half_alone():
    # The catalogue gives most messages in English alone; the errors of a service run in
    # the record's language (cases.timeline.in_vietnamese) reach the page in both.
    assert shown("Chưa lưu. / Not saved.", "en") == "Not saved."
    assert shown("Mã A / B lặp lại. / Code A / B <repeated>.", "en") == (
        "Code A / B &lt;repeated&gt;."
    )
    assert shown("Not saved.", "en") == "Not saved."
    assert shown("Vi phạm / 100 cán bộ", "en") == "Vi phạm / 100 cán bộ"


# --- On pages -------------------------------------------------------------------------


def test_a_form_error_marks_its_english_half_in_vietnamese_only(as_officer, province):
    url = reverse("planning:plan_create")
    html = as_officer.post(url, plan_post(province, title="")).content.decode()
    assert (
        '<ul class="errorlist" id="id_title_error"><li>Trường này là bắt buộc. / '
        f"{EN}This field is required.</span></li></ul>"
    ) in html
    as_officer.cookies["congvu_lang"] = "en"
    html = as_officer.post(url, plan_post(province, title="")).content.decode()
    assert '<ul class="errorlist" id="id_title_error"><li>This field is required.</li></ul>' in html
    assert EN not in html


def test_a_flashed_message_marks_its_english_half_in_vietnamese_only(as_officer, province):
    url = reverse("planning:plan_create")
    page = as_officer.post(url, plan_post(province), follow=True).content.decode()
    assert f"Đã tạo kế hoạch. / {EN}Plan created.</span>" in page
    as_officer.cookies["congvu_lang"] = "en"
    page = as_officer.post(url, plan_post(province, number="16/KH-STP"), follow=True)
    html = page.content.decode()
    assert ">Plan created.</li>" in html
    assert EN not in html


def test_an_error_a_template_prints_itself_marks_its_english_half(province):
    assignment = make_assignment(make_plan(province["root"]), province["dept_justice"])
    client = client_for(focal_point(province["dept_justice"]))
    url = reverse("assignments:update", args=[assignment.pk])
    sent = {"progress": Assignment.Progress.NOT_STARTED, "percent": "5"}
    html = client.post(url, sent).content.decode()
    assert (
        '<div class="errorlist" id="id_percent_error"><p>Chưa thực hiện thì tỷ lệ hoàn thành '
        f"là 0%. / {EN}Not started means 0%.</span></p></div>"
    ) in html
    client.cookies["congvu_lang"] = "en"
    html = client.post(url, sent).content.decode()
    assert (
        '<div class="errorlist" id="id_percent_error"><p>Not started means a completion rate '
        "of 0%.</p></div>"
    ) in html
    assert EN not in html

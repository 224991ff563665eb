"""The case list's search: the subject's name without accents, the case's texts, the
code in any case or spacing (its case first), every word, and nothing hidden found."""

from __future__ import annotations

import re
from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from congvu.accounts.models import Role, User
from congvu.conftest import client_for, make_staff, make_user
from congvu.organisations.models import Organisation, StaffMember

from ..models import Case, Track
from .core_helpers import make_leader
from .office_helpers import REPORTER_NAME, REPORTER_PHONE, file_report, move

LIST = reverse("cases:list")
#: A query reading the cases' texts (`LIKE` on `Case.search_text`, SQLite or PostgreSQL).
TEXT_SCAN = re.compile(r'"search_text"(::text)? LIKE')


def found(client: Client, query: str) -> list[str]:
    """The codes the list shows for `query`, in the order shown."""
    response = client.get(LIST, {"q": query})
    assert response.status_code == 200
    return [case.code for case in response.context["page"]]


@pytest.fixture
def hoa(province: dict[str, Organisation]) -> StaffMember:
    return make_staff(province["dept_justice"], "Lê Thị Hoa", "STP-002")


def test_the_subject_is_found_by_name_without_accents(
    as_head: Client, staff_member: StaffMember, hoa: StaffMember
) -> None:
    duc = file_report(staff=staff_member)
    other = file_report(staff=hoa)
    assert found(as_head, "duc") == [duc.code]
    assert found(as_head, "nguyen van duc") == [duc.code]
    assert found(as_head, "ĐỨC Nguyễn") == [duc.code]
    assert found(as_head, "hoa") == [other.code]
    html = as_head.get(LIST, {"q": "nguyen van duc"}).content.decode()
    assert 'value="nguyen van duc"' in html
    assert "Tìm vụ việc" in html and "tên người bị phản ánh" in html


def test_a_word_of_the_cases_text_finds_it(as_head: Client, staff_member: StaffMember) -> None:
    money = file_report(staff=staff_member, description="Cán bộ gợi ý nộp thêm tiền cho nhanh.")
    rude = file_report(staff=staff_member, description="Cán bộ có thái độ hách dịch.")
    described = file_report(organisation=staff_member.organisation, description="Chờ quá lâu.")
    assert found(as_head, "tien") == [money.code]
    assert found(as_head, "hach dich") == [rude.code]
    # The description of a person not named ("Cán bộ tiếp nhận hồ sơ buổi sáng").
    assert found(as_head, "buoi sang") == [described.code]
    assert found(as_head, "khong co tu nay") == []


def test_every_word_must_match_somewhere(
    as_head: Client, staff_member: StaffMember, hoa: StaffMember
) -> None:
    duc_money = file_report(staff=staff_member, description="Đòi tiền bồi dưỡng.")
    duc_rude = file_report(staff=staff_member, description="Thái độ hách dịch.")
    hoa_money = file_report(staff=hoa, description="Đòi tiền bồi dưỡng.")
    assert found(as_head, "duc tien") == [duc_money.code]
    assert found(as_head, "tien duc") == [duc_money.code]
    assert found(as_head, "hoa boi duong") == [hoa_money.code]
    assert found(as_head, "hoa hach dich") == []
    assert set(found(as_head, "duc")) == {duc_money.code, duc_rude.code}


def test_a_code_in_any_case_or_spacing_finds_its_case_alone(
    as_head: Client, staff_member: StaffMember
) -> None:
    case = file_report(staff=staff_member)
    # A later case whose text names the first (a duplicate's report): whoever types the
    # code wants that case, so it is not listed with it.
    mention = file_report(staff=staff_member, description=f"Trùng với vụ {case.code}.")
    file_report(staff=staff_member)
    code = case.code
    assert found(as_head, code) == [code]
    assert found(as_head, code.lower()) == [code]
    assert found(as_head, f"  {code[:6]} {code[6:]} ") == [code]
    assert found(as_head, code.replace("-", "").lower()) == [code]
    # Part of a code is a word as any other: newest first.
    assert found(as_head, code[3:8].lower()) == [mention.code, code]
    # Found through the code alone: the cases' texts are not read.
    with CaptureQueriesContext(connection) as captured:
        assert found(as_head, code.lower()) == [code]
    scans = [q["sql"] for q in captured.captured_queries if TEXT_SCAN.search(q["sql"])]
    assert scans == []


def test_a_code_out_of_scope_finds_the_cases_that_name_it(
    as_head: Client, province: dict[str, Organisation], staff_member: StaffMember
) -> None:
    elsewhere = file_report(organisation=province["commune"])  # not the head's to see
    mention = file_report(staff=staff_member, description=f"Trùng với vụ {elsewhere.code}.")
    assert found(as_head, elsewhere.code.lower()) == [mention.code]
    # Another filter leaves the code's case out: the same.
    case = file_report(staff=staff_member)
    named = file_report(
        staff=staff_member, track=Track.COMPLAINT, description=f"Liên quan vụ {case.code}."
    )
    response = as_head.get(LIST, {"q": case.code, "track": Track.COMPLAINT})
    assert [row.code for row in response.context["page"]] == [named.code]
    assert found(as_head, case.code) == [case.code]


def test_the_reporters_identity_is_never_searched(
    as_head: Client, staff_member: StaffMember
) -> None:
    # The reporter wrote their own name and number into the description: those who may
    # not see who reported must not learn it by searching, so nobody searches it.
    case = file_report(
        staff=staff_member,
        description=f"Tôi là {REPORTER_NAME}, số {REPORTER_PHONE}, cán bộ đòi tiền.",
    )
    assert found(as_head, "tien") == [case.code]
    assert found(as_head, "bich ngoc") == []
    assert found(as_head, REPORTER_PHONE) == []
    assert found(as_head, "ngoc.reporter") == []


def test_a_conclusion_is_found_once_written(
    as_head: Client, head: User, staff_member: StaffMember
) -> None:
    case = file_report(staff=staff_member)
    assert found(as_head, "xin loi") == []
    move(
        case,
        "accepted",
        "investigating",
        "concluded",
        actor=head,
        conclusion="Cán bộ đã xin lỗi công dân.",
    )
    assert found(as_head, "xin loi") == [case.code]


def test_an_outsider_finds_nothing_and_gets_404(
    as_outsider: Client, staff_member: StaffMember
) -> None:
    case = file_report(staff=staff_member)
    assert found(as_outsider, "duc") == []
    assert found(as_outsider, case.code) == []
    assert as_outsider.get(reverse("cases:detail", args=[case.code])).status_code == 404


def test_a_viewer_without_case_permission_gets_403(
    as_viewer: Client, staff_member: StaffMember
) -> None:
    file_report(staff=staff_member)
    assert as_viewer.get(LIST, {"q": "duc"}).status_code == 403


def test_the_subject_never_finds_their_own_case(
    province: dict[str, Organisation], staff_member: StaffMember, hoa: StaffMember
) -> None:
    # Đức handles his department's cases, but not one about himself (conflict of interest).
    user = make_user("duc.handler", Role.CASE_HANDLER, province["dept_justice"])
    staff_member.user = user
    staff_member.save(update_fields=["user"])
    own = file_report(staff=staff_member, description="Đòi tiền.")
    colleague = file_report(staff=hoa, description="Đòi tiền.")
    client = client_for(user)
    assert found(client, "tien") == [colleague.code]
    assert found(client, "duc") == []
    assert found(client, own.code) == []


def test_a_leaders_case_is_not_found_in_their_own_department(
    province: dict[str, Organisation], as_head: Client, officer: User
) -> None:
    leader = make_leader(province["dept_justice"])
    case = file_report(staff=leader)  # routed to the province, above the department
    assert found(as_head, "giam doc") == []
    assert found(as_head, case.code) == []
    assert found(client_for(officer), "giam doc") == [case.code]


def test_the_migration_fills_the_search_text_of_existing_cases(
    staff_member: StaffMember,
) -> None:
    case = file_report(
        staff=staff_member, description=f"{REPORTER_NAME} thấy cán bộ đòi tiền ở một cửa."
    )
    Case.objects.filter(pk=case.pk).update(search_text="")
    migration = import_module("congvu.cases.migrations.0012_case_search_text")
    migration.fill(apps, None)
    text = Case.objects.get(pk=case.pk).search_text
    assert "doi tien o mot cua" in text and "ngoc" not in text

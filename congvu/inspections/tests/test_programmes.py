"""The yearly inspection programme: its rules, who sees which item (an unannounced visit
stays a surprise), the coverage, and its pages for an inspector, the inspected
organisation, a role without the permission (403) and an outsider (404)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from congvu.accounts.models import Role, User
from congvu.audit.models import AuditEvent
from congvu.inspections import programme_selectors as ps
from congvu.inspections import programme_services as services
from congvu.inspections.models import Inspection, InspectionProgramme, ProgrammeItem
from congvu.organisations.models import Organisation

from ...conftest import (
    client_for,
    form_key,
    make_user,
    page_form,
    said_already_sent,
    said_changed_meanwhile,
)
from .conftest import answer_all, conclude, plan, start

pytestmark = pytest.mark.usefixtures("catalogue")
K = Inspection.Kind
THIS_YEAR = timezone.localdate().year


@pytest.fixture(autouse=True)
def _the_year_of_this_test() -> None:
    """The year above as of the moment each test runs, not of the collection: a run that
    crosses New Year's midnight (Vietnam time) in between saw last year as this year."""
    global THIS_YEAR
    THIS_YEAR = timezone.localdate().year


def url(name: str, *args: Any) -> str:
    return reverse(f"inspections:{name}", args=args)


def programme(
    province: dict[str, Organisation], inspector: User, year: int | None = None
) -> InspectionProgramme:
    """`year`: next year unless given (read when called: a default is taken at import)."""
    return services.create_programme(
        province["root"],
        actor=inspector,
        year=THIS_YEAR + 1 if year is None else year,
        title="Kế hoạch kiểm tra công vụ",
    )


def item(
    prog: InspectionProgramme,
    inspector: User,
    organisation: Organisation,
    *,
    quarter: int | None = 2,
    kind: str = K.SCHEDULED,
    **kw: Any,
) -> ProgrammeItem:
    return services.add_item(
        prog, actor=inspector, organisation=organisation, quarter=quarter, kind=kind, **kw
    )


@pytest.fixture
def approved(
    province: dict[str, Organisation], inspector: User, officer: User
) -> InspectionProgramme:
    """This year's approved programme: the justice department scheduled in Q4 and
    unannounced in Q3... both are hers to see only as the rules say."""
    prog = programme(province, inspector, THIS_YEAR)
    item(prog, inspector, province["dept_justice"], quarter=4, kind=K.SCHEDULED)
    item(prog, inspector, province["dept_justice"], quarter=3, kind=K.UNANNOUNCED)
    item(prog, inspector, province["commune"], quarter=4, kind=K.SCHEDULED)
    return services.approve(
        prog, actor=officer, decision_number="123/QĐ-SNV", decision_on=dt.date(THIS_YEAR, 1, 15)
    )


# --- rules ----------------------------------------------------------------------------------


def test_a_year_outside_2000_2100_is_refused_in_both_languages(
    province: dict[str, Organisation], inspector: User
) -> None:
    with pytest.raises(ValidationError) as exc:
        services.create_programme(province["root"], actor=inspector, year=1999, title="X")
    message = exc.value.message_dict["year"][0]
    assert message.startswith("Năm phải từ 2000") and "/ The year must be" in message
    assert not InspectionProgramme.objects.exists()


def test_an_organisation_is_in_a_programme_at_most_once_a_quarter(
    province: dict[str, Organisation], inspector: User
) -> None:
    prog = programme(province, inspector)
    item(prog, inspector, province["dept_justice"], quarter=2)
    with pytest.raises(ValidationError) as exc:
        # May is in the second quarter too.
        item(prog, inspector, province["dept_justice"], quarter=None, month=5)
    assert "đã có trong kế hoạch ở quý 2" in exc.value.message_dict["organisation"][0]
    assert prog.items.count() == 1
    item(prog, inspector, province["dept_justice"], quarter=3)
    assert prog.items.count() == 2


def test_a_month_gives_its_quarter_and_must_lie_in_it(
    province: dict[str, Organisation], inspector: User
) -> None:
    prog = programme(province, inspector)
    found = item(prog, inspector, province["commune"], quarter=None, month=8)
    assert (found.quarter, found.month, found.period_end) == (3, 8, dt.date(prog.year, 8, 31))
    with pytest.raises(ValidationError) as exc:
        item(prog, inspector, province["dept_justice"], quarter=1, month=8)
    assert "Month 8 is not in quarter 1" in exc.value.message_dict["month"][0]


def test_an_organisation_that_does_not_exist_in_the_year_is_refused(
    province: dict[str, Organisation], inspector: User
) -> None:
    Organisation.objects.filter(pk=province["commune"].pk).update(
        valid_to=dt.date(THIS_YEAR, 6, 30)
    )
    prog = programme(province, inspector, THIS_YEAR + 1)
    with pytest.raises(ValidationError) as exc:
        item(prog, inspector, Organisation.objects.get(pk=province["commune"].pk))
    assert "không tồn tại trong năm" in exc.value.message_dict["organisation"][0]
    assert not prog.items.exists()


def test_approving_is_audited_and_freezes_the_programme(
    province: dict[str, Organisation],
    inspector: User,
    officer: User,
    approved: InspectionProgramme,
) -> None:
    event = AuditEvent.objects.get(action="inspection_programme.approve")
    assert event.object_id == str(approved.pk) and "123/QĐ-SNV" in event.summary
    with pytest.raises(ValidationError):
        item(approved, inspector, province["dept_home"], quarter=1)
    with pytest.raises(ValidationError):
        services.approve(approved, actor=officer)


def test_an_empty_programme_cannot_be_approved(
    province: dict[str, Organisation], inspector: User, officer: User
) -> None:
    prog = programme(province, inspector)
    with pytest.raises(ValidationError):
        services.approve(prog, actor=officer)
    prog.refresh_from_db()
    assert prog.is_draft


# --- who sees what --------------------------------------------------------------------------


def test_the_organisation_sees_nothing_of_a_draft_programme(
    province: dict[str, Organisation], inspector: User, focal: User
) -> None:
    prog = programme(province, inspector)
    item(prog, inspector, province["dept_justice"])
    assert not InspectionProgramme.objects.visible_to(focal).exists()
    assert client_for(focal).get(url("programme", prog.pk)).status_code == 404


def test_an_unannounced_item_stays_hidden_from_the_organisation_until_its_inspection_starts(
    province: dict[str, Organisation],
    inspector: User,
    focal: User,
    approved: InspectionProgramme,
) -> None:
    as_focal = client_for(focal)
    page = as_focal.get(url("programme", approved.pk)).content.decode()
    assert "Quý 4" in page and "Quý 3" not in page
    assert "Đột xuất" not in page
    assert "Ủy ban nhân dân xã" not in page  # another organisation's item
    surprise = approved.items.get(kind=K.UNANNOUNCED)
    inspection = plan(province["dept_justice"], inspector, kind=K.UNANNOUNCED, item=surprise)
    assert surprise not in ProgrammeItem.objects.visible_to(focal)
    assert "Quý 3" not in as_focal.get(url("programme", approved.pk)).content.decode()
    start(inspection, inspector)
    assert surprise in ProgrammeItem.objects.visible_to(focal)
    assert "Quý 3" in as_focal.get(url("programme", approved.pk)).content.decode()


def test_an_organisation_with_only_an_unannounced_item_does_not_see_the_programme(
    province: dict[str, Organisation], inspector: User, officer: User
) -> None:
    commune_head = make_user("commune_head", Role.HEAD, province["commune"])
    prog = programme(province, inspector, THIS_YEAR)
    item(prog, inspector, province["commune"], kind=K.UNANNOUNCED)
    services.approve(prog, actor=officer)
    assert not InspectionProgramme.objects.visible_to(commune_head).exists()
    as_head = client_for(commune_head)
    assert as_head.get(url("programme", prog.pk)).status_code == 404
    assert prog.title not in as_head.get(url("programmes")).content.decode()


# --- coverage -------------------------------------------------------------------------------


def test_coverage_tells_concluded_overdue_and_planned_items_apart(
    province: dict[str, Organisation], inspector: User, officer: User
) -> None:
    last_year = programme(province, inspector, THIS_YEAR - 1)
    done = item(last_year, inspector, province["dept_justice"], quarter=1)
    late = item(last_year, inspector, province["commune"], quarter=2)
    planned = item(last_year, inspector, province["dept_home"], quarter=2)
    services.approve(last_year, actor=officer)
    inspection = start(plan(province["dept_justice"], inspector, item=done), inspector)
    answer_all(inspection, inspector)
    conclude(inspection, inspector)
    plan(province["dept_home"], inspector, item=planned)
    cov = ps.coverage(inspector, last_year, timezone.localdate())
    states = {row.item.pk: row.state for row in cov.rows}
    assert states == {done.pk: "concluded", late.pk: "overdue", planned.pk: "overdue"}
    assert cov.quarters[2]["overdue"] == 2 and cov.quarters[1]["concluded"] == 1
    next_year = programme(province, inspector, THIS_YEAR + 1)
    fresh = item(next_year, inspector, province["commune"])
    assert ps.coverage(inspector, next_year, timezone.localdate()).rows[0].state == "planned"
    assert fresh.period_end == dt.date(THIS_YEAR + 1, 6, 30)


def test_never_inspected_leaves_out_the_recently_inspected_and_the_programme_s_own(
    province: dict[str, Organisation], inspector: User
) -> None:
    inspection = start(plan(province["dept_justice"], inspector), inspector)
    answer_all(inspection, inspector)
    conclude(inspection, inspector)
    prog = programme(province, inspector)
    item(prog, inspector, province["commune"])
    names = {o.pk for o in ps.never_inspected(inspector, year=prog.year, exclude_programme=prog)}
    assert province["dept_justice"].pk not in names
    assert province["commune"].pk not in names
    assert province["dept_home"].pk in names
    found = ps.never_inspected(inspector, year=prog.year, q="noi vu")
    assert [o.pk for o in found] == [province["dept_home"].pk]


# --- pages ----------------------------------------------------------------------------------


@pytest.fixture
def root_viewer(province: dict[str, Organisation]) -> User:
    return make_user("root_viewer", Role.VIEWER, province["root"])


def test_the_pages_answer_the_inspector_and_refuse_the_others(
    province: dict[str, Organisation],
    inspector: User,
    approved: InspectionProgramme,
    root_viewer: User,
) -> None:
    # The head of an organisation the programme does not name.
    outsider = make_user("stranger", Role.HEAD, province["dept_home"])
    as_inspector = client_for(inspector)
    listed = as_inspector.get(url("programmes")).content.decode()
    assert approved.title in listed and "Quyết định số 123/QĐ-SNV ngày 15/01/" in listed
    page = as_inspector.get(url("programme", approved.pk)).content.decode()
    assert "Quý 3" in page and "Lên kế hoạch kiểm tra" in page
    item_pk = approved.items.first().pk  # type: ignore[union-attr]
    for name, args in [
        ("programme", (approved.pk,)),
        ("item_edit", (item_pk,)),
    ]:
        assert client_for(root_viewer).get(url(name, *args)).status_code == 403
        assert client_for(outsider).get(url(name, *args)).status_code == 404
    assert client_for(root_viewer).get(url("programmes")).status_code == 403
    assert client_for(root_viewer).get(url("programme_new")).status_code == 403
    assert client_for(root_viewer).post(url("programme_approve", approved.pk)).status_code == 403
    assert client_for(outsider).post(url("programme_approve", approved.pk)).status_code == 404
    assert client_for(outsider).post(url("item_delete", item_pk)).status_code == 404


def test_the_organisation_head_cannot_manage_its_programme_items(
    head: User, approved: InspectionProgramme
) -> None:
    mine = approved.items.filter(kind=K.SCHEDULED).first()
    assert mine is not None
    as_head = client_for(head)
    assert as_head.get(url("programme", approved.pk)).status_code == 200
    assert as_head.get(url("item_edit", mine.pk)).status_code == 403
    assert as_head.get(url("new"), {"item": mine.pk}).status_code == 403


def test_an_inspector_builds_a_programme_and_home_affairs_approves_it_through_the_pages(
    province: dict[str, Organisation], inspector: User, officer: User
) -> None:
    as_inspector = client_for(inspector)
    response = as_inspector.post(
        url("programme_new"),
        {"organisation": province["root"].pk, "year": THIS_YEAR + 1, "title": "Kế hoạch 2027"},
    )
    prog = InspectionProgramme.objects.get()
    assert response.status_code == 302
    form = as_inspector.get(url("item_new", prog.pk), {"q": "tu phap"}).content.decode()
    assert province["dept_justice"].name in form and province["commune"].name not in form
    data = {"organisation": province["dept_justice"].pk, "period": "m5", "kind": K.SCHEDULED}
    assert as_inspector.post(url("item_new", prog.pk), data).status_code == 302
    again = as_inspector.post(url("item_new", prog.pk), {**data, "period": "q2"})
    assert again.status_code == 400
    assert "đã có trong kế hoạch" in again.content.decode()
    # Inspectors draft the programme; Home Affairs leadership approves it.
    refused = as_inspector.post(url("programme_approve", prog.pk), {"a-decision_number": "1"})
    assert refused.status_code == 403
    page = as_inspector.get(url("programme", prog.pk)).content.decode()
    assert "Phê duyệt kế hoạch" not in page and "Lãnh đạo Sở Nội vụ phê duyệt kế hoạch" in page
    as_officer = client_for(officer)
    bad = as_officer.post(url("programme_approve", prog.pk), {"a-decision_on": "31/02/2027"})
    assert bad.status_code == 400 and InspectionProgramme.objects.get().is_draft
    ok = as_officer.post(
        url("programme_approve", prog.pk),
        {"a-decision_number": "12/QĐ-SNV", "a-decision_on": "15/01/2027"},
    )
    assert ok.status_code == 302
    prog.refresh_from_db()
    assert prog.status == "approved" and prog.decision_on == dt.date(2027, 1, 15)


def test_a_programme_an_item_and_a_bulk_addition_sent_twice_act_once(
    province: dict[str, Organisation], inspector: User
) -> None:
    # Before, each second sending was refused: a programme that year, an item already there.
    as_inspector = client_for(inspector)
    data = {"organisation": province["root"].pk, "year": THIS_YEAR + 1, "title": "Kế hoạch"}
    data["once"] = form_key(as_inspector.get(url("programme_new")))
    first = as_inspector.post(url("programme_new"), data)
    second = as_inspector.post(url("programme_new"), data)
    prog = InspectionProgramme.objects.get()
    assert first["Location"] == second["Location"] == url("programme", prog.pk)
    assert said_already_sent(as_inspector, second)

    data = {"organisation": province["dept_justice"].pk, "period": "m5", "kind": K.SCHEDULED}
    data["once"] = form_key(as_inspector.get(url("item_new", prog.pk)))
    first = as_inspector.post(url("item_new", prog.pk), data)
    second = as_inspector.post(url("item_new", prog.pk), data)
    assert first["Location"] == second["Location"] == url("programme", prog.pk)
    assert said_already_sent(as_inspector, second)

    data = {"organisations": [province["commune"].pk], "period": "q3", "kind": K.SCHEDULED}
    data["once"] = form_key(as_inspector.get(url("items_bulk", prog.pk)))
    first = as_inspector.post(url("items_bulk", prog.pk), data)
    second = as_inspector.post(url("items_bulk", prog.pk), data)
    assert first["Location"] == second["Location"] == url("programme", prog.pk)
    assert said_already_sent(as_inspector, second)
    assert prog.items.count() == 2


def test_plan_the_inspection_from_an_item_prefills_and_links_it(
    province: dict[str, Organisation], inspector: User, approved: InspectionProgramme
) -> None:
    target = approved.items.get(kind=K.UNANNOUNCED)
    as_inspector = client_for(inspector)
    form = as_inspector.get(url("new"), {"item": target.pk})
    assert form.status_code == 200
    assert form.context["form"].initial["kind"] == K.UNANNOUNCED
    assert form.context["form"].initial["organisation"] == province["dept_justice"].pk
    response = as_inspector.post(
        url("new") + f"?item={target.pk}",
        {
            "item": target.pk,
            "organisation": province["dept_justice"].pk,
            "kind": K.UNANNOUNCED,
            "planned_on": f"01/12/{THIS_YEAR + 1}",
            "lead": inspector.pk,
        },
    )
    assert response.status_code == 302
    assert Inspection.objects.get().programme_item == target
    wrong = as_inspector.post(
        url("new") + f"?item={target.pk}",
        {
            "item": target.pk,
            "organisation": province["dept_justice"].pk,
            "kind": K.SCHEDULED,
            "planned_on": f"01/12/{THIS_YEAR + 1}",
            "lead": inspector.pk,
        },
    )
    assert wrong.status_code == 400 and Inspection.objects.count() == 1


def test_an_empty_item_form_comes_back_with_what_is_missing(
    province: dict[str, Organisation], inspector: User
) -> None:
    """A post with no fields at all (a script, a browser that lost the form) is answered
    like any other bad input: the page again, saying which fields are needed."""
    prog = programme(province, inspector)
    response = client_for(inspector).post(url("item_new", prog.pk), {})
    assert response.status_code == 400
    assert response.context["form"].is_bound
    assert "organisation" in response.context["form"].errors
    assert "Trường này là bắt buộc" in response.content.decode()
    assert not prog.items.exists()


def test_an_item_saved_from_a_page_someone_else_saved_since_is_refused_and_keeps_the_input(
    province: dict[str, Organisation], inspector: User
) -> None:
    prog = programme(province, inspector)
    planned = item(prog, inspector, province["dept_justice"], quarter=2)
    as_inspector = client_for(inspector)
    target = url("item_edit", planned.pk)
    tab_a, tab_b = page_form(as_inspector.get(target)), page_form(as_inspector.get(target))
    assert as_inspector.post(target, {**tab_b, "period": "q3"}).status_code == 302
    refused = as_inspector.post(target, {**tab_a, "note": "Ghi chú của A"})
    assert refused.status_code == 400 and said_changed_meanwhile(refused)
    assert "Ghi chú của A" in refused.content.decode()
    planned.refresh_from_db()
    assert (planned.quarter, planned.note) == (3, "")

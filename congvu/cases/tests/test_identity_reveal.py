"""A reporter's identity only to those settling the case (Law on Denunciation 2018,
art. 47-48; Decree 13/2023): the handling organisation's own see it; Home Affairs'
oversight sees "[…]" and reveals it for one case with a reason, on the record and told
to the handlers, never to the reporter or the subject."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from congvu.accounts.models import Role, RoleGrant, User
from congvu.audit.models import AuditEvent
from congvu.audit.services import record
from congvu.conftest import client_for, form_key, make_user
from congvu.organisations.models import Organisation, StaffMember

from .. import identity, reporter
from ..models import Case, CaseEvent
from .office_helpers import (  # noqa: F401
    REPORTER_EMAIL,
    REPORTER_NAME,
    REPORTER_PHONE,
    file_report,
    media,
)

REASON = "Rà soát việc giải quyết tố cáo theo đơn khiếu nại."
#: The button's form (its label is also the timeline entry's kind).
REVEAL_BUTTON = 'data-testid="reveal-identity"'


@pytest.fixture
def case(staff_member: StaffMember) -> Case:
    """A named report about a staff member of Sở Tư pháp, handled there."""
    return file_report(
        staff=staff_member,
        description=f"Tôi là {REPORTER_NAME}, gọi {REPORTER_PHONE}: cán bộ đòi tiền.",
    )


def page(client: Client, case: Case) -> str:
    response = client.get(reverse("cases:detail", args=[case.code]))
    assert response.status_code == 200
    return response.content.decode()


def reveal(client: Client, case: Case, reason: str = REASON) -> Any:
    drawn = client.get(reverse("cases:detail", args=[case.code]))
    key = form_key(drawn, "idn-once")
    return client.post(
        reverse("cases:identity", args=[case.code]), {"idn-reason": reason, "idn-once": key}
    )


def reveals() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="case.identity_reveal"))


# --- the case page ----------------------------------------------------------------------------


def test_home_affairs_oversight_sees_the_identity_masked_with_a_button(
    as_officer: Client, case: Case
) -> None:
    html = page(as_officer, case)
    assert REPORTER_NAME not in html and REPORTER_PHONE not in html
    assert REPORTER_EMAIL not in html
    assert "[…]" in html
    assert REVEAL_BUTTON in html and "Xem danh tính người phản ánh" in html


def test_the_handling_organisations_head_sees_the_identity_directly(
    as_head: Client, case: Case
) -> None:
    html = page(as_head, case)
    assert REPORTER_NAME in html and REPORTER_PHONE in html and REPORTER_EMAIL in html
    assert REVEAL_BUTTON not in html


def test_a_case_handler_of_the_organisation_sees_it_directly(
    province: dict[str, Organisation], case: Case
) -> None:
    handler = make_user("handler_x", Role.CASE_HANDLER, province["dept_justice"])
    html = page(client_for(handler), case)
    assert REPORTER_NAME in html and REVEAL_BUTTON not in html


def test_a_home_affairs_grant_on_the_handling_organisation_itself_sees_it_directly(
    province: dict[str, Organisation], case: Case
) -> None:
    local = make_user("local_ha", Role.HOME_AFFAIRS, province["dept_justice"])
    assert REPORTER_NAME in page(client_for(local), case)


def test_the_officer_the_case_is_assigned_to_sees_it_directly(
    officer: User, as_officer: Client, head: User, case: Case
) -> None:
    from .. import assignment

    assignment.assign(case, assignee=officer, actor=head, reason="Sở Nội vụ trực tiếp xử lý.")
    html = page(as_officer, case)
    assert REPORTER_NAME in html and REVEAL_BUTTON not in html


def test_home_affairs_own_staff_see_the_cases_their_department_handles(
    province: dict[str, Organisation], officer: User, as_officer: Client
) -> None:
    own = StaffMember.objects.create(
        full_name="Cán bộ Sở Nội vụ",
        staff_code="SNV-001",
        category=StaffMember.Category.CIVIL_SERVANT,
        organisation=province["dept_home"],
        user=officer,
    )
    assert own.pk
    handled_at_home = file_report(organisation=province["dept_home"])
    assert handled_at_home.handling_organisation == province["dept_home"]
    assert REPORTER_NAME in page(as_officer, handled_at_home)


def test_a_reveal_with_a_reason_shows_the_identity_is_audited_and_told_to_the_handlers(
    officer: User, as_officer: Client, as_head: Client, case: Case
) -> None:
    response = reveal(as_officer, case)
    assert response.status_code == 302
    html = page(as_officer, case)
    assert REPORTER_NAME in html and REPORTER_PHONE in html and REPORTER_EMAIL in html
    assert REVEAL_BUTTON not in html
    # The texts the reporter typed are shown unmasked too.
    assert f"Tôi là {REPORTER_NAME}" in html
    (event,) = reveals()
    assert event.actor == officer and event.data["reason"] == REASON
    assert REPORTER_NAME not in str(event.data) and REPORTER_PHONE not in str(event.data)
    # The people settling the case see who looked and why.
    said = f"Danh tính người phản ánh đã được xem bởi {officer.full_name}: {REASON}"
    assert said in page(as_head, case)
    entry = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.IDENTITY_REVEALED)
    assert entry.audience == CaseEvent.Audience.INTERNAL


def test_the_reveal_lasts_an_hour_for_that_case_only(
    as_officer: Client, case: Case, staff_member: StaffMember, monkeypatch: Any
) -> None:
    other = file_report(staff=staff_member)
    reveal(as_officer, case)
    assert REPORTER_NAME not in page(as_officer, other)
    later = identity.time.time() + identity.REVEAL_MINUTES * 60 + 1
    monkeypatch.setattr(identity.time, "time", lambda: later)
    html = page(as_officer, case)
    assert REPORTER_NAME not in html and REVEAL_BUTTON in html


def test_a_reveal_without_a_reason_is_refused_and_nothing_is_revealed_or_recorded(
    as_officer: Client, case: Case
) -> None:
    for reason in ("", "   ", "vì cần"):
        response = reveal(as_officer, case, reason)
        assert response.status_code == 400
        html = response.content.decode()
        assert "ít nhất 10 ký tự" in html and "at least 10 characters" in html
        assert REPORTER_NAME not in html
    too_long = reveal(as_officer, case, "x" * 501)
    assert too_long.status_code == 400
    assert "dài quá 500 ký tự" in too_long.content.decode()
    # What was typed is kept for the correction.
    assert "vì cần" in reveal(as_officer, case, "vì cần").content.decode()
    assert reveals() == []
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.IDENTITY_REVEALED).exists()
    assert REPORTER_NAME not in page(as_officer, case)


def test_a_reveal_sent_twice_is_recorded_once(as_officer: Client, case: Case) -> None:
    drawn = as_officer.get(reverse("cases:detail", args=[case.code]))
    data = {"idn-reason": REASON, "idn-once": form_key(drawn, "idn-once")}
    url = reverse("cases:identity", args=[case.code])
    assert as_officer.post(url, data).status_code == 302
    assert as_officer.post(url, data).status_code == 302
    assert len(reveals()) == 1


def test_an_anonymous_case_offers_nothing_to_reveal(
    as_officer: Client, staff_member: StaffMember
) -> None:
    anonymous = file_report(staff=staff_member, anonymous=True)
    html = page(as_officer, anonymous)
    assert REVEAL_BUTTON not in html
    response = as_officer.post(
        reverse("cases:identity", args=[anonymous.code]), {"idn-reason": REASON}
    )
    assert response.status_code == 409 and reveals() == []


def test_an_erased_identity_offers_nothing_to_reveal(
    head: User, as_officer: Client, case: Case
) -> None:
    reporter.erase_reporter_identity(case, actor=head)
    assert REVEAL_BUTTON not in page(as_officer, case)


def test_an_outsider_gets_404_and_a_viewer_403(
    as_outsider: Client, as_viewer: Client, case: Case
) -> None:
    url = reverse("cases:identity", args=[case.code])
    assert as_outsider.post(url, {"idn-reason": REASON}).status_code == 404
    assert as_viewer.post(url, {"idn-reason": REASON}).status_code == 403
    assert reveals() == []


def test_an_inspector_without_case_identity_gets_403(
    province: dict[str, Organisation], case: Case
) -> None:
    inspector = make_user("inspector_x", Role.INSPECTOR, province["root"])
    client = client_for(inspector)
    html = page(client, case)
    assert REPORTER_NAME not in html and REVEAL_BUTTON not in html
    response = client.post(reverse("cases:identity", args=[case.code]), {"idn-reason": REASON})
    assert response.status_code == 403 and reveals() == []


def test_the_subject_never_sees_it_nor_the_reveal(
    province: dict[str, Organisation],
    officer: User,
    as_officer: Client,
    staff_user: User,
    case: Case,
) -> None:
    # The staff member concerned, even holding the head's role of their organisation.
    RoleGrant.objects.create(user=staff_user, role=Role.HEAD, organisation=province["dept_justice"])
    subject = client_for(staff_user)
    assert subject.get(reverse("cases:detail", args=[case.code])).status_code == 404
    url = reverse("cases:identity", args=[case.code])
    assert subject.post(url, {"idn-reason": REASON}).status_code == 404
    reveal(as_officer, case)
    own = subject.get(reverse("cases:subject_view", args=[case.code])).content.decode()
    assert REPORTER_NAME not in own and "đã được xem bởi" not in own


def test_the_reporter_never_sees_the_reveal(as_officer: Client, case: Case) -> None:
    reveal(as_officer, case)
    from ..visibility import events_for_reporter

    assert not any("đã được xem bởi" in e.body for e in events_for_reporter(case))


# --- exports and the audit log ----------------------------------------------------------------


def csv_of(client: Client) -> str:
    response = client.get(reverse("cases:export"), {"format": "csv"})
    assert response.status_code == 200
    return response.content.decode("utf-8-sig")


def test_an_overseers_export_masks_every_identity_even_after_a_reveal(
    as_officer: Client, as_head: Client, case: Case
) -> None:
    assert REPORTER_NAME in csv_of(as_head)
    reveal(as_officer, case)
    table = list(csv.reader(io.StringIO(csv_of(as_officer))))
    flat = " ".join(" ".join(row) for row in table)
    assert case.code in flat
    assert REPORTER_NAME not in flat and REPORTER_PHONE not in flat and REPORTER_EMAIL not in flat


def identity_event(case: Case) -> AuditEvent:
    """An event carrying the reporter's identity (none does today; should one ever)."""
    return record(
        "case.create",
        actor=None,
        obj=case,
        organisation=case.handling_organisation,
        data={"reporter_name": REPORTER_NAME, "track": "feedback"},
    )


def test_the_audit_log_masks_the_identity_for_an_overseer_until_revealed(
    province: dict[str, Organisation], as_officer: Client, case: Case
) -> None:
    event = identity_event(case)
    url = reverse("audit:detail", args=[event.pk])
    assert REPORTER_NAME not in as_officer.get(url).content.decode()
    reveal(as_officer, case)
    assert REPORTER_NAME in as_officer.get(url).content.decode()


def test_the_audit_log_shows_the_identity_to_the_organisations_own_auditor(
    province: dict[str, Organisation], case: Case
) -> None:
    event = identity_event(case)
    local = make_user("auditor_local", Role.HOME_AFFAIRS, province["dept_justice"])
    body = client_for(local).get(reverse("audit:detail", args=[event.pk])).content.decode()
    assert REPORTER_NAME in body


def test_the_reveal_is_in_the_audit_log_with_its_reason(as_officer: Client, case: Case) -> None:
    reveal(as_officer, case)
    (event,) = reveals()
    body = as_officer.get(reverse("audit:detail", args=[event.pk])).content.decode()
    assert REASON in body and "Xem danh tính người phản ánh (có lý do)" in body

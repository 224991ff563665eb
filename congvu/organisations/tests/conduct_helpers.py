"""A small world for the conduct record's tests: real ratings (rollups filled by the
service), cases, discipline, an inspection and an acknowledgement."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from congvu.accounts.models import Role, User
from congvu.cases import discipline, workflow
from congvu.cases.models import Case, DisciplineForm
from congvu.cases.services import ReportInput, submit_report
from congvu.conduct.services import load_seed_catalogue
from congvu.conftest import make_staff, make_user
from congvu.core.tests.media_helpers import pdf
from congvu.feedback import services as rating_services
from congvu.feedback.models import Rating
from congvu.feedback.tests.ratings_helpers import make_counter, rate, working_hours
from congvu.inspections import services as inspection_services
from congvu.inspections import workflow as inspection_workflow
from congvu.inspections.models import Inspection, Observation
from congvu.organisations import services as org_services
from congvu.organisations.models import Organisation, StaffMember
from congvu.planning import dissemination

Province = dict[str, Organisation]
S = Case.Status
REPORTER = "Hoàng Thị Tố Giác"
REPORT_TEXT = "Cán bộ gây khó dễ, đòi tiền bồi dưỡng ở quầy số 3."


def badge_of(member: StaffMember) -> rating_services.RatingTarget:
    target = rating_services.target_for_badge(member.badge_token)
    assert target is not None
    return target


def concluded_case(
    member: StaffMember, head: User, outcome: str = Case.Outcome.SUBSTANTIATED
) -> Case:
    receipt = submit_report(
        ReportInput(
            subject_staff=member,
            description=REPORT_TEXT,
            is_anonymous=False,
            reporter_name=REPORTER,
            reporter_phone="0987654321",
        ),
        files=(),
        actor=None,
    )
    case = receipt.case
    for to in (S.ACCEPTED, S.INVESTIGATING):
        case = workflow.transition(case, to, actor=head)
    return workflow.transition(
        case, S.CONCLUDED, actor=head, outcome=outcome, conclusion="Phản ánh đúng."
    )


def breach_naming(member: StaffMember, inspector: User, organisation: Organisation) -> Inspection:
    inspection = inspection_services.plan_inspection(
        organisation,
        actor=inspector,
        kind=Inspection.Kind.SCHEDULED,
        planned_on=timezone.localdate(),
        lead=inspector,
    )
    inspection = inspection_workflow.transition(
        inspection, Inspection.Status.IN_PROGRESS, actor=inspector
    )
    answers = [
        inspection_services.Answer(
            observation.pk,
            Observation.Result.BREACHED,
            "Cán bộ không đeo thẻ khi tiếp dân.",
            member.pk,
        )
        if n == 0
        else inspection_services.Answer(observation.pk, Observation.Result.KEPT)
        for n, observation in enumerate(inspection.observations.order_by("order"))
    ]
    inspection_services.record_observations(inspection, answers, actor=inspector)
    return inspection_workflow.transition(
        inspection,
        Inspection.Status.CONCLUDED,
        actor=inspector,
        conclusion="Cơ quan thực hiện cơ bản đúng quy tắc ứng xử.",
    )


def build_world(
    province: Province, staff_member: StaffMember, staff_user: User, head: User
) -> dict[str, Any]:
    """Đức: 12 counted ratings (9 satisfied) and a flagged one, a substantiated case with a
    reprimand, a breach found by an inspection, the code confirmed. Lan: 10 ratings, none
    satisfied. Hùng: left during the year. Last year: a rating and a case for Đức."""
    year = timezone.localdate().year
    load_seed_catalogue(scope=province["root"], actor=None, activate=True)
    rating_services.clear_caches()
    justice = province["dept_justice"]
    lan = make_staff(justice, "Trần Thị Lan", "STP-002")
    hung = make_staff(justice, "Lê Văn Hùng", "STP-003")
    org_services.mark_staff_left(hung, actor=None, left_on=dt.date(year, 3, 31))
    today = timezone.localdate()
    duc_badge, lan_badge = badge_of(staff_member), badge_of(lan)
    base = working_hours(today, hour=8)
    for n in range(12):
        rate(duc_badge, level=1 if n < 9 else 5, now=base + dt.timedelta(minutes=n))
    for n in range(10):
        rate(lan_badge, level=5, now=base + dt.timedelta(minutes=30 + n))
    # A rating late at night for someone on a counter is flagged: not counted.
    make_counter(justice, staff_member)
    rating_services.clear_caches()
    flagged = rate(duc_badge, level=5, now=working_hours(today, hour=23))
    assert flagged.state == Rating.State.FLAGGED
    # Last year's rating is not this year's.
    rate(duc_badge, level=5, now=working_hours(dt.date(year - 1, 12, 30)))

    case = concluded_case(staff_member, head)
    decision = discipline.propose(
        case,
        form=DisciplineForm.objects.get(code="khien-trach"),
        conduct_date=today - dt.timedelta(days=20),
        note="Đề nghị khiển trách",
        actor=head,
    )
    discipline.decide(decision, number="12/QĐ-STP", decided_on=today, file=pdf(), actor=head)
    concluded_case(staff_member, head, Case.Outcome.UNSUBSTANTIATED)
    old = concluded_case(staff_member, head)
    # Concluded on the last evening of last year (local time): not this year's.
    last_evening = timezone.make_aware(dt.datetime(year - 1, 12, 31, 23, 30))
    Case.objects.filter(pk=old.pk).update(concluded_at=last_evening)

    inspector = make_user("inspector", Role.INSPECTOR, province["root"])
    breach_naming(staff_member, inspector, justice)

    dissemination.acknowledge(staff_member, actor=staff_user)
    return {"duc": staff_member, "lan": lan, "hung": hung, "justice": justice}

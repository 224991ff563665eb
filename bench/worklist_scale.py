"""The work list's data set at scale: what waits for officers across a 2,000-organisation province.

On top of `build_scale(2000, 40000, catalogue=True)`, `plan_scale.build_plan_scale()`
(~500,000 assignments) and `rating_scale.build_rating_scale()` (whose last 30 days
leave ~2 % of ratings flagged and waiting for review), it writes what the other
providers of the home page's work list read (`congvu/*/worklist.py`):

- confirmations: the heads' confirmation of most completions (all but 1 in 25 of
  those older than 30 days), which `build_plan_scale` leaves unconfirmed;
- people: a case handler for every organisation that handles cases (the departments,
  the communes, the province) and twenty inspectors of the Department of Home
  Affairs, besides the six personas the benchmark signs in as (`Personas`);
- report periods: three open ones issued by the province (last year's report past
  its deadline, a six-month report due within two weeks, an ad hoc one due later),
  each with every organisation's report in a realistic state (most accepted or
  submitted for review, some drafts or returned, some not started);
- cases: ~15 per organisation over three years (~30,000), most closed, the open ones
  with running deadlines (some overdue, some due soon), most given to a handler of
  the handling organisation, some to nobody, a few to someone who lost the role;
  their timeline events (received, transitions, statements asked and given);
- inspections: a third of the organisations inspected each year over three years
  (~1,700), concluded with a checklist of the catalogue's observable clauses, a few
  breaches, corrective actions (most done, some open: overdue or due soon), this
  month's inspections under way and next weeks' planned.

Rows are written with `bulk_create` (no services, no audit events: the work list
reads none). Deterministic for a given seed. Import after `django.setup()`:

    from worklist_scale import build_worklist_scale
    personas = build_worklist_scale(plan=plan_id)
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

YEARS = 3
CASES_PER_ORGANISATION = 15
INSPECTORS = 20
BATCH = 5000
HANDLING_KINDS = ("department", "commune_pc", "province_pc")


@dataclass
class Personas:
    """The users the benchmark signs in as, by name (see `bench_home.PERSONAS`)."""

    users: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _user(username: str, full_name: str) -> Any:
    from congvu.accounts.models import User

    return User.objects.create_user(username=username, password=None, full_name=full_name)


def _grant(user: Any, role: Any, organisation: Any, subtree: bool = True) -> None:
    from congvu.accounts.models import RoleGrant

    RoleGrant.objects.create(
        user=user, role=role, organisation=organisation, include_subtree=subtree
    )


def _aware(day: dt.date, hour: int) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def build_worklist_scale(*, seed: int = 86, today: dt.date | None = None) -> Personas:
    """Write the people, report periods, cases and inspections; return the personas."""
    from django.db import transaction
    from django.db.models import F
    from django.utils import timezone

    from congvu.accounts.models import Role, User
    from congvu.cases.models import Case, CaseEvent, Track
    from congvu.conduct.selectors import provincial_version
    from congvu.inspections.models import CorrectiveAction, Inspection, Observation
    from congvu.inspections.selectors import checklist_clauses
    from congvu.organisations.models import Organisation, OrganisationKind, StaffMember
    from congvu.planning.models import Assignment
    from congvu.reporting.models import OrganisationReport, ReportPeriod

    started = time.perf_counter()
    rng = random.Random(seed)
    today = today or timezone.localdate()
    now = timezone.now()
    result = Personas()
    current = Organisation.objects.filter(valid_to__isnull=True).select_related("kind")
    orgs = {o.pk: o for o in current.order_by("path")}
    root = next(o for o in orgs.values() if o.parent_id is None)

    def handling(org: Any) -> Any:
        # Cases about a unit or division are handled by the department or commune above it.
        node = org
        while node is not None and node.kind.code not in HANDLING_KINDS:
            node = orgs.get(node.parent_id)
        return node or root

    staff_of: dict[int, list[int]] = defaultdict(list)
    for pk, org_id in StaffMember.objects.filter(is_active=True).values_list(
        "pk", "organisation_id"
    ):
        staff_of[org_id].append(pk)

    with transaction.atomic():
        # --- the personas -----------------------------------------------------------------
        department = Organisation.objects.get(name="Sở Giáo dục và Đào tạo", valid_to__isnull=True)
        commune = (
            current.filter(kind__code="commune_pc", path__startswith=root.path)
            .order_by("path")
            .first()
        )
        assert commune is not None
        users = result.users
        users["home_affairs"] = _user("bench.noivu", "Cán bộ Sở Nội vụ")
        _grant(users["home_affairs"], Role.HOME_AFFAIRS, root)
        users["department_head"] = _user("bench.giamdoc", "Giám đốc Sở GD&ĐT")
        _grant(users["department_head"], Role.HEAD, department)
        users["commune_head"] = _user("bench.chutich", "Chủ tịch UBND xã")
        _grant(users["commune_head"], Role.HEAD, commune)
        users["case_handler"] = _user("bench.xuly", "Cán bộ xử lý vụ việc")
        _grant(users["case_handler"], Role.CASE_HANDLER, department)
        users["inspector"] = _user("bench.kiemtra", "Thanh tra viên Sở Nội vụ")
        _grant(users["inspector"], Role.INSPECTOR, root)
        member = StaffMember.objects.filter(organisation=commune, is_active=True).order_by("pk")[0]
        users["staff"] = _user("bench.canbo", member.full_name)
        _grant(users["staff"], Role.STAFF, commune, subtree=False)
        member.user = users["staff"]
        member.save(update_fields=["user"])

        # --- confirmations ----------------------------------------------------------------
        # `build_plan_scale` reports work done but nobody confirms it; heads confirm most
        # completions within a month, so older ones waiting are the exception (1 in 25).
        done = Assignment.objects.filter(
            progress=Assignment.Progress.DONE, completed_on__lt=today - dt.timedelta(days=30)
        )
        result.counts["confirmed"] = (
            done.annotate(bucket=F("pk") % 25).exclude(bucket=0).update(confirmed_at=now)
        )

        # --- case handlers and inspectors -------------------------------------------------
        handling_orgs = sorted({handling(o).pk for o in orgs.values()})
        handlers: dict[int, list[int]] = defaultdict(list)
        for pk in handling_orgs:
            user = _user(f"bench.xuly.{pk}", f"Cán bộ xử lý {orgs[pk].name}")
            _grant(user, Role.CASE_HANDLER, orgs[pk])
            handlers[pk].append(user.pk)
        handlers[department.pk].append(users["case_handler"].pk)
        # Someone who handled cases and has left: their open cases wait to be reassigned.
        gone = _user("bench.xuly.danghi", "Cán bộ đã chuyển công tác").pk
        inspectors = [users["inspector"].pk]
        for i in range(INSPECTORS - 1):
            user = _user(f"bench.kiemtra.{i}", f"Thanh tra viên {i + 1}")
            _grant(user, Role.INSPECTOR, root)
            inspectors.append(user.pk)

        # --- report periods ---------------------------------------------------------------
        year = today.year
        kinds = list(OrganisationKind.objects.filter(is_division=False))
        home_affairs = Organisation.objects.get(name="Sở Nội vụ", valid_to__isnull=True)
        periods = [
            ReportPeriod.objects.create(
                name=f"Báo cáo văn hóa công vụ năm {year - 1}",
                issuing_organisation=root,
                compiling_organisation=home_affairs,
                covers_from=dt.date(year - 1, 1, 1),
                covers_to=dt.date(year - 1, 12, 31),
                due_on=today - dt.timedelta(days=20),
            ),
            ReportPeriod.objects.create(
                name=f"Báo cáo 6 tháng cuối năm {year}",
                kind=ReportPeriod.Kind.HALF_YEAR,
                issuing_organisation=root,
                compiling_organisation=home_affairs,
                covers_from=dt.date(year, 6, 1),
                covers_to=today,
                due_on=today + dt.timedelta(days=10),
            ),
            ReportPeriod.objects.create(
                name=f"Báo cáo đột xuất về tiếp công dân năm {year}",
                kind=ReportPeriod.Kind.AD_HOC,
                issuing_organisation=root,
                compiling_organisation=home_affairs,
                covers_from=dt.date(year, 1, 1),
                covers_to=today,
                due_on=today + dt.timedelta(days=40),
            ),
        ]
        S = OrganisationReport.Status
        # (accepted, submitted, returned, draft) shares; the rest have not started.
        shares = [(0.55, 0.3, 0.03, 0.05), (0.1, 0.35, 0.02, 0.2), (0.0, 0.1, 0.0, 0.15)]
        reports: list[OrganisationReport] = []
        reporting = [o for o in orgs.values() if not o.kind.is_division]
        for period, (accepted, submitted, returned, draft) in zip(periods, shares, strict=True):
            period.reporting_kinds.set(kinds)
            for org in reporting:
                roll = rng.random()
                if roll < accepted:
                    status = S.ACCEPTED
                elif roll < accepted + submitted:
                    status = S.SUBMITTED
                elif roll < accepted + submitted + returned:
                    status = S.RETURNED
                elif roll < accepted + submitted + returned + draft:
                    status = S.DRAFT
                else:
                    continue
                filed = status != S.DRAFT
                at = now - dt.timedelta(days=rng.randint(1, 30), hours=rng.randint(0, 9))
                reports.append(
                    OrganisationReport(
                        period=period,
                        organisation=org,
                        organisation_name=org.name,
                        status=status,
                        results="Đã triển khai kế hoạch thực hiện văn hóa công vụ.",
                        first_submitted_at=at if filed else None,
                        submitted_at=at if filed else None,
                        is_late=filed and at.date() > period.due_on,
                    )
                )
        OrganisationReport.objects.bulk_create(reports, batch_size=BATCH)
        result.counts["reports"] = len(reports)

        # --- cases ------------------------------------------------------------------------
        C = Case.Status
        K = CaseEvent.Kind
        tracks = [Track.FEEDBACK] * 6 + [Track.COMPLAINT] * 3 + [Track.DENUNCIATION]
        first_day = today - dt.timedelta(days=365 * YEARS)
        cases: list[Case] = []
        plans: list[tuple[str, list[tuple[str, str, str, dt.datetime]]]] = []
        staff_orgs = [pk for pk in orgs if staff_of.get(pk)]
        for _ in range(CASES_PER_ORGANISATION * len(orgs)):
            org = orgs[rng.choice(staff_orgs)]
            handler_org = handling(org)
            # Volume grows over time, as the service was adopted.
            age = int((1 - rng.random() ** 0.6) * (today - first_day).days)
            received_on = today - dt.timedelta(days=age)
            received = _aware(received_on, rng.randint(7, 17))
            ack_due = received_on + dt.timedelta(days=7)
            settle_due = received_on + dt.timedelta(days=7 + rng.choice((42, 60, 90)))
            open_share = 0.03 if age > 120 else 0.6
            roll = rng.random()
            events = [(K.CREATED, "", C.RECEIVED, received)]
            if roll < open_share:
                status = rng.choice((C.RECEIVED, C.ACCEPTED, C.INVESTIGATING, C.INVESTIGATING))
            else:
                status = rng.choice((C.CLOSED, C.CLOSED, C.CONCLUDED, C.REJECTED))
            accepted = status not in (C.RECEIVED, C.REJECTED)
            at = received + dt.timedelta(days=rng.randint(1, 6))
            if status == C.REJECTED:
                events.append((K.TRANSITION, C.RECEIVED, C.REJECTED, at))
            if accepted:
                events.append((K.TRANSITION, C.RECEIVED, C.ACCEPTED, at))
            if status in (C.INVESTIGATING, C.CONCLUDED, C.CLOSED):
                at += dt.timedelta(days=rng.randint(1, 10))
                events.append((K.TRANSITION, C.ACCEPTED, C.INVESTIGATING, at))
                if rng.random() < 0.15:
                    at += dt.timedelta(days=1)
                    events.append((K.TO_SUBJECT, "", "", at))
                    if status != C.INVESTIGATING or rng.random() < 0.5:
                        events.append((K.FROM_SUBJECT, "", "", at + dt.timedelta(days=3)))
            if status in (C.CONCLUDED, C.CLOSED):
                at += dt.timedelta(days=rng.randint(5, 40))
                events.append((K.TRANSITION, C.INVESTIGATING, C.CONCLUDED, at))
            if status == C.CLOSED:
                at += dt.timedelta(days=rng.randint(1, 10))
                events.append((K.TRANSITION, C.CONCLUDED, C.CLOSED, at))
            settled = status in (C.CONCLUDED, C.CLOSED)
            assignee: int | None = None
            if accepted or rng.random() < 0.5:
                pick = rng.random()
                if pick < 0.8:
                    assignee = rng.choice(handlers[handler_org.pk])
                elif pick < 0.83:
                    assignee = gone
            case = Case(
                track=rng.choice(tracks),
                status=status,
                outcome=rng.choice(list(Case.Outcome.values)) if settled else "",
                reject_reason=Case.RejectReason.INSUFFICIENT if status == C.REJECTED else "",
                channel=rng.choice((Case.Channel.WEB, Case.Channel.BADGE, Case.Channel.PHONE)),
                subject_staff_id=rng.choice(staff_of[org.pk]),
                organisation=org,
                handling_organisation=handler_org,
                description="Cán bộ tiếp nhận hồ sơ có thái độ chưa đúng mực với người dân.",
                conclusion="Đã xác minh, kết luận như trên." if settled else "",
                received_at=received,
                acknowledge_due=ack_due,
                accepted_at=received + dt.timedelta(days=1) if accepted else None,
                settle_due=settle_due if accepted else None,
                assignee_id=assignee,
                assigned_at=received if assignee else None,
                is_anonymous=rng.random() < 0.6,
            )
            cases.append(case)
            plans.append((case.code, events))
        # The staff persona: two cases about them, one statement asked and not given yet.
        for asked_only in (True, False):
            received = _aware(today - dt.timedelta(days=12), 9)
            case = Case(
                track=Track.FEEDBACK,
                status=C.INVESTIGATING,
                channel=Case.Channel.BADGE,
                subject_staff=member,
                organisation=commune,
                handling_organisation=commune,
                description="Cán bộ bỏ quầy trong giờ tiếp dân.",
                received_at=received,
                acknowledge_due=today - dt.timedelta(days=5),
                accepted_at=received + dt.timedelta(days=1),
                settle_due=today + dt.timedelta(days=30),
            )
            asked = received + dt.timedelta(days=3)
            events = [
                (K.CREATED, "", C.RECEIVED, received),
                (K.TRANSITION, C.RECEIVED, C.ACCEPTED, received + dt.timedelta(days=1)),
                (K.TRANSITION, C.ACCEPTED, C.INVESTIGATING, received + dt.timedelta(days=2)),
                (K.TO_SUBJECT, "", "", asked),
            ]
            if not asked_only:
                events.append((K.FROM_SUBJECT, "", "", asked + dt.timedelta(days=1)))
            cases.append(case)
            plans.append((case.code, events))
        for case in cases:  # bulk_create skips `save`, which keeps the search column
            if hasattr(case, "refresh_search_text"):
                case.refresh_search_text()
        Case.objects.bulk_create(cases, batch_size=BATCH)
        ids = dict(Case.objects.values_list("code", "pk"))
        audience = {
            K.TO_SUBJECT: CaseEvent.Audience.SUBJECT,
            K.FROM_SUBJECT: CaseEvent.Audience.SUBJECT,
        }
        rows: list[CaseEvent] = []
        for code, events in plans:
            for kind, from_status, to_status, at in events:
                rows.append(
                    CaseEvent(
                        case_id=ids[code],
                        kind=kind,
                        audience=audience.get(kind, CaseEvent.Audience.INTERNAL),
                        body="Đề nghị giải trình." if kind == K.TO_SUBJECT else "",
                        from_status=from_status,
                        to_status=to_status,
                        created_at=at,
                    )
                )
        CaseEvent.objects.bulk_create(rows, batch_size=BATCH)
        result.counts["cases"] = len(cases)
        result.counts["case_events"] = len(rows)
        result.counts["open_cases"] = sum(
            1 for c in cases if c.status in (C.RECEIVED, C.ACCEPTED, C.INVESTIGATING)
        )

        # --- inspections ------------------------------------------------------------------
        IS = Inspection.Status
        R = Observation.Result
        version = provincial_version(root)
        assert version is not None
        clauses = list(checklist_clauses(version).values_list("pk", flat=True))[:12]
        inspected = [o for o in orgs.values() if not o.kind.is_division and o.parent_id]
        inspections: list[Inspection] = []
        number = 0
        for offset in range(YEARS):
            for org in rng.sample(inspected, len(inspected) // 3):
                number += 1
                planned_on = dt.date(year - offset, 1, 1) + dt.timedelta(days=rng.randint(0, 364))
                if planned_on > today + dt.timedelta(days=45):
                    planned_on = today + dt.timedelta(days=rng.randint(1, 45))
                if planned_on > today:
                    status = IS.PLANNED
                elif planned_on > today - dt.timedelta(days=10):
                    status = IS.IN_PROGRESS
                else:
                    status = IS.CANCELLED if rng.random() < 0.03 else IS.CONCLUDED
                begun = _aware(planned_on, 8) if status in (IS.IN_PROGRESS, IS.CONCLUDED) else None
                concluded = (
                    begun + dt.timedelta(days=rng.randint(1, 7))
                    if begun and status == IS.CONCLUDED
                    else None
                )
                inspections.append(
                    Inspection(
                        code=f"KT-{planned_on.year}-{number:05d}",
                        organisation=org,
                        kind=Inspection.Kind.SCHEDULED
                        if rng.random() < 0.8
                        else Inspection.Kind.UNANNOUNCED,
                        planned_on=planned_on,
                        purpose="Kiểm tra việc thực hiện văn hóa công vụ",
                        lead_id=rng.choice(inspectors),
                        status=status,
                        code_version=version,
                        started_at=begun,
                        concluded_at=concluded,
                        cancelled_at=now if status == IS.CANCELLED else None,
                        cancel_reason="Trùng lịch công tác" if status == IS.CANCELLED else "",
                        conclusion="Cơ quan thực hiện cơ bản tốt." if concluded else "",
                    )
                )
        Inspection.objects.bulk_create(inspections, batch_size=BATCH)
        made = list(
            Inspection.objects.values_list("pk", "lead_id", "status", "concluded_at", "started_at")
        )
        through = Inspection.members.through
        through.objects.bulk_create(
            [
                through(inspection_id=pk, user_id=other)
                for pk, lead, *_rest in made
                for other in rng.sample([i for i in inspectors if i != lead], 2)
            ],
            batch_size=BATCH,
        )
        observations: list[Observation] = []
        for pk, _lead, status, _concluded, at in made:
            if status not in (IS.CONCLUDED, IS.IN_PROGRESS):
                continue
            answered = len(clauses) if status == IS.CONCLUDED else rng.randint(0, len(clauses))
            for order, clause in enumerate(clauses):
                result_ = ""
                if order < answered:
                    result_ = R.BREACHED if rng.random() < 0.06 else R.KEPT
                observations.append(
                    Observation(
                        inspection_id=pk,
                        clause_id=clause,
                        order=order,
                        result=result_,
                        note="Cán bộ không đeo thẻ khi làm việc" if result_ == R.BREACHED else "",
                        recorded_by_id=_lead if result_ else None,
                        recorded_at=at if result_ else None,
                    )
                )
        Observation.objects.bulk_create(observations, batch_size=BATCH)
        concluded_on = {pk: c.date() for pk, _l, s, c, _s in made if c is not None}
        actions: list[CorrectiveAction] = []
        for obs_pk, inspection_pk in Observation.objects.filter(
            result=R.BREACHED, inspection__status=IS.CONCLUDED
        ).values_list("pk", "inspection_id"):
            if rng.random() < 0.4:
                continue
            due = concluded_on[inspection_pk] + dt.timedelta(days=rng.choice((14, 30, 60)))
            done = due < today - dt.timedelta(days=10) and rng.random() < 0.9
            actions.append(
                CorrectiveAction(
                    observation_id=obs_pk,
                    description="Yêu cầu cán bộ đeo thẻ trong giờ làm việc; báo cáo kết quả.",
                    due_on=due,
                    status=CorrectiveAction.Status.DONE if done else CorrectiveAction.Status.OPEN,
                    done_at=_aware(due, 10) if done else None,
                )
            )
        CorrectiveAction.objects.bulk_create(actions, batch_size=BATCH)
        result.counts["inspections"] = len(inspections)
        result.counts["observations"] = len(observations)
        result.counts["corrective_actions"] = len(actions)
        result.counts["users"] = User.objects.count()
    result.seconds = round(time.perf_counter() - started, 1)
    return result

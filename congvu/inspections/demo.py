"""Demo inspections for the demo province, made through the real services.

* a concluded scheduled inspection of the organisation the demo head runs, with
  two breaches: one opened as a case (with the inspector's photo of the counter,
  made here with Pillow), one with a corrective action to answer;
* an unannounced inspection of the demo focal point's commune, planned and not
  started, so that commune's users do not see it;
* a scheduled inspection of the same commune, announced to it;
* this year's approved inspection programme (approved by Home Affairs): the concluded
  inspection carries out its item, the unannounced one its commune's item, one
  organisation's quarter is over with no inspection (overdue), another waits in the
  current quarter; then amended once (one organisation added, one moved to a later
  period, one cancelled with its reason).

The team is the demo inspector (or, without one, a Home Affairs user); a demo
built without users has no inspections.
"""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.utils import timezone

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.accounts.models import Role, RoleGrant, User
from congvu.core.calendar import add_working_days
from congvu.core.demo_clock import clock_at
from congvu.organisations.models import Organisation, StaffMember

from . import programme_amendments, programme_services, services, workflow
from .models import Inspection, InspectionProgramme, Observation, ProgrammeItem

R = Observation.Result


def _inspector(root: Organisation) -> User | None:
    for role in (Role.INSPECTOR, Role.HOME_AFFAIRS):
        user = (
            User.objects.filter(grants__role=role, grants__organisation__path__startswith=root.path)
            .order_by("pk")
            .first()
        )
        if user is not None:
            return user
    return User.objects.filter(is_superuser=True).order_by("pk").first()


def _organisation_of(role: Role, root: Organisation) -> Organisation | None:
    grant = (
        RoleGrant.objects.filter(role=role, organisation__path__startswith=root.path)
        .select_related("organisation")
        .order_by("pk")
        .first()
    )
    return grant.organisation if grant is not None else None


def counter_photo() -> SimpleUploadedFile:
    """A small drawn picture standing for the inspector's photo of a one-stop counter: a
    desk, a staff member without a badge, the empty name-plate holder."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 320), (225, 230, 236))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 210, 480, 320), fill=(150, 110, 80))  # the counter
    draw.rectangle((40, 225, 150, 255), outline=(60, 60, 60), width=3)  # empty plate holder
    draw.ellipse((270, 60, 330, 120), fill=(230, 190, 160))  # the staff member
    draw.rectangle((250, 120, 350, 210), fill=(40, 80, 150))  # no badge on the shirt
    draw.text((12, 12), "Quay so 2 - anh minh hoa (demo)", fill=(20, 20, 20))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return SimpleUploadedFile("quay-so-2-khong-deo-the.jpg", out.getvalue(), "image/jpeg")


def load_demo_inspections(root: Organisation) -> int:
    """Create the demo inspections; returns how many."""
    inspector = _inspector(root)
    inspected = _organisation_of(Role.HEAD, root)
    commune = _organisation_of(Role.FOCAL_POINT, root)
    if inspector is None or inspected is None or commune is None:
        return 0
    today = timezone.localdate()
    # The concluded inspection happened three weeks ago (its dates, deadlines, history and
    # audit events say so): its corrective action is now overdue, as such actions are.
    held_on = add_working_days(today, -15)
    tz = timezone.get_current_timezone()

    def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        # In UTC, as `timezone.now()` gives it: the audit hash covers the time as written.
        local = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)
        return local.astimezone(dt.timezone.utc)

    surprise_on = add_working_days(today, 7)
    with clock_at(at(add_working_days(held_on, -6), 9)):
        items = _programme(root, inspector, today, held_on, surprise_on, inspected, commune)
    with clock_at(at(add_working_days(held_on, -5), 9)):
        done = services.plan_inspection(
            inspected,
            actor=inspector,
            kind=Inspection.Kind.SCHEDULED,
            planned_on=held_on,
            lead=inspector,
            purpose="Kiểm tra việc thực hiện quy tắc ứng xử tại bộ phận một cửa "
            "(Kế hoạch 86/KH-UBND).",
            item=items.get("done"),
        )
    with clock_at(at(held_on, 8, 30)):
        workflow.transition(done, Inspection.Status.IN_PROGRESS, actor=inspector)
    staff = (
        StaffMember.objects.filter(organisation=inspected, is_active=True, is_leader=False)
        .exclude(Q(user=inspector))
        .order_by("pk")
        .first()
    )
    observations = list(done.observations.select_related("clause").order_by("order"))
    # Findings a one-stop counter really gives: the badge not worn (discipline, II.1.b),
    # a citizen not greeted nor guided (“4 xin, 4 luôn”, II.2.a).
    notes = {
        "II.1.b": ("Cán bộ tiếp nhận không đeo thẻ công chức khi làm việc với người dân.", staff),
        "II.2.a": ("Cán bộ không chào hỏi, không hướng dẫn người dân khi nhận hồ sơ.", None),
    }
    breached: dict[str, Observation] = {}
    answers = []
    for index, observation in enumerate(observations):
        code = observation.clause.code
        if code in notes:
            note, who = notes[code]
            breached[code] = observation
            answers.append(
                services.Answer(observation.pk, R.BREACHED, note, who.pk if who else None)
            )
        elif index % 5 == 4:
            answers.append(services.Answer(observation.pk, R.NOT_OBSERVED))
        else:
            answers.append(services.Answer(observation.pk, R.KEPT))
    photos = {breached["II.1.b"].pk: [counter_photo()]} if "II.1.b" in breached else {}
    with clock_at(at(held_on, 10)):
        services.record_observations(done, answers, actor=inspector, files=photos)
    with clock_at(at(held_on, 10, 30)):
        if "II.1.b" in breached:
            services.open_case(breached["II.1.b"], actor=inspector)
        if "II.2.a" in breached:
            services.add_corrective_action(
                breached["II.2.a"],
                actor=inspector,
                description="Phổ biến lại “4 xin, 4 luôn” cho cán bộ bộ phận một cửa; báo cáo "
                "danh sách cán bộ đã được phổ biến.",
            )
    with clock_at(at(add_working_days(held_on, 1), 16)):
        workflow.transition(
            done,
            Inspection.Status.CONCLUDED,
            actor=inspector,
            conclusion=(
                "Cơ quan cơ bản thực hiện đúng quy tắc ứng xử; còn 02 vi phạm: cán bộ không "
                "đeo thẻ khi làm việc (chuyển xử lý theo vụ việc) và chưa thực hiện đầy đủ "
                "“4 xin, 4 luôn” khi tiếp nhận hồ sơ (yêu cầu khắc phục)."
            ),
        )
    services.plan_inspection(
        commune,
        actor=inspector,
        kind=Inspection.Kind.UNANNOUNCED,
        planned_on=surprise_on,
        lead=inspector,
        purpose="Kiểm tra đột xuất thái độ tiếp dân tại bộ phận một cửa.",
        item=items.get("surprise"),
    )
    services.plan_inspection(
        commune,
        actor=inspector,
        kind=Inspection.Kind.SCHEDULED,
        planned_on=add_working_days(today, 20),
        lead=inspector,
        purpose="Kiểm tra định kỳ việc thực hiện văn hóa công vụ năm "
        + str((today + dt.timedelta(days=20)).year)
        + ".",
    )
    return 3


def _quarter(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


def _programme(
    root: Organisation,
    inspector: User,
    today: dt.date,
    held_on: dt.date,
    surprise_on: dt.date,
    inspected: Organisation,
    commune: Organisation,
) -> dict[str, ProgrammeItem]:
    """This year's approved programme; returns the items the demo inspections carry out
    ("done", "surprise"), when their dates fall in this year."""
    year = today.year
    if not access.can(inspector, Perm.INSPECTION_RUN, root):
        return {}
    programme = programme_services.create_programme(
        root,
        actor=inspector,
        year=year,
        title=f"Kế hoạch kiểm tra công vụ năm {year}",
    )
    found: dict[str, ProgrammeItem] = {}
    if held_on.year == year:
        found["done"] = programme_services.add_item(
            programme,
            actor=inspector,
            organisation=inspected,
            quarter=_quarter(held_on),
            kind=Inspection.Kind.SCHEDULED,
            lead=inspector,
            note="Bộ phận tiếp nhận và trả kết quả (một cửa).",
        )
    if surprise_on.year == year:
        found["surprise"] = programme_services.add_item(
            programme,
            actor=inspector,
            organisation=commune,
            month=surprise_on.month,
            kind=Inspection.Kind.UNANNOUNCED,
            lead=inspector,
        )
    others = list(
        Organisation.objects.subtree_of(root)
        .current()
        .filter(kind__is_division=False)
        .exclude(pk__in=[root.pk, inspected.pk, commune.pk])
        .order_by("path")[:4]
    )
    if others and _quarter(today) > 1:
        # Its quarter is over and nobody went: the coverage shows it overdue.
        programme_services.add_item(
            programme,
            actor=inspector,
            organisation=others[0],
            quarter=_quarter(today) - 1,
            kind=Inspection.Kind.SCHEDULED,
        )
    if len(others) > 1:
        programme_services.add_item(
            programme,
            actor=inspector,
            organisation=others[1],
            quarter=_quarter(today),
            kind=Inspection.Kind.SCHEDULED,
        )
    if len(others) > 3:
        programme_services.add_item(
            programme,
            actor=inspector,
            organisation=others[3],
            quarter=_quarter(today),
            kind=Inspection.Kind.SCHEDULED,
        )
    approver = _approver(root)
    # Early in January there may be no item; without a Home Affairs user nobody may approve.
    if programme.items.exists() and approver is not None:
        programme_services.approve(
            programme,
            actor=approver,
            decision_number="15/QĐ-SNV",
            decision_on=min(dt.date(year, 1, 15), timezone.localdate()),
        )
        if len(others) > 3:
            _amend(programme, inspector, approver, today, others)
    # Only an approved programme's items may be carried out by inspections.
    return found if not programme.is_draft else {}


def _approver(root: Organisation) -> User | None:
    """Who approves the programme: Home Affairs leadership (else a superuser)."""
    for user in User.objects.filter(
        Q(grants__role=Role.HOME_AFFAIRS, grants__organisation__path__startswith=root.path)
        | Q(is_superuser=True)
    ).order_by("-is_superuser", "pk"):
        if access.can(user, Perm.INSPECTION_PROGRAMME_APPROVE, root):
            return user
    return None


def _amend(
    programme: InspectionProgramme,
    inspector: User,
    approver: User,
    today: dt.date,
    others: list[Organisation],
) -> None:
    # Dated on the demo clock's day (the programme is made in the past), like its events.
    """The programme's first amendment: one organisation added this quarter, one moved to
    a later period, one cancelled (its unit merged into another)."""
    amendment = programme_amendments.open_amendment(
        programme,
        actor=inspector,
        reason="Bổ sung, điều chỉnh thời gian kiểm tra theo tình hình thực tế.",
    )
    quarter = _quarter(today)
    programme_amendments.propose_addition(
        programme,
        actor=inspector,
        organisation=others[2],
        quarter=quarter,
        kind=Inspection.Kind.SCHEDULED,
        note="Bổ sung theo phản ánh của người dân.",
    )
    moved = programme.items.get(organisation=others[1], quarter=quarter)
    later = {"quarter": quarter + 1} if quarter < 4 else {"month": 12}
    programme_amendments.propose_reschedule(
        moved, actor=inspector, reason="Trùng lịch tiếp công dân.", **later
    )
    cancelled = programme.items.get(organisation=others[3])
    programme_amendments.propose_cancellation(
        cancelled, actor=inspector, reason="Cơ quan đã được kiểm tra chuyên đề trong năm."
    )
    programme_amendments.approve_amendment(
        amendment,
        actor=approver,
        decision_number="102/QĐ-SNV",
        decision_on=timezone.localdate(),
    )

"""Demo cases for the demo province, in every state, so that the pages show something.

Cases are filed and moved through the real services, so their timelines are
chained in the audit log like any other. The moves need a handler: the first
Home Affairs user of the province (or a superuser); without one (a demo built
without users) the cases stay received. The case rows are then dated back over
the last months for the dashboards; their events keep the time they were written.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from congvu.accounts.models import Role, User
from congvu.conduct.selectors import applicable_clauses
from congvu.core.demo_clock import clock_at
from congvu.organisations.models import Organisation, StaffMember

from . import assignment, discipline, services, tags, workflow
from .models import Case, CaseEvent, CaseTag, Track

S = Case.Status
K = CaseEvent.Kind


@dataclass(frozen=True)
class DemoCase:
    track: str
    path: tuple[str, ...]
    description: str
    days_ago: int
    named: bool = False
    leader: bool = False
    other_standard: str = ""
    outcome: str = ""
    messages: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    extend: bool = False
    discipline: str = ""


DEMO: tuple[DemoCase, ...] = (
    DemoCase(
        Track.DENUNCIATION,
        (),
        "Cán bộ tiếp nhận hồ sơ gợi ý nộp thêm 500.000 đồng “phí làm nhanh”.",
        2,
    ),
    DemoCase(
        Track.FEEDBACK,
        (),
        "Chờ hơn hai giờ tại bộ phận một cửa, cán bộ bỏ quầy không báo.",
        12,
        named=True,
        other_standard="Bỏ vị trí làm việc",
    ),
    DemoCase(
        Track.FEEDBACK,
        (S.REJECTED,),
        "Thái độ không tốt (không rõ ngày, không rõ người).",
        40,
    ),
    DemoCase(
        Track.COMPLAINT,
        (S.ACCEPTED,),
        "Hồ sơ bị trả lại ba lần, mỗi lần yêu cầu một giấy tờ khác nhau.",
        9,
        named=True,
        messages=((K.TO_REPORTER, "Đã thụ lý; chúng tôi sẽ xác minh với bộ phận một cửa."),),
    ),
    DemoCase(
        Track.FEEDBACK,
        (S.ACCEPTED,),
        "Cán bộ nói chuyện điện thoại riêng lâu trong giờ tiếp dân.",
        6,
    ),
    DemoCase(
        Track.DENUNCIATION,
        (S.ACCEPTED, S.INVESTIGATING),
        "Lãnh đạo phòng yêu cầu “bồi dưỡng” để ký duyệt hồ sơ đất đai.",
        50,
        leader=True,
        extend=True,
        messages=(
            (K.NOTE, "Đã thu thập sao kê chuyển khoản do người tố cáo cung cấp."),
            (K.TO_SUBJECT, "Đề nghị đồng chí giải trình bằng văn bản trong 05 ngày làm việc."),
        ),
    ),
    DemoCase(
        Track.FEEDBACK,
        (S.ACCEPTED, S.INVESTIGATING),
        "Cán bộ có mùi rượu bia khi tiếp dân buổi chiều.",
        20,
        named=True,
        messages=((K.TO_SUBJECT, "Đề nghị giải trình về buổi tiếp dân chiều thứ sáu."),),
    ),
    DemoCase(
        Track.DENUNCIATION,
        (S.ACCEPTED, S.INVESTIGATING, S.CONCLUDED),
        "Cán bộ nhận tiền của người dân để giải quyết hồ sơ trước hạn.",
        70,
        outcome=Case.Outcome.SUBSTANTIATED,
        discipline="khien-trach",
    ),
    DemoCase(
        Track.COMPLAINT,
        (S.ACCEPTED, S.INVESTIGATING, S.CONCLUDED),
        "Bị từ chối nhận hồ sơ mà không được giải thích lý do.",
        45,
        named=True,
        outcome=Case.Outcome.PARTLY,
    ),
    DemoCase(
        Track.FEEDBACK,
        (S.ACCEPTED, S.INVESTIGATING, S.CONCLUDED, S.CLOSED),
        "Cán bộ quát tháo người cao tuổi tại quầy.",
        95,
        outcome=Case.Outcome.UNSUBSTANTIATED,
    ),
)

NAMES = ("Nguyễn Thị Lan", "Trần Văn Minh", "Lê Thị Thu", "Phạm Quốc Huy")


def _handler(root: Organisation) -> User | None:
    return (
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(grants__role=Role.HOME_AFFAIRS, grants__organisation=root))
        .order_by("-is_superuser", "pk")
        .distinct()
        .first()
    )


#: The demo province's tags (data its Home Affairs keeps): name, colour.
DEMO_TAGS: tuple[tuple[str, str], ...] = (
    ("Khẩn", CaseTag.Colour.RED),
    ("Báo chí quan tâm", CaseTag.Colour.ORANGE),
    ("Tái diễn", CaseTag.Colour.PURPLE),
    ("Cần phối hợp liên ngành", CaseTag.Colour.BLUE),
)


def _demo_tags(handler: User) -> list[CaseTag]:
    made = []
    for name, colour in DEMO_TAGS:
        try:
            made.append(tags.create_tag(actor=handler, name=name, colour=colour))
        except ValidationError:  # the demo loaded twice: the province has it already
            continue
    return made


def load_demo_cases(root: Organisation, *, seed: int) -> int:
    """Create a handful of cases under `root`; returns how many."""
    rng = random.Random(seed)
    staff = list(
        StaffMember.objects.filter(
            organisation__path__startswith=root.path, is_active=True
        ).order_by("pk")[:400]
    )
    if not staff:
        return 0
    handler = _handler(root)
    if handler is not None:
        staff = [s for s in staff if s.user_id != handler.pk] or staff
    leaders = [s for s in staff if s.is_leader and s.organisation_id != root.pk]
    others = [s for s in staff if not s.is_leader] or staff
    made = 0
    now = timezone.now()
    demo_tags = _demo_tags(handler) if handler is not None else []
    for index, item in enumerate(DEMO):
        subject = rng.choice(leaders if item.leader and leaders else others)
        clause_ids = list(
            applicable_clauses(subject.organisation)
            .filter(rateable=True)
            .values_list("pk", flat=True)[:40]
        )
        chosen = [rng.choice(clause_ids)] if clause_ids and not item.other_standard else []
        received = now - dt.timedelta(days=item.days_ago, hours=rng.randrange(1, 6))
        with clock_at(received):
            receipt = services.submit_report(
                services.ReportInput(
                    track=item.track,
                    channel=Case.Channel.BADGE if index % 2 else Case.Channel.WEB,
                    subject_staff=subject,
                    clause_ids=chosen,
                    other_standard=item.other_standard,
                    occurred_on=timezone.localdate() - dt.timedelta(days=1),
                    occurred_place="Bộ phận tiếp nhận và trả kết quả",
                    description=item.description,
                    is_anonymous=not item.named,
                    reporter_name=NAMES[index % len(NAMES)] if item.named else "",
                    reporter_phone=f"09{rng.randrange(10**7, 10**8)}" if item.named else "",
                )
            )
        case = receipt.case
        made += 1
        if handler is None:
            continue
        # The handler's steps: a few days after the receipt, an hour apart, all before now.
        moment = received + dt.timedelta(days=min(item.days_ago // 2, 5))

        def later() -> dt.datetime:
            nonlocal moment
            moment = min(moment + dt.timedelta(hours=1), now - dt.timedelta(minutes=1))
            return moment

        # Most cases are given to an officer of the handling organisation; a few wait.
        if index % 3 != 2:
            people = list(assignment.eligible(case).exclude(pk=handler.pk)[:1]) or [handler]
            with clock_at(later()):
                case = assignment.assign(case, assignee=people[0], actor=handler)
        if demo_tags and index % 2 == 0:
            with clock_at(later()):
                case = tags.set_tags(
                    case, tag_ids=[demo_tags[index % len(demo_tags)].pk], actor=handler
                )

        for to in item.path:
            with clock_at(later()):
                case = workflow.transition(
                    case,
                    to,
                    actor=handler,
                    reject_reason=Case.RejectReason.INSUFFICIENT if to == S.REJECTED else "",
                    outcome=item.outcome if to == S.CONCLUDED else "",
                    conclusion="Qua xác minh, nội dung phản ánh đã được làm rõ; kết quả như trên."
                    if to == S.CONCLUDED
                    else "",
                )
            if to == S.INVESTIGATING or (to == S.ACCEPTED and S.INVESTIGATING not in item.path):
                for kind, body in item.messages:
                    with clock_at(later()):
                        services.add_event(case, actor=handler, kind=kind, body=body)
            if to == S.INVESTIGATING and item.extend:
                with clock_at(later()):
                    case = services.extend(
                        case, actor=handler, reason="Vụ việc phức tạp, cần xác minh thêm."
                    )
        if item.discipline and case.subject_staff is not None:
            form = discipline.allowed_forms(case.subject_staff).filter(code=item.discipline).first()
            if form is not None:
                with clock_at(later()):
                    proposal = discipline.propose(
                        case,
                        form=form,
                        conduct_date=received.date() - dt.timedelta(days=1),
                        note="Đề nghị xử lý kỷ luật theo Nghị định 112/2020/NĐ-CP.",
                        actor=handler,
                    )
                with clock_at(later()):
                    discipline.decide(
                        proposal,
                        number=f"{10 + index}/QĐ-KL",
                        decided_on=timezone.localdate(),
                        file=None,
                        actor=handler,
                    )
    return made

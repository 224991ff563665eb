"""Demo ratings for the demo province (about six months, so that the dashboards show something).

What a new user meets after `make run`:

- a one-stop counter (with three staff on duty and a kiosk) at the public
  administration centres and communes among them, twelve at most;
- dossiers registered at those organisations, most of them rated from the
  receipt (verified ratings, one per dossier);
- badge, counter and kiosk ratings of the staff of ~35 front-line
  organisations: enough (≥ 30 in the period) for them to appear on the public
  transparency page, with a few weak organisations and a slow improvement;
- the demo accounts linked to staff (e.g. `canbo`, `giamdoc.stp`) rated too,
  some with comments, so "my ratings" and the head's page are not empty;
- a burst of top scores from one phone and a few late-evening ratings,
  flagged and waiting in the review queue, and a few older ones reviewed.

Rows are written with `bulk_create` (a few thousand, in the demo's own
transaction) and the rollups rebuilt once: a second or two, so `make run`
stays fast. Deterministic for a given seed apart from the tokens.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
import zoneinfo
from dataclasses import dataclass
from typing import Final

from django.conf import settings
from django.utils import timezone

from congvu.organisations.models import Organisation, StaffMember

from . import rollups, services
from .models import Counter, Dossier, Rating, ScaleLevel

DAYS: Final = 180
#: Front-line organisations rated (one-stop centres first, then communes, departments).
FRONT_LINE: Final = 35
CENTRE_PREFIX: Final = "Trung tâm Phục vụ hành chính công"
COMMENTS: Final = (
    "Cán bộ hướng dẫn tận tình, hồ sơ xong trước hẹn.",
    "Thái độ niềm nở, giải thích rõ ràng.",
    "Phải chờ khá lâu, mong bố trí thêm người tiếp nhận.",
    "Cán bộ chưa lắng nghe hết ý kiến của tôi.",
    "Rất hài lòng, cảm ơn anh chị.",
    "Được nhắc bổ sung giấy tờ ngay một lần, không phải đi lại nhiều.",
)
PROCEDURES: Final = (
    "Chứng thực bản sao từ bản chính",
    "Đăng ký khai sinh",
    "Cấp phiếu lý lịch tư pháp",
    "Đăng ký kết hôn",
    "Cấp giấy phép xây dựng nhà ở riêng lẻ",
    "Đăng ký thường trú",
)


@dataclass
class _Front:
    organisation: Organisation
    staff: list[StaffMember]
    quality: float  # share of satisfied ratings
    counter: Counter | None = None


def _front_line(root: Organisation, rng: random.Random) -> list[_Front]:
    organisations = list(
        Organisation.objects.filter(path__startswith=root.path, valid_to__isnull=True)
        .select_related("kind")
        .order_by("path")
    )
    staff: dict[int, list[StaffMember]] = {}
    for member in StaffMember.objects.filter(
        organisation__in=organisations, is_active=True
    ).order_by("pk"):
        staff.setdefault(member.organisation_id, []).append(member)

    def rank(org: Organisation) -> int:
        if org.name.startswith(CENTRE_PREFIX):
            return 0
        return {"commune_pc": 1, "department": 2}.get(org.kind.code, 3)

    # The demo accounts' organisations always, so their pages show ratings.
    with_users = set(
        StaffMember.objects.filter(organisation__in=organisations, user__isnull=False).values_list(
            "organisation_id", flat=True
        )
    )
    chosen = sorted(
        (org for org in organisations if staff.get(org.pk)),
        key=lambda org: (org.pk not in with_users, rank(org), org.path),
    )[:FRONT_LINE]
    fronts = []
    for position, org in enumerate(chosen):
        # Two weak organisations, the rest between fair and very good.
        quality = 0.6 if position in (3, 11) else min(0.97, max(0.7, rng.gauss(0.86, 0.06)))
        fronts.append(_Front(org, staff[org.pk], quality))
    return fronts


def _counters(fronts: list[_Front]) -> list[Counter]:
    centres = [f for f in fronts if f.organisation.name.startswith(CENTRE_PREFIX)]
    communes = [f for f in fronts if f.organisation.kind.code == "commune_pc"]
    hosts = (centres + communes)[:12]
    made = []
    for front in hosts:
        counter = Counter.objects.create(
            organisation=front.organisation, name="Quầy tiếp nhận và trả kết quả số 1"
        )
        counter.staff.set(front.staff[:3])
        front.counter = counter
        made.append(counter)
    return made


class _Maker:
    def __init__(self, rng: random.Random, today: dt.date) -> None:
        self.rng = rng
        self.today = today
        self.zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        self.scale, levels = services.active_scale()
        self.levels: list[ScaleLevel] = levels
        self.ratings: list[Rating] = []
        self.dossiers: list[Dossier] = []

    def moment(self, *, days_ago: int | None = None, evening: bool = False) -> dt.datetime:
        while True:
            ago = self.rng.randrange(DAYS) if days_ago is None else days_ago
            day = self.today - dt.timedelta(days=ago)
            if day.weekday() < 5 or days_ago is not None:
                break
        if evening:
            hour, minute = 21, self.rng.randrange(60)
        else:
            minutes = self.rng.randrange(7 * 60 + 30, 17 * 60)
            hour, minute = divmod(minutes, 60)
        local = dt.datetime.combine(day, dt.time(hour, minute, self.rng.randrange(60)))
        return local.replace(tzinfo=self.zone)

    def level(self, quality: float, when: dt.datetime) -> ScaleLevel:
        # Service gets a little better over the six months.
        ago = (self.today - when.date()).days
        share = min(0.98, quality + 0.06 * (1 - ago / DAYS) - 0.03)
        satisfied = [lv for lv in self.levels if lv.satisfied]
        others = [lv for lv in self.levels if not lv.satisfied]
        if self.rng.random() < share or not others:
            return satisfied[0] if self.rng.random() < 0.45 else satisfied[-1]
        return self.rng.choices(others, weights=[6, 3, 1][: len(others)])[0]

    def answers(self, front: _Front, member: StaffMember | None) -> dict[str, str]:
        target = services.RatingTarget(
            Rating.Channel.BADGE, front.organisation, staff=member, counter=front.counter
        )
        breach = 0.04 + (0.9 - front.quality) * 0.4
        out = {}
        for criterion in services.criteria_for(target):
            roll = self.rng.random()
            answer = "n" if roll < breach else "u" if roll < breach + 0.05 else "y"
            out[str(criterion.clause_id)] = answer
        return out

    def add(
        self,
        front: _Front,
        *,
        channel: Rating.Channel,
        member: StaffMember | None,
        when: dt.datetime,
        level: ScaleLevel | None = None,
        dossier: Dossier | None = None,
        state: Rating.State = Rating.State.COUNTED,
        reasons: str = "",
        device: str | None = None,
        comment: str | None = None,
    ) -> Rating:
        level = level or self.level(front.quality, when)
        if comment is None:
            comment = self.rng.choice(COMMENTS) if self.rng.random() < 0.08 else ""
        rating = Rating(
            created_at=when,
            rated_on=when.astimezone(self.zone).date(),
            channel=channel,
            organisation=front.organisation,
            staff=member,
            counter=front.counter
            if channel in (Rating.Channel.COUNTER, Rating.Channel.KIOSK)
            else None,
            dossier=dossier,
            verified=dossier is not None,
            scale=self.scale,
            level=level.value,
            satisfied=level.satisfied,
            answers=self.answers(front, member),
            comment=comment,
            state=state,
            flag_reasons=reasons,
            # The salt of a past day is gone: a stored hash is just an opaque value.
            device_hash=""
            if channel == Rating.Channel.KIOSK
            else (device or uuid.UUID(int=self.rng.getrandbits(128)).hex),
            submission_id=uuid.UUID(int=self.rng.getrandbits(128), version=4),
        )
        self.ratings.append(rating)
        return rating

    def dossier(self, front: _Front, member: StaffMember, when: dt.datetime) -> Dossier:
        number = len(self.dossiers) + 1
        dossier = Dossier(
            code=f"{front.organisation.code}-{when:%y%m%d}-{number:05d}",
            organisation=front.organisation,
            counter=front.counter,
            staff=member,
            procedure=self.rng.choice(PROCEDURES),
            received_on=(when - dt.timedelta(days=self.rng.randrange(1, 6))).date(),
            source=Dossier.Source.API,
        )
        self.dossiers.append(dossier)
        return dossier


def load_demo_ratings(root: Organisation, *, seed: int) -> int:
    """Create the demo's counters, dossiers and ratings under `root`; returns the ratings made."""
    rng = random.Random(seed * 31 + 4)
    fronts = _front_line(root, rng)
    if not fronts:
        return 0
    _counters(fronts)
    maker = _Maker(rng, timezone.localdate())
    for front in fronts:
        rated_staff = front.staff[:12]
        for _ in range(rng.randint(45, 90)):
            member = rng.choice(rated_staff)
            when = maker.moment()
            roll = rng.random()
            if front.counter is not None and roll < 0.35:
                channel = Rating.Channel.KIOSK if roll < 0.15 else Rating.Channel.COUNTER
                on_duty = list(front.staff[:3])
                # Some citizens rate the counter itself rather than one person.
                on_counter = rng.choice(on_duty) if rng.random() < 0.8 else None
                maker.add(front, channel=channel, member=on_counter, when=when)
            elif roll < (0.6 if front.counter is not None else 0.3):
                dossier = maker.dossier(front, member, when)
                maker.add(
                    front, channel=Rating.Channel.DOSSIER, member=member, when=when, dossier=dossier
                )
            else:
                maker.add(front, channel=Rating.Channel.BADGE, member=member, when=when)
        # Dossiers whose receipt was never rated.
        for _ in range(rng.randint(3, 10)):
            maker.dossier(front, rng.choice(rated_staff), maker.moment())
    _accounts(maker, fronts)
    _flagged(maker, fronts)

    Dossier.objects.bulk_create(maker.dossiers, batch_size=500)
    Rating.objects.bulk_create(maker.ratings, batch_size=500)
    rollups.rebuild()
    return len(maker.ratings)


def _accounts(maker: _Maker, fronts: list[_Front]) -> None:
    """Staff with a demo login: enough ratings and comments for their own page."""
    for front in fronts:
        for member in front.staff:
            if member.user_id is None:
                continue
            for n in range(maker.rng.randint(25, 40)):
                when = maker.moment()
                maker.add(
                    front,
                    channel=Rating.Channel.BADGE,
                    member=member,
                    when=when,
                    comment=maker.rng.choice(COMMENTS) if n % 5 == 0 else None,
                )


def _flagged(maker: _Maker, fronts: list[_Front]) -> None:
    """A burst from one phone and late-evening ratings (waiting), a few old ones reviewed."""
    front = fronts[min(1, len(fronts) - 1)]
    member = front.staff[0]
    best = maker.levels[0]
    start = maker.moment(days_ago=2)
    phone = uuid.UUID(int=maker.rng.getrandbits(128)).hex
    for n in range(7):
        # detection: the 5th top score from one device within 10 minutes is flagged.
        maker.add(
            front,
            channel=Rating.Channel.BADGE,
            member=member,
            when=start + dt.timedelta(minutes=n),
            level=best,
            state=Rating.State.FLAGGED if n >= 4 else Rating.State.COUNTED,
            reasons="burst" if n >= 4 else "",
            device=phone,
            comment="",
        )
    counter_front = next((f for f in fronts if f.counter is not None), front)
    for days_ago in (1, 3, 6):
        maker.add(
            counter_front,
            channel=Rating.Channel.COUNTER if counter_front.counter else Rating.Channel.BADGE,
            member=counter_front.staff[0],
            when=maker.moment(days_ago=days_ago, evening=True),
            state=Rating.State.FLAGGED,
            reasons="off_hours",
        )
    reviewed = (
        (Rating.State.INCLUDED, "Đã xác minh với người dân qua điện thoại: đánh giá thật."),
        (Rating.State.EXCLUDED, "Cùng một thiết bị gửi liên tiếp nhiều đánh giá: loại."),
        (Rating.State.INCLUDED, "Người dân đến làm thủ tục ngoài giờ theo lịch hẹn."),
    )
    for position, (state, reason) in enumerate(reviewed):
        target = fronts[(position * 5) % len(fronts)]
        rating = maker.add(
            target,
            channel=Rating.Channel.BADGE,
            member=target.staff[0],
            when=maker.moment(days_ago=40 + position * 17),
            state=state,
            reasons="burst" if state == Rating.State.EXCLUDED else "off_hours",
        )
        rating.reviewed_at = rating.created_at + dt.timedelta(days=1)
        rating.review_reason = reason

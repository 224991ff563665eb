"""The demo province and the scale data generator: one generator, sized by `Size`.

`manage.py demo` builds a province shaped like Hưng Yên after the 1 July 2025
reform (two-tier local government: departments and communes directly under the
provincial People's Committee), with a little dated history (the old Thái Bình
provincial committee and two of its districts, closed on 30 June 2025) so the
"tree as of a date" has something to show. `bench/scale.py` calls the same
generator with bigger sizes.

Names of places and people are data (`demo_data.json`); the seed's catalogue
comes from `congvu.conduct.services.load_seed_catalogue`.

Speed matters (5,000 staff in seconds, 40,000 in well under a minute), so the
bulk of the tree and all staff are written with `bulk_create`; the few
historical organisations go through `create_organisation`. The whole load is
one transaction and writes one audit event (`demo.load`), not one per row.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from congvu.accounts.models import Role, RoleGrant, User
from congvu.audit.services import record, run_verification
from congvu.cases.demo import load_demo_cases
from congvu.conduct.services import load_seed_catalogue
from congvu.core.text import fold, name_sort_key
from congvu.feedback.demo import load_demo_ratings
from congvu.inspections.demo import load_demo_inspections
from congvu.organisations import restructuring
from congvu.organisations import services as org_services
from congvu.organisations.models import (
    Organisation,
    OrganisationKind,
    OrganisationVersion,
    StaffAssignment,
    StaffMember,
)
from congvu.organisations.services import path_for
from congvu.planning.demo import load_demo_plan
from congvu.planning.models import Plan
from congvu.reporting.demo import load_demo_reports
from congvu.scoring.demo import load_demo_scores

DATA_FILE = Path(__file__).with_name("demo_data.json")
DEFAULT_SEED = 86
CENTRE_NAME = "Trung tâm Phục vụ hành chính công"


@cache
def demo_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return data


_name_sort_key = cache(name_sort_key)
_fold = cache(fold)


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@dataclass(frozen=True)
class Size:
    """How big a province to build. `organisations`, when set, fixes the total count."""

    communes: int = 100
    units: int = 200
    staff: int = 5000
    organisations: int | None = None

    @classmethod
    def scale(cls, *, organisations: int = 2000, staff: int = 40000) -> Size:
        # A tenth of the organisations are communes (each with its one-stop
        # centre); the rest after departments and divisions are public service units.
        return cls(
            communes=max(10, organisations // 10), units=0, staff=staff, organisations=organisations
        )


DEMO_SIZE = Size()


@dataclass(eq=False)
class OrgSpec:
    """An organisation planned in memory before it is written."""

    code: str
    name: str
    kind: str
    valid_from: dt.date
    parent: OrgSpec | None = None
    short_name: str = ""
    valid_to: dt.date | None = None
    profile: str = ""  # staff profile in the data; "" = no staff of its own
    key: str = ""
    place: str = ""
    level: str = ""  # "xã" / "phường" for communes
    slug: str = ""
    divisions: list[OrgSpec] = field(default_factory=list)
    children: int = 0
    obj: Organisation | None = None

    @property
    def depth(self) -> int:
        return 0 if self.parent is None else self.parent.depth + 1

    def child_code(self) -> str:
        self.children += 1
        return f"{self.code}.{self.children:02d}"

    @property
    def saved(self) -> Organisation:
        assert self.obj is not None, self.code
        return self.obj

    def fields(self, kinds: dict[str, OrganisationKind]) -> dict[str, Any]:
        """What the organisation row and its first version have in common."""
        parent = self.parent.saved if self.parent else None
        return {
            "name": self.name,
            "short_name": self.short_name,
            "kind": kinds[self.kind],
            "parent": parent,
            "valid_from": self.valid_from,
        }


Position = tuple[str, str, bool, "OrgSpec | None"]  # title, category, is leader, division


@dataclass
class Login:
    username: str
    role: str
    organisation: str
    password: str


@dataclass
class DemoResult:
    root: Organisation
    organisations: int
    staff: int
    logins: list[Login]
    seconds: float = 0.0


class _Weighted:
    """Fast repeated weighted choice from [value, weight] or [value, value…, weight] rows."""

    def __init__(self, rows: list[list[Any]]) -> None:
        self.values = [row[0] if len(row) == 2 else tuple(row[:-1]) for row in rows]
        self.cum = list(accumulate(float(row[-1]) for row in rows))

    def pick(self, rng: random.Random) -> Any:
        return rng.choices(self.values, cum_weights=self.cum, k=1)[0]


class NameMaker:
    """Realistic Vietnamese personal names: family, middle and given name, weighted."""

    def __init__(self, rng: random.Random) -> None:
        names = demo_data()["names"]
        self.rng = rng
        self.family = _Weighted(names["family"])
        self.male_middle = _Weighted(names["male_middle"])
        self.female_middle = _Weighted(names["female_middle"])
        self.male_given = _Weighted(names["male_given"])
        self.female_given = _Weighted(names["female_given"])
        self.second_middle: list[str] = names["female_second_middle"]

    def name(self, *, female: bool) -> str:
        rng = self.rng
        family = self.family.pick(rng)
        if female:
            middle = self.female_middle.pick(rng)
            if middle == "Thị" and rng.random() < 0.3:
                middle = f"Thị {rng.choice(self.second_middle)}"
            given_pool = self.female_given
        else:
            middle = self.male_middle.pick(rng)
            given_pool = self.male_given
        given = given_pool.pick(rng)
        while given in middle.split():  # "Minh Minh" is not a name
            given = given_pool.pick(rng)
        return f"{family} {middle} {given}"


def _allocate(total: int, weights: list[float], minimums: list[int]) -> list[int]:
    """Split `total` in proportion to `weights`, each part at least its minimum if possible."""
    if sum(minimums) > total:
        minimums = [0] * len(weights)
    rest = total - sum(minimums)
    whole = sum(weights) or 1.0
    shares = [rest * w / whole for w in weights]
    counts = [m + int(s) for m, s in zip(minimums, shares, strict=True)]
    leftover = total - sum(counts)
    by_fraction = sorted(range(len(shares)), key=lambda i: int(shares[i]) - shares[i])
    for i in by_fraction[:leftover]:
        counts[i] += 1
    return counts


class Generator:
    """Plans a province in memory, then writes it in bulk."""

    def __init__(self, size: Size, *, seed: int = DEFAULT_SEED) -> None:
        self.size = size
        self.rng = random.Random(seed)
        self.data = demo_data()
        self.names = NameMaker(self.rng)
        self.specs: list[OrgSpec] = []
        self.by_key: dict[str, OrgSpec] = {}
        self.communes: list[OrgSpec] = []
        self._successors: dict[OrgSpec, str] = {}
        self._female_share: dict[str, float] = self.data["names"]["female_share"]
        self._leader_female = float(self.data["names"]["leader_female_share"])
        self._emails: dict[str, int] = defaultdict(int)
        province = self.data["province"]
        self._domain = (province["email_domain"], province["school_email_domain"])

    # --- planning the tree ----------------------------------------------------

    def _add(
        self,
        code: str,
        name: str,
        kind: str,
        since: dt.date,
        parent: OrgSpec | None,
        profile: str = "",
        **extra: Any,
    ) -> OrgSpec:
        spec = OrgSpec(code, name, kind, since, parent, profile=profile, **extra)
        self.specs.append(spec)
        if spec.key:
            self.by_key[spec.key] = spec
        return spec

    def plan_tree(self) -> None:
        p = self.data["province"]
        root = self._add(
            p["code"],
            p["name"],
            "province_pc",
            _date(p["valid_from"]),
            None,
            p["profile"],
            short_name=p["short_name"],
            key="root",
            slug="ubnd",
        )
        self._plan_departments(root)
        self._plan_communes(root)
        tree = self.data["history"]["tree"]
        closes = _date(self.data["history"]["reform_date"]) - dt.timedelta(days=1)
        old = self._plan_history(tree, None, _date(tree["valid_from"]), closes)
        self.by_key["old_province"] = old
        self._plan_units()

    def _plan_departments(self, root: OrgSpec) -> None:
        for number, item in enumerate(self.data["departments"], start=1):
            code, since = f"{root.code}.{number:02d}", _date(item["valid_from"])
            dept = self._add(
                code,
                item["name"],
                item["kind"],
                since,
                root,
                item["profile"],
                key=item["key"],
                slug=item["slug"],
            )
            # 3–5 divisions; the office (listed first) always exists.
            first, *others = item["divisions"]
            wanted = min(len(others), self.rng.randint(2, 4))
            for name in [first, *sorted(self.rng.sample(others, wanted), key=others.index)]:
                division = self._add(dept.child_code(), name, "division", since, dept)
                dept.divisions.append(division)
        root.children = len(self.data["departments"])

    def _place_names(self, count: int) -> list[tuple[str, bool]]:
        """`count` (name, is_ward) pairs; history successors first, then a seeded mix."""
        wards = [(name, True) for name in self.data["wards"]]
        communes = [(name, False) for name in self.data["communes"]]
        text = json.dumps(self.data["history"], ensure_ascii=False)
        required = {name for name, _ in communes if f'"commune:{name}"' in text}
        first = [pair for pair in communes if pair[0] in required]
        rest = [pair for pair in wards + communes if pair[0] not in required]
        self.rng.shuffle(rest)
        pool = first + rest
        if count > len(pool):
            parts = self.data["extra_place_parts"]
            taken = {name for name, _ in pool}
            extra = [
                (f"{a} {b}", False)
                for a in parts["first"]
                for b in parts["second"]
                if a != b and f"{a} {b}" not in taken
            ]
            self.rng.shuffle(extra)
            pool += extra
        return pool[:count]

    def _plan_communes(self, root: OrgSpec) -> None:
        reform = _date(self.data["history"]["reform_date"])
        for number, (place, is_ward) in enumerate(self._place_names(self.size.communes), 1):
            level = "phường" if is_ward else "xã"
            commune = self._add(
                f"{root.code}.{100 + number}",
                f"Ủy ban nhân dân {level} {place}",
                "commune_pc",
                reform,
                root,
                "commune",
                key=f"commune:{place}",
                short_name=f"UBND {level} {place}",
                place=place,
                level=level,
                slug=fold(place).replace(" ", ""),
            )
            centre_name = f"{CENTRE_NAME} {level} {place}"
            commune.divisions.append(
                self._add(commune.child_code(), centre_name, "division", reform, commune)
            )
            self.communes.append(commune)
        self.by_key["first_commune"] = self.communes[0] if self.communes else root

    def _plan_history(
        self, item: dict[str, Any], parent: OrgSpec | None, since: dt.date, until: dt.date
    ) -> OrgSpec:
        """Organisations closed by the reform; children share their parent's dates."""
        short_name = item.get("short_name", "")
        spec = self._add(
            item["code"],
            item["name"],
            item["kind"],
            since,
            parent,
            "",
            short_name=short_name,
            valid_to=until,
        )
        self._successors[spec] = item.get("successor", "")
        for child in item.get("children", []):
            self._plan_history(child, spec, since, until)
        return spec

    def _plan_units(self) -> None:
        if self.size.organisations is None:
            budget = self.size.units
        else:
            budget = max(0, self.size.organisations - len(self.specs))
        places = [c.place for c in self.communes]
        candidates: list[tuple[str, str, str]] = []  # (parent key, profile, name)
        for group in self.data["department_units"]:
            if "names" in group:
                names = list(group["names"])
            else:
                chosen = self.rng.sample(places, min(group["max"], len(places)))
                names = [group["place_template"].format(place=p) for p in chosen]
            candidates += [(group["parent"], group["profile"], name) for name in names]
        self.rng.shuffle(candidates)
        # Roughly a third of the units belong to departments, the rest to communes.
        in_departments = min(len(candidates), round(budget * 0.3))
        for parent_key, profile, name in candidates[:in_departments]:
            self._add_unit(self.by_key[parent_key], profile, name)
        communes = list(self.communes)
        self.rng.shuffle(communes)
        kinds = self.data["commune_units"]
        for index in range(budget - in_departments):
            commune = communes[index % len(communes)]
            round_ = index // len(communes)
            unit = kinds[round_ % len(kinds)]
            name = unit["template"].format(level=commune.level, place=commune.place)
            if round_ >= len(kinds):
                name += f" số {round_ // len(kinds) + 1}"
            self._add_unit(commune, unit["profile"], name)

    def _add_unit(self, parent: OrgSpec, profile: str, name: str) -> None:
        code = parent.child_code()
        slug = f"{parent.slug}{parent.children}"
        self._add(code, name, "public_service_unit", parent.valid_from, parent, profile, slug=slug)

    # --- writing the tree -----------------------------------------------------

    def save_tree(self) -> None:
        kinds = {k.code: k for k in OrganisationKind.objects.all()}
        missing = {s.kind for s in self.specs} - kinds.keys()
        if missing:
            raise RuntimeError(f"Organisation kinds missing: {sorted(missing)} (run migrate).")
        # The roots and the history go through the service (a handful of rows);
        # the bulk of the tree is written level by level: insert, then set the
        # path, which needs the new primary key (see services.path_for).
        for spec in self.specs:
            if spec.parent is None or spec.valid_to is not None:
                spec.obj = org_services.create_organisation(
                    actor=None, code=spec.code, audit=False, **spec.fields(kinds)
                )
        bulk = [spec for spec in self.specs if spec.obj is None]
        for depth in sorted({spec.depth for spec in bulk}):
            objs = []
            for spec in (s for s in bulk if s.depth == depth):
                spec.obj = Organisation(code=spec.code, depth=depth, **spec.fields(kinds))
                spec.obj.refresh_search_text()
                objs.append(spec.obj)
            Organisation.objects.bulk_create(objs, batch_size=500)
            for org in objs:
                org.path = path_for(org.pk, org.parent)
            Organisation.objects.bulk_update(objs, ["path"], batch_size=500)
        versions = [OrganisationVersion(organisation=s.saved, **s.fields(kinds)) for s in bulk]
        for version in versions:
            version.refresh_derived()
        OrganisationVersion.objects.bulk_create(versions, batch_size=500)
        self._close_history()

    def _close_history(self) -> None:
        """Close the pre-reform organisations through the merge and dissolve services.

        Deepest first, so a district has no open communes left when it is
        dissolved and the old province has no open children when it merges.
        """
        effective = _date(self.data["history"]["reform_date"])
        closing = [s for s in self.specs if s.valid_to is not None]
        for depth in sorted({s.depth for s in closing}, reverse=True):
            groups: dict[str, list[OrgSpec]] = defaultdict(list)
            for spec in (s for s in closing if s.depth == depth):
                groups[self._successors.get(spec, "")].append(spec)
            for key, specs in groups.items():
                orgs = [Organisation.objects.get(pk=s.saved.pk) for s in specs]
                target = self.by_key.get(key)
                if target is not None:
                    restructuring.merge_organisations(
                        orgs, actor=None, effective=effective, into=target.saved
                    )
                    continue
                for org in orgs:
                    restructuring.dissolve_organisation(org, actor=None, effective=effective)
        for spec in closing:
            spec.obj = Organisation.objects.get(pk=spec.saved.pk)

    # --- staff ----------------------------------------------------------------

    def plan_and_save_staff(self) -> dict[OrgSpec, list[StaffMember]]:
        employers = [s for s in self.specs if s.profile and s.valid_to is None]
        profiles = self.data["profiles"]
        weights = [profiles[s.profile]["weight"] * self.rng.uniform(0.6, 1.4) for s in employers]
        minimums = [profiles[s.profile]["min"] for s in employers]
        counts = _allocate(self.size.staff, weights, minimums)
        today = timezone.localdate()
        staff: list[StaffMember] = []
        by_employer: dict[OrgSpec, list[StaffMember]] = defaultdict(list)
        for spec, count in zip(employers, counts, strict=True):
            for position in self._positions(spec, count):
                member = self._staff(spec, position, len(staff) + 1)
                staff.append(member)
                by_employer[spec].append(member)
        StaffMember.objects.bulk_create(staff, batch_size=1000)
        StaffAssignment.objects.bulk_create(
            [
                StaffAssignment(
                    staff=member,
                    organisation=member.organisation,
                    division=member.division,
                    position_title=member.position_title,
                    is_leader=member.is_leader,
                    valid_from=self._since(member.organisation.valid_from, today),
                )
                for member in staff
            ],
            batch_size=1000,
        )
        return by_employer

    def _since(self, start: dt.date, today: dt.date) -> dt.date:
        earliest = max(start, dt.date(2000, 1, 1))
        span = (min(today, dt.date(2025, 6, 30)) - earliest).days
        return earliest if span <= 0 else earliest + dt.timedelta(self.rng.randint(0, span))

    def _positions(self, spec: OrgSpec, count: int) -> list[Position]:
        profile = self.data["profiles"][spec.profile]
        leaders: list[Position] = []
        for title, category, times in profile["leaders"]:
            leaders += [(title.format(level=spec.level), category, True, None)] * int(times)
        category = profile["leaders"][0][1]
        centre = spec.divisions[0] if spec.profile == "commune" and spec.divisions else None
        if centre is not None:
            extra = self.data["profiles"]["commune_centre"]
            title, cat, _ = extra["leaders"][0]
            leaders.append((title, cat, True, centre))
        else:
            heads = [self._division_titles(d) for d in spec.divisions]
            pairs = list(zip(heads, spec.divisions, strict=True))
            leaders += [(head, category, True, d) for (head, _), d in pairs]
            leaders += [(deputy, category, True, d) for (_, deputy), d in pairs]
        # A small office still has more staff than managers.
        positions = leaders[: min(count, max(1, (count + 1) // 2))]
        titles = _Weighted(profile["titles"])
        for _ in range(count - len(positions)):
            title, category = titles.pick(self.rng)
            division: OrgSpec | None = None
            if centre is not None:
                share = self.data["profiles"]["commune_centre"]["share"]
                if self.rng.random() < share:
                    title = self.data["profiles"]["commune_centre"]["titles"][0][0]
                    division = centre
            elif spec.divisions and self.rng.random() < 0.92:
                division = self.rng.choice(spec.divisions)
            positions.append((title, category, False, division))
        return positions

    def _division_titles(self, division: OrgSpec) -> tuple[str, str]:
        heads: dict[str, list[str]] = self.data["division_heads"]
        for prefix in sorted(heads, key=len, reverse=True):
            if division.name.startswith(prefix):
                rest = division.name[len(prefix) :].strip()
                head, deputy = heads[prefix]
                return f"{head} {rest}".strip(), f"{deputy} {rest}".strip()
        return f"Trưởng {division.name}", f"Phó Trưởng {division.name}"

    def _staff(self, spec: OrgSpec, position: Position, number: int) -> StaffMember:
        title, category, is_leader, division = position
        share = self._leader_female if is_leader else self._female_share[category]
        full_name = self.names.name(female=self.rng.random() < share)
        member = StaffMember(
            full_name=full_name,
            staff_code=f"{self.data['province']['code']}-{number:06d}",
            category=category,
            position_title=title,
            is_leader=is_leader,
            organisation=spec.saved,
            division=division.saved if division else None,
            email="" if category == "worker" else self._email(full_name, spec),
            phone="09" + "".join(self.rng.choices("0123456789", k=8)),
        )
        # Same keys as StaffMember.refresh_name_keys(), with the name part cached:
        # names repeat a lot among 40,000 staff and the collation key is the slow part.
        member.sort_name = _name_sort_key(full_name)
        member.search_name = f"{_fold(full_name)} {fold(member.staff_code)}"
        return member

    def _email(self, full_name: str, spec: OrgSpec) -> str:
        """Like real provincial addresses: given name + initials, then the agency ("hantt.stp")."""
        words = fold(full_name).split(" ")
        local = f"{words[-1]}{''.join(w[0] for w in words[:-1])}.{spec.slug}"
        self._emails[local] += 1
        number = self._emails[local]
        return f"{local}{number if number > 1 else ''}@{self._domain[spec.profile == 'school']}"


# --- users, catalogue, plan -------------------------------------------------------


def _create_users(gen: Generator, by_employer: dict[OrgSpec, list[StaffMember]]) -> list[Login]:
    """One user per role, each with a fresh random password, most linked to a staff member.

    Grants are written directly, not through `grant_role`: the demo load records
    one audit event for everything it creates.
    """
    logins: list[Login] = []
    used: set[int] = set()
    for item in gen.data["users"]:
        spec = gen.by_key[item["organisation"]]
        role = Role(item["role"])
        employer = gen.by_key.get(item.get("staff_of", ""))
        members = by_employer[employer] if employer else []
        candidates = [m for m in members if m.pk not in used]
        wants_leader = bool(item.get("leader", False))
        staff = min(candidates, key=lambda m: m.is_leader != wants_leader, default=None)
        password = secrets.token_urlsafe(9)
        user = User.objects.create_user(
            username=item["username"],
            password=password,
            email=staff.email if staff else "",
            full_name=staff.full_name if staff else item.get("full_name", item["username"]),
            is_superuser=role == Role.ADMIN,
            is_staff=role == Role.ADMIN,
        )
        if role != Role.ADMIN:
            RoleGrant.objects.create(
                user=user,
                role=role,
                organisation=spec.saved,
                include_subtree=not item.get("self_only", False),
            )
        if staff is not None:
            used.add(staff.pk)
            staff.user = user
            staff.save(update_fields=["user"])
        logins.append(Login(user.username, str(role.label), spec.name, password))
    return logins


def _create_plan(gen: Generator) -> Plan:
    """Plan 86/KH-UBND, issued by the Thái Bình committee that the reform closed."""
    item, issuer = gen.data["plan"], gen.by_key["old_province"].saved
    fields = {key: item[key] for key in ("number", "title", "basis")}
    return Plan.objects.create(
        issuing_organisation=issuer, issued_on=_date(item["issued_on"]), **fields
    )


@transaction.atomic
def build(
    size: Size = DEMO_SIZE,
    *,
    seed: int = DEFAULT_SEED,
    users: bool = True,
    catalogue: bool = True,
    plan: bool = True,
    activity: bool = True,
) -> DemoResult:
    """Build the demo province (or a scale data set) in one transaction.

    `activity` adds a few months of citizens' ratings and some misconduct cases
    so that the dashboards have something to show (the scale generator makes its
    own, much larger, sets).
    """
    started = timezone.now()
    gen = Generator(size, seed=seed)
    gen.plan_tree()
    gen.save_tree()
    by_employer = gen.plan_and_save_staff()
    root = gen.by_key["root"].saved
    logins = _create_users(gen, by_employer) if users else []
    if catalogue:
        load_seed_catalogue(scope=root, actor=None, activate=True)
    plan_obj = _create_plan(gen) if plan else None
    _assignments = load_demo_plan(plan_obj, root) if plan_obj else 0
    if activity and catalogue:
        load_demo_ratings(root, seed=seed)
        load_demo_cases(root, seed=seed)
        load_demo_inspections(root)
        load_demo_reports(root, plan_obj)
        load_demo_scores(root)
    staff_count = sum(len(v) for v in by_employer.values())
    record(
        "demo.load",
        actor=None,
        obj=root,
        organisation=root,
        summary=f"Dữ liệu demo: {len(gen.specs)} cơ quan, {staff_count} cán bộ",
        data={
            "seed": seed,
            "organisations": len(gen.specs),
            "staff": staff_count,
            "users": [login.username for login in logins],
            "catalogue": catalogue,
            "plan": plan_obj.number if plan_obj else None,
        },
    )
    # The audit log's page (/audit/) opens on a verified chain, as after a day's jobs.
    run_verification()
    return DemoResult(
        root=root,
        organisations=len(gen.specs),
        staff=staff_count,
        logins=logins,
        seconds=(timezone.now() - started).total_seconds(),
    )

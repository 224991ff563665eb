"""THE permission module: the one place that decides who may do what, where.

A user holds roles on organisations through `RoleGrant` rows (usually with the
organisation's whole subtree). A role maps to a set of permissions. Every
question the rest of the code asks goes through here:

* `visible_organisations(user)` / `visible_staff(user)` — the rows a user may
  see at all; every list and API query starts from them (via the models'
  `visible_to(user)`).
* `can(user, perm, organisation)` — may the user do `perm` there?
* `require(user, perm, organisation)` — the same, raising `Http404` when the
  organisation is invisible to the user and `PermissionDenied` (403) when it is
  visible but the permission is missing.
* `organisations_for(user, perm)` — where may the user do `perm`?
* `grantable_roles(user, organisation)` — which roles may the user grant or
  revoke there? (No one can hand out more than they hold.)

Grants are read once per request and cached on the user object.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, TypeVar, cast

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404

from .models import Role, RoleGrant, User

if TYPE_CHECKING:
    from congvu.organisations.models import (
        Organisation,
        OrganisationQuerySet,
        StaffMember,
        StaffQuerySet,
    )


class Perm(str, enum.Enum):  # enum.StrEnum needs Python 3.11; we support 3.10
    def __str__(self) -> str:
        return str(self.value)

    ORG_VIEW = "org.view"
    ORG_MANAGE = "org.manage"
    STAFF_VIEW = "staff.view"
    STAFF_VIEW_CONTACT = "staff.view_contact"
    STAFF_MANAGE = "staff.manage"
    IMPORT_RUN = "import.run"
    BADGE_PRINT = "badge.print"
    CATALOGUE_MANAGE = "catalogue.manage"
    GRANT_MANAGE = "grant.manage"
    AUDIT_VIEW = "audit.view"
    PLAN_VIEW = "plan.view"
    PLAN_MANAGE = "plan.manage"
    PROGRESS_UPDATE = "progress.update"
    PROGRESS_CONFIRM = "progress.confirm"
    REPORT_SUBMIT = "report.submit"
    RATING_VIEW = "rating.view"
    RATING_REVIEW = "rating.review"
    DOSSIER_REGISTER = "dossier.register"
    COUNTER_MANAGE = "counter.manage"
    CASE_VIEW = "case.view"
    CASE_HANDLE = "case.handle"
    # The reporter's name and contact: only for those handling the case (Decree 13/2023).
    CASE_IDENTITY = "case.identity"
    # Naming the officer who handles a case (the head of the handling organisation).
    CASE_ASSIGN = "case.assign"
    DISCIPLINE_DECIDE = "discipline.decide"
    # Routing rules, clocks and discipline forms are provincial data (Home Affairs).
    CASE_RULES_MANAGE = "case.rules_manage"
    INSPECTION_RUN = "inspection.run"
    # The inspected organisation answers the corrective actions of a concluded inspection.
    INSPECTION_RESPOND = "inspection.respond"
    # Approving the yearly inspection programme and its amendments: the leadership of Home
    # Affairs (ADMIN and HOME_AFFAIRS hold every permission); inspectors draft, not approve.
    INSPECTION_PROGRAMME_APPROVE = "inspection.programme_approve"
    ACKNOWLEDGE_RECORD = "acknowledge.record"
    # Scorecards, their computation and the published rankings (Home Affairs).
    SCORE_MANAGE = "score.manage"


P = Perm
_READ: Final = frozenset({P.ORG_VIEW, P.STAFF_VIEW, P.PLAN_VIEW, P.RATING_VIEW})

ROLE_PERMS: Final[Mapping[Role, frozenset[Perm]]] = {
    Role.ADMIN: frozenset(Perm),
    # Province-wide account management is the Department of Home Affairs' job; the
    # set equals ADMIN's, so `grantable_roles` keeps ADMIN for superusers alone.
    Role.HOME_AFFAIRS: frozenset(Perm),
    Role.HEAD: _READ
    | {
        P.GRANT_MANAGE,
        P.STAFF_VIEW_CONTACT,
        P.STAFF_MANAGE,
        P.IMPORT_RUN,
        P.BADGE_PRINT,
        P.PROGRESS_UPDATE,
        P.PROGRESS_CONFIRM,
        P.REPORT_SUBMIT,
        P.CASE_VIEW,
        P.CASE_HANDLE,
        P.CASE_IDENTITY,
        P.CASE_ASSIGN,
        P.DISCIPLINE_DECIDE,
        P.ACKNOWLEDGE_RECORD,
        P.CATALOGUE_MANAGE,
        P.RATING_REVIEW,
        P.DOSSIER_REGISTER,
        P.COUNTER_MANAGE,
        P.INSPECTION_RESPOND,
    },
    Role.FOCAL_POINT: _READ
    | {
        P.STAFF_VIEW_CONTACT,
        P.STAFF_MANAGE,
        P.IMPORT_RUN,
        P.BADGE_PRINT,
        P.PROGRESS_UPDATE,
        P.REPORT_SUBMIT,
        P.ACKNOWLEDGE_RECORD,
        P.CASE_VIEW,
        P.CASE_HANDLE,
        P.CASE_IDENTITY,
        P.DOSSIER_REGISTER,
        P.COUNTER_MANAGE,
        P.INSPECTION_RESPOND,
    },
    Role.CASE_HANDLER: _READ | {P.STAFF_VIEW_CONTACT, P.CASE_VIEW, P.CASE_HANDLE, P.CASE_IDENTITY},
    Role.INSPECTOR: _READ | {P.INSPECTION_RUN, P.CASE_VIEW},
    Role.VIEWER: _READ,
    # A staff member sees their own organisation's card and their own record only.
    Role.STAFF: frozenset({P.ORG_VIEW}),
}


@dataclass(frozen=True)
class Grant:
    role: Role
    organisation_id: int
    path: str
    include_subtree: bool
    #: Paths of closed organisations whose successor lies in the subtree (with theirs):
    #: their history is the subtree's history (`_inherited_paths`).
    inherited: tuple[str, ...] = ()

    def covers(self, organisation: Organisation) -> bool:
        if organisation.pk == self.organisation_id:
            return True
        if not self.include_subtree:
            return False
        return organisation.path.startswith((self.path, *self.inherited))

    def q(self, prefix: str = "") -> Q:
        if self.include_subtree:
            q = Q(**{f"{prefix}path__startswith": self.path})
            for path in self.inherited:
                q |= Q(**{f"{prefix}path__startswith": path})
            return q
        return Q(**{f"{prefix}pk": self.organisation_id})


def _inherited_paths(paths: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """For each subtree path, the paths of the closed organisations outside it whose
    successor (through any chain of successors) lies inside it.

    A merge moves the open sub-units under the successor but leaves the closed ones
    where they were (a former province's abolished districts under the former
    province): whoever oversees the successor's subtree reads their history too — the
    Department of Home Affairs of Hưng Yên opens the former Thái Bình. The closed
    organisations with a successor are few (one reform's worth), read in one query."""
    from congvu.organisations.models import Organisation

    wanted = set(paths)
    if not wanted:
        return {}
    closed = list(
        Organisation.objects.filter(valid_to__isnull=False, successor__isnull=False).values_list(
            "path", "successor__path"
        )
    )
    found: dict[str, tuple[str, ...]] = {}
    for root in wanted:
        covered = [root]
        changed = True
        while changed:
            changed = False
            for path, successor_path in closed:
                if path.startswith(tuple(covered)):
                    continue
                if successor_path.startswith(tuple(covered)):
                    covered.append(path)
                    changed = True
        found[root] = tuple(covered[1:])
    return found


_CACHE_ATTR = "_congvu_grants"


def _is_superuser(user: Any) -> bool:
    return bool(getattr(user, "is_active", False) and getattr(user, "is_superuser", False))


is_superuser = _is_superuser


def grants_of(user: Any) -> tuple[Grant, ...]:
    """The user's grants, read once and cached on the user object."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ()
    cached: tuple[Grant, ...] | None = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        rows = list(
            RoleGrant.objects.filter(user=user).values_list(
                "role", "organisation_id", "organisation__path", "include_subtree"
            )
        )
        inherited = _inherited_paths(p for _r, _o, p, s in rows if s)
        cached = tuple(
            Grant(Role(r), o, p, s, inherited.get(p, ()) if s else ()) for r, o, p, s in rows
        )
        setattr(user, _CACHE_ATTR, cached)
    return cached


def prime_grants(users: Iterable[Any]) -> None:
    """Read the grants of many users at once and cache them on each, as `grants_of`
    would one by one: two queries in all instead of up to two per user (a list of cases
    asks whether each assignee still may handle them)."""
    waiting = {
        user.pk: user
        for user in users
        if user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and getattr(user, _CACHE_ATTR, None) is None
    }
    if not waiting:
        return
    rows = list(
        RoleGrant.objects.filter(user_id__in=list(waiting)).values_list(
            "user_id", "role", "organisation_id", "organisation__path", "include_subtree"
        )
    )
    inherited = _inherited_paths(p for _u, _r, _o, p, s in rows if s)
    found: dict[int, list[Grant]] = {pk: [] for pk in waiting}
    for user_id, r, o, p, s in rows:
        found[user_id].append(Grant(Role(r), o, p, s, inherited.get(p, ()) if s else ()))
    for pk, user in waiting.items():
        setattr(user, _CACHE_ATTR, tuple(found[pk]))


def forget(user: Any) -> None:
    """Drop the cached grants (after granting or revoking in the same request)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def roles_of(user: Any) -> set[Role]:
    roles = {grant.role for grant in grants_of(user)}
    if _is_superuser(user):
        roles.add(Role.ADMIN)
    return roles


def perms_on(user: Any, organisation: Organisation) -> frozenset[Perm]:
    if _is_superuser(user):
        return frozenset(Perm)
    perms: set[Perm] = set()
    for grant in grants_of(user):
        if grant.covers(organisation):
            perms |= ROLE_PERMS[grant.role]
    return frozenset(perms)


def can(user: Any, perm: Perm, organisation: Organisation) -> bool:
    return perm in perms_on(user, organisation)


def can_anywhere(user: Any, perm: Perm) -> bool:
    """Does the user hold `perm` on at least one organisation? (Menus, list pages.)"""
    if _is_superuser(user):
        return True
    return any(perm in ROLE_PERMS[grant.role] for grant in grants_of(user))


def holds_province_wide(user: Any, perm: Perm) -> bool:
    """Does the user hold `perm` on a whole tree (a root organisation with its subtree)?

    Records that belong to no organisation (account events in the audit log, say) are
    for them alone.
    """
    if _is_superuser(user):
        return True
    from congvu.organisations.models import PATH_SEGMENT

    return any(
        perm in ROLE_PERMS[grant.role] and grant.include_subtree and len(grant.path) == PATH_SEGMENT
        for grant in grants_of(user)
    )


def holds_as_own(user: Any, perm: Perm, organisation: Organisation) -> bool:
    """Does `user` hold `perm` on `organisation` as one of its own, not only as an overseer?

    Through a grant on the organisation itself (whatever the role), or through a role that
    is a duty there (head, focal point, case handler… of it or above it with the subtree).
    A role holding every permission (the administrator, the Department of Home Affairs)
    granted higher up is oversight: it may step in, but the organisation's own work is not
    theirs (`holders(..., duty=True)`, `core.worklist.duty_q` read it the same way). A
    superuser holds everything everywhere, as an overseer."""
    everything = frozenset(Perm)
    for grant in grants_of(user):
        perms = ROLE_PERMS[grant.role]
        if perm not in perms or not grant.covers(organisation):
            continue
        if perms != everything or grant.organisation_id == organisation.pk:
            return True
    return False


def require(user: Any, perm: Perm, organisation: Organisation) -> None:
    """404 when the organisation is invisible to `user`, 403 when visible but `perm` is missing."""
    perms = perms_on(user, organisation)
    if Perm.ORG_VIEW not in perms:
        raise Http404
    if perm not in perms:
        raise PermissionDenied


def holders(perm: Perm, organisation: Organisation, *, duty: bool = False) -> models.QuerySet[User]:
    """Active users holding `perm` on `organisation` through a grant there or on an
    organisation above it with its subtree (the users `can` says yes for, superusers
    aside: a superuser is an administrator's account, not someone to give work to).

    With `duty`, without the roles that hold every permission (the administrator, the
    Department of Home Affairs): they hold them to oversee the province, so the people
    told of an organisation's own work are its own (as `core.worklist.duty_q` lists it)."""
    above = organisation.ancestor_ids()
    granted = RoleGrant.objects.filter(role__in=_roles_holding(perm, duty=duty)).filter(
        Q(organisation=organisation) | Q(organisation_id__in=above, include_subtree=True)
    )
    return User.objects.filter(is_active=True, pk__in=granted.values("user_id"))


def held_where(
    perm: Perm, organisation: str, *, duty: bool = False, user: str = "", besides: str = ""
) -> Q:
    """`holders` as an SQL expression over the rows of an outer query: does an active user
    (the one at `user`, if given) hold `perm` on the organisation at `organisation` (an
    `OuterRef` path to an organisation, e.g. "handling_organisation")? One subquery for
    every row at once, where `holders` is a query per organisation.

    `besides`: an `OuterRef` path to a staff member (e.g. "subject_staff") whose own
    account does not count — a case's subject never sees their case (`handler_cases`)."""
    from django.db.models import Exists, F, IntegerField, OuterRef, Value
    from django.db.models.functions import Coalesce
    from django.db.models.lookups import StartsWith

    grants = RoleGrant.objects.filter(
        role__in=_roles_holding(perm, duty=duty), user__is_active=True
    )
    if user:
        grants = grants.filter(user_id=OuterRef(f"{user}_id"))
    if besides:
        # Coalesce: with no staff member there (NULL), `<>` would leave out every grant.
        # A user without a staff record is kept by the negated lookup's own IS NULL test.
        grants = grants.exclude(
            user__staff_member=Coalesce(
                OuterRef(f"{besides}_id"), Value(0), output_field=IntegerField()
            )
        )
    # Two subqueries, not one with an OR: the first is an index lookup and settles most
    # rows; the second reads only the grants with the subtree.
    here = grants.filter(organisation_id=OuterRef(f"{organisation}_id"))
    above = grants.filter(
        StartsWith(OuterRef(f"{organisation}__path"), F("organisation__path")),
        include_subtree=True,
    )
    return Exists(here) | Exists(above)


def _roles_holding(perm: Perm, *, duty: bool) -> list[Role]:
    everything = frozenset(Perm)
    return [
        role
        for role, perms in ROLE_PERMS.items()
        if perm in perms and not (duty and perms == everything)
    ]


_CHUNK: Final = 5000  # well under SQLite's limit on an IN list's values


def holders_by_organisation(
    perm: Perm, organisation_ids: Iterable[int], *, duty: bool = False
) -> dict[int, set[int]]:
    """`holders` of each of `organisation_ids`, as ids of users: organisation id → user ids
    (an empty set where nobody holds `perm`).

    Two queries per 5,000 organisations instead of one per organisation: a task given to
    every organisation of a province asks this for 2,000 of them at once."""
    from congvu.organisations.models import PATH_SEGMENT, Organisation

    wanted = list(dict.fromkeys(organisation_ids))
    chains: dict[int, list[int]] = {}
    for start in range(0, len(wanted), _CHUNK):
        paths = Organisation.objects.filter(pk__in=wanted[start : start + _CHUNK])
        for pk, path in paths.values_list("pk", "path"):
            chains[pk] = [
                int(path[i : i + PATH_SEGMENT]) for i in range(0, len(path), PATH_SEGMENT)
            ]
    granted_here: dict[int, set[int]] = {}
    granted_below: dict[int, set[int]] = {}
    places = sorted({pk for chain in chains.values() for pk in chain})
    grants = RoleGrant.objects.filter(
        role__in=_roles_holding(perm, duty=duty), user__is_active=True
    )
    for start in range(0, len(places), _CHUNK):
        held = grants.filter(organisation_id__in=places[start : start + _CHUNK])
        for user_id, organisation_id, subtree in held.values_list(
            "user_id", "organisation_id", "include_subtree"
        ):
            granted_here.setdefault(organisation_id, set()).add(user_id)
            if subtree:
                granted_below.setdefault(organisation_id, set()).add(user_id)
    found: dict[int, set[int]] = {}
    for pk in wanted:
        users = set(granted_here.get(pk, ()))
        for above in chains.get(pk, [])[:-1]:
            users |= granted_below.get(above, set())
        found[pk] = users
    return found


def require_anywhere(user: Any, perm: Perm) -> None:
    if not can_anywhere(user, perm):
        raise PermissionDenied


def _scope_q(user: Any, perm: Perm, prefix: str = "") -> Q | None:
    """A Q over organisations where `user` holds `perm`; None means everywhere."""
    if _is_superuser(user):
        return None
    q = Q(pk__in=[])
    for grant in grants_of(user):
        if perm in ROLE_PERMS[grant.role]:
            q |= grant.q(prefix)
    return q


def organisations_for(
    user: Any, perm: Perm, qs: OrganisationQuerySet | None = None
) -> OrganisationQuerySet:
    from congvu.organisations.models import Organisation

    base = qs if qs is not None else Organisation.objects.all()
    q = _scope_q(user, perm)
    return base if q is None else base.filter(q)


def visible_organisations(
    user: Any, qs: OrganisationQuerySet | None = None
) -> OrganisationQuerySet:
    return organisations_for(user, Perm.ORG_VIEW, qs)


def visible_staff(user: Any, qs: StaffQuerySet | None = None) -> StaffQuerySet:
    """Staff in organisations where the user may view staff, plus the user's own record."""
    from congvu.organisations.models import StaffMember

    base = qs if qs is not None else StaffMember.objects.all()
    q = _scope_q(user, Perm.STAFF_VIEW, prefix="organisation__")
    if q is None:
        return base
    if getattr(user, "is_authenticated", False):
        q |= Q(user=user)
    return base.filter(q)


def staff_perms(user: Any, staff: StaffMember) -> frozenset[Perm]:
    """Permissions on one staff member: their organisation's, or self-view for their own record."""
    perms = set(perms_on(user, staff.organisation))
    if staff.user_id is not None and staff.user_id == getattr(user, "pk", None):
        perms |= {Perm.STAFF_VIEW, Perm.STAFF_VIEW_CONTACT}
    return frozenset(perms)


def require_staff(user: Any, perm: Perm, staff: StaffMember) -> None:
    perms = staff_perms(user, staff)
    if Perm.STAFF_VIEW not in perms:
        raise Http404
    if perm not in perms:
        raise PermissionDenied


M = TypeVar("M", bound=models.Model)


def get_for(
    user: Any,
    perm: Perm,
    qs: models.QuerySet[M],
    *,
    organisation_of: str = "organisation",
    **lookup: Any,
) -> M:
    """Fetch one object from `qs` and check `perm` on its organisation, in one call.

    404 if it does not exist or its organisation is invisible; 403 if visible but
    `perm` is missing. `organisation_of` names the attribute holding the
    organisation ("" when the object is an organisation).
    """
    try:
        obj = qs.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    organisation = getattr(obj, organisation_of) if organisation_of else obj
    require(user, perm, cast("Organisation", organisation))
    return obj


def grantable_roles(
    user: Any, organisation: Organisation, *, include_subtree: bool = True
) -> set[Role]:
    """The roles `user` may grant or revoke on `organisation` (with its subtree or not).

    Only with GRANT_MANAGE there, and only roles whose permissions the user holds
    there themselves, so nobody hands out more than they have. A grant "with the
    subtree" counts only the user's own grants that reach the whole subtree: a
    grant on one organisation alone cannot be passed on to everything below it.
    ADMIN is reserved to superusers (HOME_AFFAIRS holds every permission too).
    """
    if _is_superuser(user):
        return set(Role)
    perms: set[Perm] = set()
    for grant in grants_of(user):
        if grant.covers(organisation) and (grant.include_subtree or not include_subtree):
            perms |= ROLE_PERMS[grant.role]
    if Perm.GRANT_MANAGE not in perms:
        return set()
    return {role for role, needed in ROLE_PERMS.items() if needed <= perms} - {Role.ADMIN}


def require_grantable(
    user: Any, role: Role, organisation: Organisation, *, include_subtree: bool = True
) -> None:
    """404 when `organisation` is invisible, 403 when `role` is not `user`'s to grant there."""
    require(user, Perm.GRANT_MANAGE, organisation)
    if role not in grantable_roles(user, organisation, include_subtree=include_subtree):
        raise PermissionDenied


def visible_users(user: Any, qs: models.QuerySet[User] | None = None) -> models.QuerySet[User]:
    """Users holding a grant inside `user`'s GRANT_MANAGE scope (superusers: everyone)."""
    base = qs if qs is not None else User.objects.all()
    q = _scope_q(user, Perm.GRANT_MANAGE, prefix="grants__organisation__")
    if q is None:
        return base
    return base.filter(pk__in=User.objects.filter(q).values("pk"))


def may_manage_user(user: Any, target: Any) -> bool:
    """May `user` deactivate, reactivate or reset the password of `target`?

    Only when `user` could revoke every grant `target` holds (which covers every
    organisation `target` works in); a superuser's account is for superusers.
    """
    if _is_superuser(user):
        return True
    if getattr(target, "is_superuser", False) or target.pk == getattr(user, "pk", None):
        return False
    grants = RoleGrant.objects.filter(user=target).select_related("organisation")
    return grants.exists() and all(
        grant.role
        in grantable_roles(user, grant.organisation, include_subtree=grant.include_subtree)
        for grant in grants
    )


def any_role(user: Any, roles: Iterable[Role]) -> bool:
    wanted = set(roles)
    return bool(roles_of(user) & wanted)

"""`holders_by_organisation` answers, for many organisations at once, what `holders`
answers for one: the active users holding a permission there (or as a duty)."""

from __future__ import annotations

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.accounts.models import Role, RoleGrant, User
from congvu.conftest import make_user
from congvu.organisations.models import Organisation


def test_it_agrees_with_holders_for_every_organisation_and_every_permission(
    province: dict[str, Organisation], officer: User, head: User, viewer: User, outsider: User
) -> None:
    focal = make_user("focal", Role.FOCAL_POINT, province["division_justice"])
    only_here = make_user("only.here", Role.HEAD, province["dept_home"])
    RoleGrant.objects.filter(user=only_here).update(include_subtree=False)
    gone = make_user("gone", Role.HEAD, province["commune"])
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    organisations = list(province.values())
    for perm in (Perm.PROGRESS_UPDATE, Perm.DISCIPLINE_DECIDE, Perm.PLAN_VIEW):
        for duty in (False, True):
            found = access.holders_by_organisation(perm, [o.pk for o in organisations], duty=duty)
            for organisation in organisations:
                expected = set(
                    access.holders(perm, organisation, duty=duty).values_list("pk", flat=True)
                )
                assert found[organisation.pk] == expected, (perm, duty, organisation)
    progress = access.holders_by_organisation(
        Perm.PROGRESS_UPDATE, [o.pk for o in organisations], duty=True
    )
    assert progress[province["division_justice"].pk] == {head.pk, focal.pk}
    assert progress[province["commune"].pk] == {outsider.pk}
    assert progress[province["root"].pk] == set()  # Home Affairs oversees: no duty
    assert officer.pk not in set().union(*progress.values())
    assert viewer.pk not in set().union(*progress.values())

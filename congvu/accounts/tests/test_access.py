import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.organisations.models import Organisation, StaffMember


def test_the_home_affairs_officer_sees_the_whole_province(officer, province):
    visible = set(Organisation.objects.visible_to(officer))
    assert visible == set(province.values())


def test_a_head_sees_their_organisation_and_its_subtree_only(head, province):
    visible = set(Organisation.objects.visible_to(head))
    assert visible == {province["dept_justice"], province["division_justice"]}


def test_an_outsider_cannot_see_another_organisation(outsider, province):
    with pytest.raises(Http404):
        access.require(outsider, Perm.ORG_VIEW, province["dept_justice"])


def test_a_viewer_sees_but_may_not_manage(viewer, province):
    access.require(viewer, Perm.STAFF_VIEW, province["dept_justice"])
    with pytest.raises(PermissionDenied):
        access.require(viewer, Perm.STAFF_MANAGE, province["dept_justice"])


def test_staff_lists_are_scoped(officer, head, viewer, outsider, staff_member):
    assert list(StaffMember.objects.visible_to(officer)) == [staff_member]
    assert list(StaffMember.objects.visible_to(head)) == [staff_member]
    assert list(StaffMember.objects.visible_to(outsider)) == []


def test_a_staff_member_sees_only_their_own_record(staff_user, staff_member, province):
    other = StaffMember.objects.create(
        full_name="Trần Thị Lan",
        staff_code="STP-002",
        category=StaffMember.Category.CIVIL_SERVANT,
        organisation=province["dept_justice"],
    )
    visible = list(StaffMember.objects.visible_to(staff_user))
    assert visible == [staff_member]
    assert other not in visible
    assert Perm.STAFF_VIEW_CONTACT in access.staff_perms(staff_user, staff_member)
    with pytest.raises(Http404):
        access.require_staff(staff_user, Perm.STAFF_VIEW, other)


def test_contact_details_need_their_own_permission(viewer, head, staff_member):
    assert Perm.STAFF_VIEW_CONTACT not in access.staff_perms(viewer, staff_member)
    assert Perm.STAFF_VIEW_CONTACT in access.staff_perms(head, staff_member)


def test_organisations_for_a_permission_follow_the_grants(head, officer, province):
    assert set(access.organisations_for(head, Perm.STAFF_MANAGE)) == {
        province["dept_justice"],
        province["division_justice"],
    }
    assert set(access.organisations_for(officer, Perm.GRANT_MANAGE)) == set(province.values())
    assert set(access.organisations_for(head, Perm.GRANT_MANAGE)) == {
        province["dept_justice"],
        province["division_justice"],
    }
    # Account management: nobody grants more than they hold, and ADMIN is for superusers.
    from congvu.accounts.models import Role

    assert access.grantable_roles(officer, province["commune"]) == set(Role) - {Role.ADMIN}
    # A head handles their organisation's cases, so they may also name case handlers.
    assert access.grantable_roles(head, province["division_justice"]) == {
        Role.HEAD,
        Role.FOCAL_POINT,
        Role.CASE_HANDLER,
        Role.VIEWER,
        Role.STAFF,
    }
    assert access.grantable_roles(head, province["commune"]) == set()


def test_anonymous_users_see_nothing(province, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert Organisation.objects.visible_to(anonymous).count() == 0
    assert StaffMember.objects.visible_to(anonymous).count() == 0


def test_a_grant_without_subtree_covers_only_that_organisation(staff_user, province):
    assert set(Organisation.objects.visible_to(staff_user)) == {province["dept_justice"]}


def test_every_role_has_a_permission_set():
    from congvu.accounts.models import Role

    assert set(access.ROLE_PERMS) == set(Role)


def test_grants_read_together_are_those_read_one_by_one(
    officer, head, viewer, outsider, staff_user, django_assert_max_num_queries
):
    from congvu.accounts.models import User

    ids = [u.pk for u in (officer, head, viewer, outsider, staff_user)]
    User.objects.filter(pk=viewer.pk).update(is_active=False)
    one_by_one = {u.pk: access.grants_of(u) for u in User.objects.filter(pk__in=ids)}
    together = list(User.objects.filter(pk__in=ids))
    with django_assert_max_num_queries(2):
        access.prime_grants(together)
    with django_assert_max_num_queries(0):
        assert {u.pk: access.grants_of(u) for u in together} == one_by_one
    assert one_by_one[viewer.pk] == () and one_by_one[head.pk]

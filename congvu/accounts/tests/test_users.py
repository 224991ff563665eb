"""Managing accounts and role grants from the pages and the services."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from congvu.accounts import access, services
from congvu.accounts.models import Role, RoleGrant, User
from congvu.accounts.services import create_api_token
from congvu.audit.models import AuditEvent
from congvu.conftest import client_for, make_user
from congvu.organisations.models import Organisation, StaffMember

pytestmark = pytest.mark.django_db

Province = dict[str, Organisation]


@pytest.fixture
def clerk(province: Province) -> User:
    """A focal point of Sở Tư pháp: the account the personas manage."""
    user = make_user("clerk", Role.FOCAL_POINT, province["dept_justice"])
    user.full_name = "Phạm Thị Hằng"
    user.save()
    return user


@pytest.fixture
def villager(province: Province) -> User:
    return make_user("villager", Role.VIEWER, province["commune"])


def new_user_form(organisation: Organisation, **extra: Any) -> dict[str, Any]:
    return {
        "username": "lan.tran",
        "full_name": "Trần Thị Lan",
        "email": "lan@example.vn",
        "staff_code": "",
        "role": "focal_point",
        "organisation": organisation.code,
    } | extra


# --- the rule ---------------------------------------------------------------------


def test_a_head_can_grant_focal_point_in_their_subtree_but_not_home_affairs(
    head: User, clerk: User, province: Province
) -> None:
    grant = services.grant_role(
        clerk, role=Role.FOCAL_POINT, organisation=province["division_justice"], actor=head
    )
    assert grant.organisation == province["division_justice"]
    with pytest.raises(PermissionDenied):
        services.grant_role(
            clerk, role=Role.HOME_AFFAIRS, organisation=province["dept_justice"], actor=head
        )
    assert not RoleGrant.objects.filter(user=clerk, role=Role.HOME_AFFAIRS).exists()


def test_the_officer_cannot_grant_admin_but_a_superuser_can(
    officer: User, clerk: User, province: Province
) -> None:
    with pytest.raises(PermissionDenied):
        services.grant_role(clerk, role=Role.ADMIN, organisation=province["root"], actor=officer)
    superuser = User.objects.create_superuser("root", password="pw-for-tests-123")
    services.grant_role(clerk, role=Role.ADMIN, organisation=province["root"], actor=superuser)
    assert RoleGrant.objects.filter(user=clerk, role=Role.ADMIN).exists()


def test_a_grant_on_one_organisation_alone_cannot_be_passed_on_to_its_subtree(
    clerk: User, province: Province
) -> None:
    narrow_head = make_user("narrow", Role.HEAD, province["dept_justice"])
    RoleGrant.objects.filter(user=narrow_head).update(include_subtree=False)
    organisation = province["dept_justice"]
    assert Role.VIEWER in access.grantable_roles(narrow_head, organisation, include_subtree=False)
    assert access.grantable_roles(narrow_head, organisation, include_subtree=True) == set()


def test_nobody_changes_their_own_grants(officer: User, province: Province) -> None:
    with pytest.raises(ValidationError):
        services.grant_role(officer, role=Role.VIEWER, organisation=province["root"], actor=officer)


def test_granting_the_same_role_twice_says_so(head: User, clerk: User, province: Province) -> None:
    with pytest.raises(ValidationError) as error:
        services.grant_role(
            clerk, role=Role.FOCAL_POINT, organisation=province["dept_justice"], actor=head
        )
    assert "đã có vai trò này" in str(error.value)


# --- list ---------------------------------------------------------------------------


def test_the_officer_lists_users_and_finds_them_without_accents(
    as_officer: Client, clerk: User, villager: User
) -> None:
    response = as_officer.get(reverse("accounts:user_list"))
    assert response.status_code == 200
    users = list(response.context["page"])
    assert clerk in users and villager in users
    found = list(
        as_officer.get(reverse("accounts:user_list"), {"q": "pham thi hang"}).context["page"]
    )
    assert found == [clerk]
    assert list(as_officer.get(reverse("accounts:user_list"), {"q": "CLERK"}).context["page"]) == [
        clerk
    ]


def test_the_list_shows_only_users_inside_the_actors_scope(
    as_outsider: Client, clerk: User, villager: User
) -> None:
    users = list(as_outsider.get(reverse("accounts:user_list")).context["page"])
    assert villager in users
    assert clerk not in users


def test_a_viewer_gets_403_on_every_user_page(as_viewer: Client, clerk: User) -> None:
    assert as_viewer.get(reverse("accounts:user_list")).status_code == 403
    assert as_viewer.get(reverse("accounts:user_create")).status_code == 403
    assert as_viewer.get(reverse("accounts:user_detail", args=[clerk.pk])).status_code == 403
    grant = clerk.grants.get()
    assert as_viewer.post(reverse("accounts:grant_revoke", args=[grant.pk])).status_code == 403
    assert as_viewer.post(reverse("accounts:user_deactivate", args=[clerk.pk])).status_code == 403


def test_the_users_nav_item_shows_for_account_managers_only(
    as_officer: Client, as_viewer: Client
) -> None:
    def keys(client: Client) -> list[str]:
        return [item.key for item in client.get(reverse("core:home")).context["nav_items"]]

    assert "users" in keys(as_officer)
    assert "users" not in keys(as_viewer)


# --- create -------------------------------------------------------------------------


def test_a_new_users_one_time_password_lets_them_log_in(
    as_officer: Client, province: Province
) -> None:
    response = as_officer.post(
        reverse("accounts:user_create"), new_user_form(province["dept_home"])
    )
    assert response.status_code == 200
    password = response.context["password"]
    assert password in response.content.decode()
    user = User.objects.get(username="lan.tran")
    assert user.full_name == "Trần Thị Lan"
    assert list(user.grants.values_list("role", "organisation")) == [
        ("focal_point", province["dept_home"].pk)
    ]
    client = Client()
    login = client.post(reverse("accounts:login"), {"username": "lan.tran", "password": password})
    assert login.status_code == 302
    # Signed in, with the one thing left to do: choose their own password.
    assert client.get(reverse("core:home"))["Location"].startswith(
        reverse("accounts:password_change")
    )
    assert AuditEvent.objects.filter(action="accounts.create_user").exists()


def test_the_new_user_form_keeps_the_input_and_explains_a_taken_username(
    as_officer: Client, clerk: User, province: Province
) -> None:
    response = as_officer.post(
        reverse("accounts:user_create"), new_user_form(province["dept_home"], username="CLERK")
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Tên đăng nhập này đã có người dùng" in content
    assert 'value="Trần Thị Lan"' in content
    assert 'value="H56.01"' in content
    assert not User.objects.filter(full_name="Trần Thị Lan").exists()


def test_the_new_user_form_refuses_bad_input_with_clear_messages(
    as_officer: Client, province: Province
) -> None:
    response = as_officer.post(
        reverse("accounts:user_create"),
        new_user_form(province["dept_home"], username="có dấu cách", email="not-an-email"),
    )
    content = response.content.decode()
    assert "Tên đăng nhập chỉ gồm chữ, số" in content
    assert "Địa chỉ thư điện tử không hợp lệ" in content
    response = as_officer.post(
        reverse("accounts:user_create"),
        new_user_form(province["dept_home"]) | {"organisation": "X99"},
    )
    assert "Không tìm thấy cơ quan có mã X99" in response.content.decode()
    assert User.objects.filter(username__in=["có dấu cách", "lan.tran"]).count() == 0


def test_a_head_cannot_create_a_user_outside_their_subtree_nor_with_a_role_they_lack(
    as_head: Client, province: Province
) -> None:
    outside = as_head.post(reverse("accounts:user_create"), new_user_form(province["commune"]))
    assert "Không tìm thấy cơ quan có mã H56.30" in outside.content.decode()
    lacking = as_head.post(
        reverse("accounts:user_create"),
        new_user_form(province["dept_justice"], role="inspector"),
    )
    assert "Bạn không được cấp vai trò này" in lacking.content.decode()
    assert not User.objects.filter(username="lan.tran").exists()


def test_a_new_user_is_linked_to_a_manageable_staff_member(
    as_head: Client, province: Province, staff_member: StaffMember
) -> None:
    response = as_head.post(
        reverse("accounts:user_create"),
        new_user_form(province["dept_justice"], staff_code="stp-001", role="staff"),
    )
    assert response.status_code == 200
    staff_member.refresh_from_db()
    assert staff_member.user is not None and staff_member.user.username == "lan.tran"


def test_an_outsider_cannot_link_another_organisations_staff_member(
    as_outsider: Client, province: Province, staff_member: StaffMember
) -> None:
    response = as_outsider.post(
        reverse("accounts:user_create"),
        new_user_form(province["commune"], staff_code="STP-001", role="staff"),
    )
    assert "Không tìm thấy cán bộ có mã STP-001" in response.content.decode()
    staff_member.refresh_from_db()
    assert staff_member.user is None


def test_a_staff_member_with_an_account_cannot_get_a_second_one(
    head: User, staff_user: User, staff_member: StaffMember, province: Province
) -> None:
    with pytest.raises(ValidationError) as error:
        services.create_user(
            actor=head,
            username="second",
            full_name="Nguyễn Văn Đức",
            email="",
            organisation=province["dept_justice"],
            staff_member=staff_member,
        )
    assert "staff_member" in error.value.message_dict


# --- detail, grant, revoke ----------------------------------------------------------


def test_the_officer_sees_a_users_grants_and_actions(as_officer: Client, clerk: User) -> None:
    response = as_officer.get(reverse("accounts:user_detail", args=[clerk.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Đầu mối" in content
    assert "Khóa tài khoản" in content and "Đặt lại mật khẩu" in content


def test_an_outsider_gets_404_for_a_user_in_another_organisation(
    as_outsider: Client, clerk: User
) -> None:
    assert as_outsider.get(reverse("accounts:user_detail", args=[clerk.pk])).status_code == 404
    grant = clerk.grants.get()
    assert as_outsider.post(reverse("accounts:grant_revoke", args=[grant.pk])).status_code == 404
    for name in ["user_grant", "user_deactivate", "user_reactivate", "user_reset_password"]:
        response = as_outsider.post(reverse(f"accounts:{name}", args=[clerk.pk]))
        assert response.status_code == 404, name
    assert RoleGrant.objects.filter(pk=grant.pk).exists()


def test_the_grant_form_offers_only_grantable_roles(as_head: Client, clerk: User) -> None:
    form = as_head.get(reverse("accounts:user_detail", args=[clerk.pk])).context["grant_form"]
    offered = {value for value, _label in form.fields["role"].choices if value}
    assert offered == {"head", "focal_point", "case_handler", "viewer", "staff"}


def test_a_head_grants_focal_point_in_their_subtree_from_the_page(
    as_head: Client, clerk: User, province: Province
) -> None:
    response = as_head.post(
        reverse("accounts:user_grant", args=[clerk.pk]),
        {
            "grant-role": "viewer",
            "grant-organisation": "h56.02.01",
            "grant-include_subtree": "on",
        },
    )
    assert response.status_code == 302
    assert clerk.grants.filter(role="viewer", organisation=province["division_justice"]).exists()


def test_a_refused_grant_keeps_the_input_and_explains_why(
    as_head: Client, clerk: User, province: Province
) -> None:
    response = as_head.post(
        reverse("accounts:user_grant", args=[clerk.pk]),
        {"grant-role": "home_affairs", "grant-organisation": "H56.02"},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Bạn không được cấp vai trò này" in content
    assert 'value="H56.02"' in content
    assert not clerk.grants.filter(role="home_affairs").exists()


def test_revoking_works_and_is_audited(as_head: Client, clerk: User) -> None:
    grant = clerk.grants.get()
    response = as_head.post(reverse("accounts:grant_revoke", args=[grant.pk]))
    assert response.status_code == 302
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()
    event = AuditEvent.objects.get(action="accounts.revoke_grant")
    assert event.object_id == str(grant.pk)
    assert "clerk" in event.summary


def test_revoking_a_grant_the_actor_could_not_give_is_403(
    as_head: Client, clerk: User, province: Province, officer: User
) -> None:
    handler = services.grant_role(
        clerk, role=Role.INSPECTOR, organisation=province["dept_justice"], actor=officer
    )
    response = as_head.post(reverse("accounts:grant_revoke", args=[handler.pk]))
    assert response.status_code == 403
    assert RoleGrant.objects.filter(pk=handler.pk).exists()
    page = as_head.get(reverse("accounts:user_detail", args=[clerk.pk])).content.decode()
    assert reverse("accounts:grant_revoke", args=[handler.pk]) not in page


# --- deactivate, reactivate, reset password ----------------------------------------


def test_deactivated_users_cannot_log_in(as_officer: Client, clerk: User) -> None:
    signed_in = client_for(clerk)
    response = as_officer.post(reverse("accounts:user_deactivate", args=[clerk.pk]))
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert not clerk.is_active
    login = Client().post(
        reverse("accounts:login"), {"username": "clerk", "password": "pw-for-tests-123"}
    )
    assert login.status_code == 200
    assert not signed_in.get(reverse("core:home")).context["user"].is_authenticated
    assert AuditEvent.objects.filter(action="accounts.deactivate_user").exists()

    as_officer.post(reverse("accounts:user_reactivate", args=[clerk.pk]))
    clerk.refresh_from_db()
    assert clerk.is_active


def test_a_head_cannot_deactivate_someone_holding_a_role_they_could_not_grant(
    as_head: Client, officer: User, clerk: User, province: Province
) -> None:
    services.grant_role(
        clerk, role=Role.INSPECTOR, organisation=province["dept_justice"], actor=officer
    )
    response = as_head.post(reverse("accounts:user_deactivate", args=[clerk.pk]))
    assert response.status_code == 403
    clerk.refresh_from_db()
    assert clerk.is_active


def test_nobody_deactivates_themselves(as_officer: Client, officer: User) -> None:
    response = as_officer.post(reverse("accounts:user_deactivate", args=[officer.pk]), follow=True)
    assert "Bạn không thể tự khóa tài khoản" in response.content.decode()
    officer.refresh_from_db()
    assert officer.is_active


def test_a_reset_password_replaces_the_old_one(as_head: Client, clerk: User) -> None:
    response = as_head.post(reverse("accounts:user_reset_password", args=[clerk.pk]))
    assert response.status_code == 200
    password = response.context["password"]
    clerk.refresh_from_db()
    assert clerk.check_password(password)
    assert not clerk.check_password("pw-for-tests-123")
    assert AuditEvent.objects.filter(action="accounts.reset_password").exists()


def test_user_pages_need_a_login(clerk: User) -> None:
    response = Client().get(reverse("accounts:user_list"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


# --- a given password is replaced before anything else ----------------------------------


def _sign_in(username: str, password: str) -> Client:
    client = Client()
    login = client.post(reverse("accounts:login"), {"username": username, "password": password})
    assert login.status_code == 302
    return client


def _change(client: Client, old: str, new: str, next_url: str = "") -> Any:
    return client.post(
        reverse("accounts:password_change"),
        {"old_password": old, "new_password1": new, "new_password2": new, "next": next_url},
    )


def test_a_new_user_sets_their_own_password_before_anything_else(
    as_officer: Client, province: Province
) -> None:
    created = as_officer.post(reverse("accounts:user_create"), new_user_form(province["dept_home"]))
    given = created.context["password"]
    client = _sign_in("lan.tran", given)
    wanted = reverse("accounts:user_list") + "?q=lan"
    page = client.get(wanted)
    change = reverse("accounts:password_change")
    assert page.status_code == 302
    assert page["Location"] == change + "?next=" + quote(wanted, safe="/")
    form = client.get(page["Location"]).content.decode()
    assert "Mật khẩu bạn đang dùng do quản trị viên cấp" in form
    assert 'name="next" value="/accounts/users/?q=lan"' in form.replace("&amp;", "&")
    # A form post elsewhere goes to the password page too, and nothing is changed.
    assert client.post(reverse("accounts:settings"), {"name": "x"})["Location"] == change
    # Signing out, switching the language and the page's stylesheet still work.
    assert client.post(reverse("set_language"), {"language": "en"}).status_code == 302
    assert client.get("/static/css/app.css").status_code != 302

    done = _change(client, given, "mat-khau-rieng-cua-lan-2026", wanted)
    assert done.status_code == 302 and done["Location"] == wanted
    user = User.objects.get(username="lan.tran")
    assert not user.must_change_password and user.check_password("mat-khau-rieng-cua-lan-2026")
    assert client.get(reverse("core:home")).status_code == 200
    assert AuditEvent.objects.filter(action="accounts.change_password", actor=user).exists()


def test_a_wrong_old_password_keeps_the_duty_and_says_why(clerk: User) -> None:
    clerk.must_change_password = True
    clerk.save()
    client = _sign_in(clerk.username, "pw-for-tests-123")
    response = _change(client, "not-the-password", "mat-khau-rieng-2026")
    assert response.status_code == 200
    assert "old password" in response.content.decode() or "cũ" in response.content.decode()
    clerk.refresh_from_db()
    assert clerk.must_change_password
    assert client.get(reverse("core:home")).status_code == 302


def test_an_outside_next_address_is_not_followed(clerk: User) -> None:
    clerk.must_change_password = True
    clerk.save()
    client = _sign_in(clerk.username, "pw-for-tests-123")
    done = _change(client, "pw-for-tests-123", "mat-khau-rieng-2026", "https://evil.example/")
    assert done["Location"] == reverse("accounts:settings")


def test_a_reset_password_must_be_replaced_too(as_head: Client, clerk: User) -> None:
    response = as_head.post(reverse("accounts:user_reset_password", args=[clerk.pk]))
    clerk.refresh_from_db()
    assert clerk.must_change_password
    detail = as_head.get(reverse("accounts:user_detail", args=[clerk.pk])).content.decode()
    assert "chưa đổi mật khẩu được cấp" in detail
    client = _sign_in(clerk.username, response.context["password"])
    assert client.get(reverse("core:home"))["Location"].startswith(
        reverse("accounts:password_change")
    )


def test_htmx_and_api_calls_of_such_a_session_are_stopped_but_tokens_are_not(
    clerk: User,
) -> None:
    client = _sign_in(clerk.username, "pw-for-tests-123")
    _, key = create_api_token(clerk, name="he thong mot cua")
    clerk.must_change_password = True
    clerk.save()
    fragment = client.get(reverse("accounts:user_list"), HTTP_HX_REQUEST="true")
    assert fragment.status_code == 204
    assert fragment["HX-Redirect"].startswith(reverse("accounts:password_change"))
    api = client.get("/api/v1/organisations")
    assert api.status_code == 403
    assert api.json()["code"] == "password_change_required"
    assert "mật khẩu được cấp" in api.json()["detail"]
    # A personal token is its own credential: the one-stop system keeps working.
    assert (
        Client().get("/api/v1/organisations", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    )

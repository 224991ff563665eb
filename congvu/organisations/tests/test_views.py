from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from congvu.accounts.models import Role, User
from congvu.audit.models import AuditEvent
from congvu.conduct.models import CodeVersion
from congvu.conftest import (
    START,
    client_for,
    form_key,
    kind,
    make_user,
    page_form,
    said_already_sent,
    said_changed_meanwhile,
)
from congvu.organisations.models import Organisation, OrganisationKind, StaffMember

Province = dict[str, Organisation]


def url(name: str, org: Organisation) -> str:
    return reverse(f"organisations:{name}", args=[org.pk])


def reload(org: Organisation) -> Organisation:
    return Organisation.objects.get(pk=org.pk)


# --- Tree -----------------------------------------------------------------------------


def test_the_tree_shows_the_province_to_an_officer(as_officer: Client) -> None:
    response = as_officer.get(reverse("organisations:tree"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ủy ban nhân dân tỉnh Hưng Yên" in html
    assert "Phòng Hành chính tư pháp" in html
    assert "<details" in html


def test_the_tree_shows_an_outsider_only_their_commune(as_outsider: Client) -> None:
    html = as_outsider.get(reverse("organisations:tree")).content.decode()
    assert "Ủy ban nhân dân xã An Bình" in html
    assert "Sở Tư pháp" not in html


def test_the_tree_is_refused_to_a_user_without_any_role(province: Province) -> None:
    client = Client()
    client.force_login(User.objects.create_user(username="nobody", password="x-123456789"))
    assert client.get(reverse("organisations:tree")).status_code == 403


def test_the_tree_needs_a_login(province: Province) -> None:
    response = Client().get(reverse("organisations:tree"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_tree_as_of_a_date_accepts_dd_mm_yyyy(as_officer: Client) -> None:
    html = as_officer.get(reverse("organisations:tree"), {"day": "31/12/2024"}).content.decode()
    assert "Không có cơ quan nào có hiệu lực vào ngày này." in html
    html = as_officer.get(reverse("organisations:tree"), {"day": "02/01/2025"}).content.decode()
    assert "Sở Tư pháp" in html


def test_a_malformed_date_shows_an_error_and_todays_tree(as_officer: Client) -> None:
    for bad in ("31/02/2025", "hôm qua", "01/01/0001", "9" * 40):
        response = as_officer.get(reverse("organisations:tree"), {"day": bad})
        assert response.status_code == 200
        html = response.content.decode()
        assert "Ngày không hợp lệ" in html
        assert "Sở Tư pháp" in html


def test_closed_organisations_are_marked_in_the_tree(
    as_officer: Client, province: Province, officer: User
) -> None:
    as_officer.post(url("dissolve", province["dept_home"]), {"dissolve-effective": "01/07/2025"})
    html = as_officer.get(reverse("organisations:tree"), {"day": "01/03/2025"}).content.decode()
    # 30/06/2025 is its last day (dissolved from 01/07): "until the end of", not "from".
    assert "hiệu lực đến hết ngày 30/06/2025" in html
    assert "hết hiệu lực từ" not in html


def test_the_tree_search_ignores_accents(as_officer: Client) -> None:
    html = as_officer.get(reverse("organisations:tree"), {"q": "tu phap"}).content.decode()
    assert "2 cơ quan phù hợp" in html


def test_the_tree_filters_by_kind(as_officer: Client) -> None:
    department = OrganisationKind.objects.get(code="department")
    response = as_officer.get(reverse("organisations:tree"), {"kind": department.pk, "q": "so"})
    results = response.context["results"]
    assert {o.code for o in results} == {"H56.01", "H56.02"}
    assert as_officer.get(reverse("organisations:tree"), {"kind": "abc"}).status_code == 200


def test_the_tree_of_2000_organisations_takes_a_fixed_number_of_queries(
    as_officer: Client, province: Province, django_assert_max_num_queries: Any
) -> None:
    department = kind("department")
    rows = [
        Organisation(
            code=f"T{i:04d}",
            name=f"Đơn vị {i}",
            kind=department,
            parent=province["root"],
            depth=1,
            valid_from=START,
            path="",
        )
        for i in range(2000)
    ]
    created = Organisation.objects.bulk_create(rows)
    from congvu.organisations.models import OrganisationVersion

    for org in created:
        org.path = province["root"].path + str(org.pk).zfill(8)
    Organisation.objects.bulk_update(created, ["path"])
    OrganisationVersion.objects.bulk_create(
        OrganisationVersion(
            organisation=o, name=o.name, kind=department, parent=province["root"], valid_from=START
        )
        for o in created
    )
    # 10: one of them reads the closed organisations whose history the grant inherits
    # (`access._inherited_paths`), once per request whatever the tree's size; one counts
    # the siblings sharing a name, for the banner of whoever may rename them.
    with django_assert_max_num_queries(10):
        response = as_officer.get(reverse("organisations:tree"))
    assert response.content.decode().count('class="leaf"') >= 2000


# --- Detail ---------------------------------------------------------------------------


def test_the_detail_page_shows_facts_history_children_and_staff(
    as_officer: Client, province: Province, staff_member: StaffMember
) -> None:
    response = as_officer.get(url("detail", province["dept_justice"]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("H56.02", "Sở Tư pháp", "Lịch sử", "Phòng Hành chính tư pháp", "Nguyễn Văn Đức"):
        assert text in html
    assert "Đổi tên" in html  # an officer may restructure
    assert url("badges_pdf", province["dept_justice"]) in html


def test_the_detail_page_hides_the_actions_from_a_viewer(
    as_viewer: Client, province: Province
) -> None:
    response = as_viewer.get(url("detail", province["dept_justice"]))
    assert response.status_code == 200
    assert "Thay đổi tổ chức" not in response.content.decode()


def test_the_detail_page_is_404_for_an_outsider(as_outsider: Client, province: Province) -> None:
    assert as_outsider.get(url("detail", province["dept_justice"])).status_code == 404


def test_an_unknown_organisation_is_404(as_officer: Client) -> None:
    assert as_officer.get("/org/999999/").status_code == 404
    assert as_officer.get("/org/abc/").status_code == 404


def test_the_detail_page_links_successor_and_predecessors(
    as_officer: Client, province: Province
) -> None:
    as_officer.post(
        url("merge", province["dept_justice"]),
        {"merge-partners": "", "merge-into": "H56.01", "merge-effective": "01/07/2025"},
    )
    # Partners are required; merging into an existing one still needs the field.
    as_officer.post(
        url("merge", province["commune"]),
        {"merge-partners": "H56.02", "merge-into": "H56.01", "merge-effective": "01/07/2025"},
    )
    html = as_officer.get(url("detail", province["dept_home"])).content.decode()
    assert "Tiền thân" in html
    assert url("detail", province["commune"]) in html
    html = as_officer.get(url("detail", province["commune"])).content.decode()
    assert "Cơ quan kế thừa" in html


# --- Actions: normal case, 403 for the viewer, 404 for the outsider -------------------

ACTIONS: dict[str, dict[str, str]] = {
    "rename": {"rename-name": "Sở Tư pháp tỉnh", "rename-effective": "01/07/2025"},
    "move": {"move-parent": "H56.01", "move-effective": "01/07/2025"},
    "create_child": {
        "child-code": "H56.02.02",
        "child-name": "Phòng Bổ trợ tư pháp",
        "child-valid_from": "01/07/2025",
    },
    "dissolve": {
        "dissolve-effective": "01/07/2025",
        "dissolve-move_children_to": "H56.01",
    },
    "merge": {
        "merge-partners": "H56.01",
        "merge-new_code": "H56.90",
        "merge-new_name": "Sở Nội chính",
        "merge-effective": "01/07/2025",
    },
    "split": {
        "split-code_1": "H56.91",
        "split-name_1": "Sở Tư pháp 1",
        "split-code_2": "H56.92",
        "split-name_2": "Sở Tư pháp 2",
        "split-successor": "2",
        "split-effective": "01/07/2025",
    },
}


def action_data(name: str) -> dict[str, str]:
    data = dict(ACTIONS[name])
    department = str(OrganisationKind.objects.get(code="department").pk)
    division = str(OrganisationKind.objects.get(code="division").pk)
    if name == "merge":
        data["merge-new_kind"] = department
    if name == "split":
        data["split-kind"] = department
    if name == "create_child":
        data["child-kind"] = division
    return data


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_an_officer_can_run_every_action(
    action: str, as_officer: Client, province: Province
) -> None:
    response = as_officer.post(url(action, province["dept_justice"]), action_data(action))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert AuditEvent.objects.filter(action__startswith="organisations.").exists()
    follow = as_officer.get(response["Location"])
    assert follow.status_code == 200


def test_a_unit_sent_twice_is_created_once_without_a_code_already_used_error(
    as_officer: Client, province: Province
) -> None:
    parent = province["dept_justice"]
    key = form_key(as_officer.get(url("detail", parent)), "child-once")
    data = {**action_data("create_child"), "child-once": key}
    first = as_officer.post(url("create_child", parent), data)
    second = as_officer.post(url("create_child", parent), data)
    child = Organisation.objects.get(code="H56.02.02")
    assert first["Location"] == second["Location"] == url("detail", child)
    assert said_already_sent(as_officer, second)


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_a_viewer_gets_403_on_every_action(
    action: str, as_viewer: Client, province: Province
) -> None:
    response = as_viewer.post(url(action, province["dept_justice"]), action_data(action))
    assert response.status_code == 403
    assert reload(province["dept_justice"]).name == "Sở Tư pháp"


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_an_outsider_gets_404_on_every_action(
    action: str, as_outsider: Client, province: Province
) -> None:
    response = as_outsider.post(url(action, province["dept_justice"]), action_data(action))
    assert response.status_code == 404


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_garbage_input_never_causes_a_500(
    action: str, as_officer: Client, province: Province
) -> None:
    garbage = dict.fromkeys(action_data(action), "\x00'; DROP TABLE --")
    response = as_officer.post(url(action, province["dept_justice"]), garbage)
    assert response.status_code == 200
    assert reload(province["dept_justice"]).valid_to is None
    response = as_officer.post(url(action, province["dept_justice"]), {})
    assert response.status_code == 200


def test_actions_refuse_get(as_officer: Client, province: Province) -> None:
    assert as_officer.get(url("rename", province["dept_justice"])).status_code == 405


def test_moving_under_a_descendant_shows_the_error_and_keeps_the_input(
    as_officer: Client, province: Province
) -> None:
    response = as_officer.post(
        url("move", province["dept_justice"]),
        {"move-parent": "H56.02.01", "move-effective": "15/07/2025"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Không thể chuyển cơ quan vào đơn vị trực thuộc của chính nó." in html
    assert "Cannot move an organisation under its own descendant." in html
    assert 'value="15/07/2025"' in html
    assert reload(province["dept_justice"]).parent_id == province["root"].pk


def test_dissolving_with_staff_left_shows_the_error(
    as_officer: Client, province: Province, staff_member: StaffMember
) -> None:
    response = as_officer.post(
        url("dissolve", province["dept_justice"]),
        {"dissolve-effective": "01/07/2025", "dissolve-move_children_to": "H56.01"},
    )
    assert response.status_code == 200
    assert "active staff members" in response.content.decode()
    assert reload(province["dept_justice"]).valid_to is None


def test_merge_into_an_organisation_outside_the_users_scope_is_not_found(
    as_head: Client, province: Province
) -> None:
    response = as_head.post(
        url("merge", province["division_justice"]),
        {"merge-partners": "H56.02.01", "merge-into": "H56.01", "merge-effective": "01/07/2025"},
    )
    # The head of Sở Tư pháp has no ORG_MANAGE at all.
    assert response.status_code == 403


def test_split_with_a_staff_mapping(
    as_officer: Client, province: Province, staff_member: StaffMember
) -> None:
    data = action_data("split")
    data["split-staff_map"] = "STP-001 2"
    response = as_officer.post(url("split", province["dept_justice"]), data)
    assert response.status_code == 302
    staff_member.refresh_from_db()
    assert staff_member.organisation.code == "H56.92"


def test_split_with_a_bad_staff_mapping_shows_the_line(
    as_officer: Client, province: Province, staff_member: StaffMember
) -> None:
    data = action_data("split")
    data["split-staff_map"] = "STP-001 2\nKHONG-CO 1"
    response = as_officer.post(url("split", province["dept_justice"]), data)
    assert response.status_code == 200
    assert "Dòng 2" in response.content.decode()
    assert reload(province["dept_justice"]).valid_to is None


def test_a_duplicate_code_in_a_split_writes_nothing(as_officer: Client, province: Province) -> None:
    data = action_data("split")
    data["split-code_2"] = "H56.91"
    response = as_officer.post(url("split", province["dept_justice"]), data)
    assert response.status_code == 200
    assert "Code already exists" in response.content.decode()
    assert not Organisation.objects.filter(code="H56.91").exists()


def test_renaming_shows_the_new_name_on_the_detail_page(
    as_officer: Client, province: Province
) -> None:
    today = timezone.localdate().strftime("%d/%m/%Y")
    as_officer.post(
        url("rename", province["dept_justice"]),
        {"rename-name": "Sở Tư pháp tỉnh Hưng Yên", "rename-effective": today},
    )
    html = as_officer.get(url("detail", province["dept_justice"])).content.decode()
    assert "<h1>Sở Tư pháp tỉnh Hưng Yên" in html


def test_renaming_from_a_page_someone_renamed_from_since_is_refused_and_keeps_the_input(
    as_officer: Client, province: Province
) -> None:
    justice = province["dept_justice"]
    tab_a = page_form(as_officer.get(url("detail", justice)), "rename-stale")
    tab_b = page_form(as_officer.get(url("detail", justice)), "rename-stale")
    renamed = as_officer.post(url("rename", justice), {**tab_b, "rename-name": "Sở Tư pháp mới"})
    assert renamed.status_code == 302
    refused = as_officer.post(url("rename", justice), {**tab_a, "rename-short_name": "STP"})
    assert said_changed_meanwhile(refused)
    html = refused.content.decode()
    assert 'value="STP"' in html and "hiện là: «Sở Tư pháp mới»" in html
    assert (reload(justice).name, reload(justice).short_name) == ("Sở Tư pháp mới", "")


# --- An empty installation: the first organisation -----------------------------------


def test_an_empty_installation_starts_its_tree_and_catalogue_from_the_tree_page(db: Any) -> None:
    admin = User.objects.create_superuser("admin", password="pw-for-tests-123")
    client = Client()
    client.force_login(admin)
    page = client.get(reverse("organisations:tree")).content.decode()
    assert 'data-testid="empty-installation"' in page
    assert 'href="/org/new-root/"' in page
    form_page = client.get(reverse("organisations:create_root"))
    response = client.post(
        reverse("organisations:create_root"),
        {
            "root-code": "H56",
            "root-name": "Ủy ban nhân dân tỉnh Hưng Yên",
            "root-short_name": "UBND tỉnh",
            "root-kind": kind("province_pc").pk,
            "root-valid_from": "01/07/2025",
            "root-seed_catalogue": "on",
            "root-once": form_key(form_page, "root-once"),
        },
    )
    root = Organisation.objects.get(code="H56")
    assert response.status_code == 302 and response["Location"] == url("detail", root)
    assert root.parent is None and root.name == "Ủy ban nhân dân tỉnh Hưng Yên"
    assert CodeVersion.objects.filter(scope=root, status=CodeVersion.Status.ACTIVE).exists()
    assert (
        'data-testid="empty-installation"'
        not in client.get(reverse("organisations:tree")).content.decode()
    )


def test_a_root_with_errors_keeps_the_input_and_saves_nothing(db: Any) -> None:
    admin = User.objects.create_superuser("admin", password="pw-for-tests-123")
    client = Client()
    client.force_login(admin)
    response = client.post(
        reverse("organisations:create_root"),
        {"root-code": "", "root-name": "Ủy ban nhân dân tỉnh Hưng Yên", "root-valid_from": "x"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ủy ban nhân dân tỉnh Hưng Yên" in html and 'role="alert"' in html
    assert not Organisation.objects.exists()


def test_only_province_wide_roles_may_start_a_tree(as_head: Client, as_officer: Client) -> None:
    assert "new-root" not in as_head.get(reverse("organisations:tree")).content.decode()
    assert as_head.get(reverse("organisations:create_root")).status_code == 403
    assert as_head.post(reverse("organisations:create_root"), {}).status_code == 403
    tree = as_officer.get(reverse("organisations:tree")).content.decode()
    assert "new-root" in tree
    # The link sits in the page, not in its title or head.
    head = tree[: tree.index("</head>")]
    assert "new-root" not in head and "<a " not in head
    assert as_officer.get(reverse("organisations:create_root")).status_code == 200


def test_home_affairs_of_one_department_may_not_start_a_tree(province: Province) -> None:
    # Security walk, finding 6: the grant on one department made a top organisation its
    # holder could then not see. Nothing is hidden by the refusal, so it is a 403.
    department_officer = client_for(
        make_user("noivu.so", Role.HOME_AFFAIRS, province["dept_justice"])
    )
    assert "new-root" not in department_officer.get(reverse("organisations:tree")).content.decode()
    assert department_officer.get(reverse("organisations:create_root")).status_code == 403
    response = department_officer.post(
        reverse("organisations:create_root"),
        {"root-code": "H99", "root-name": "Gốc mới", "root-kind": kind("province_pc").pk},
    )
    assert response.status_code == 403
    assert not Organisation.objects.filter(code="H99").exists()


def test_an_outsider_may_not_start_a_tree(as_outsider: Client) -> None:
    assert as_outsider.get(reverse("organisations:create_root")).status_code == 403

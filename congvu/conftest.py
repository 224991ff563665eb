"""Shared fixtures: a small province and the personas every view is tested with.

Tree (all valid from 01/01/2025):

    UBND tỉnh (root)
    ├── Sở Nội vụ (dept_home)
    ├── Sở Tư pháp (dept_justice)
    │   └── Phòng Hành chính tư pháp (division_justice)
    └── UBND xã An Bình (commune)

Personas:
* officer — Home Affairs officer on the whole province;
* head — head of Sở Tư pháp (and its subtree);
* viewer — viewer on Sở Tư pháp;
* outsider — head of UBND xã An Bình (sees nothing of Sở Tư pháp);
* staff_user — a staff member of Sở Tư pháp with the self-only role.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils.html import escape

from congvu.accounts.models import Role, RoleGrant, User
from congvu.organisations import services as org_services
from congvu.organisations.models import Organisation, OrganisationKind, StaffMember

START = dt.date(2025, 1, 1)


def kind(code: str) -> OrganisationKind:
    return OrganisationKind.objects.get(code=code)


def make_user(
    username: str, role: Role | None = None, organisation: Organisation | None = None
) -> User:
    user = User.objects.create_user(
        username=username, password="pw-for-tests-123", full_name=username
    )
    if role is not None and organisation is not None:
        RoleGrant.objects.create(user=user, role=role, organisation=organisation)
    return user


@pytest.fixture(scope="session", autouse=True)
def _media_of_this_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Files a test stores without a folder of its own go under this process's temporary
    folder, never var/media: `make test` runs two pytest-xdist workers at once (each has
    its own temporary folders), and a developer's `make run` uses var/media."""
    from django.test import override_settings

    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    """Each test starts with empty caches: the shared cache (rate limits, passphrase
    guesses) and the per-process ones of the rating path (scale, criteria, device
    salts), whose keys are primary keys a rolled-back earlier test may have reused."""
    from django.core.cache import cache

    from congvu.feedback import devices, services

    def clear() -> None:
        cache.clear()
        services.clear_caches()
        devices.forget_cached_salts()

    clear()
    yield
    clear()


@pytest.fixture(autouse=True)
def _vietnamese_first() -> Iterator[None]:
    """Each test starts in the default language: a request through the locale
    middleware leaves its language active in the thread after the response."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def province(db: Any) -> dict[str, Organisation]:
    root = org_services.create_organisation(
        actor=None,
        code="H56",
        name="Ủy ban nhân dân tỉnh Hưng Yên",
        short_name="UBND tỉnh",
        kind=kind("province_pc"),
        valid_from=START,
    )
    dept_home = org_services.create_organisation(
        actor=None,
        code="H56.01",
        name="Sở Nội vụ",
        kind=kind("department"),
        parent=root,
        valid_from=START,
    )
    dept_justice = org_services.create_organisation(
        actor=None,
        code="H56.02",
        name="Sở Tư pháp",
        kind=kind("department"),
        parent=root,
        valid_from=START,
    )
    division = org_services.create_organisation(
        actor=None,
        code="H56.02.01",
        name="Phòng Hành chính tư pháp",
        kind=kind("division"),
        parent=dept_justice,
        valid_from=START,
    )
    commune = org_services.create_organisation(
        actor=None,
        code="H56.30",
        name="Ủy ban nhân dân xã An Bình",
        kind=kind("commune_pc"),
        parent=root,
        valid_from=START,
    )
    return {
        "root": root,
        "dept_home": dept_home,
        "dept_justice": dept_justice,
        "division_justice": division,
        "commune": commune,
    }


@pytest.fixture
def officer(province: dict[str, Organisation]) -> User:
    return make_user("officer", Role.HOME_AFFAIRS, province["root"])


@pytest.fixture
def head(province: dict[str, Organisation]) -> User:
    return make_user("head", Role.HEAD, province["dept_justice"])


@pytest.fixture
def viewer(province: dict[str, Organisation]) -> User:
    return make_user("viewer", Role.VIEWER, province["dept_justice"])


@pytest.fixture
def outsider(province: dict[str, Organisation]) -> User:
    return make_user("outsider", Role.HEAD, province["commune"])


def make_staff(
    organisation: Organisation,
    full_name: str,
    staff_code: str,
    *,
    category: str = StaffMember.Category.CIVIL_SERVANT,
    **fields: Any,
) -> StaffMember:
    """A staff member created through the service (badge token, audit), valid from START."""
    return org_services.create_staff(
        actor=None,
        organisation=organisation,
        full_name=full_name,
        staff_code=staff_code,
        category=category,
        valid_from=START,
        **fields,
    )


@pytest.fixture
def staff_member(province: dict[str, Organisation]) -> StaffMember:
    return make_staff(
        province["dept_justice"],
        "Nguyễn Văn Đức",
        "STP-001",
        position_title="Chuyên viên",
        division=province["division_justice"],
        email="duc@example.vn",
        phone="0912345678",
    )


@pytest.fixture
def staff_user(province: dict[str, Organisation], staff_member: StaffMember) -> User:
    user = make_user("staffer", Role.STAFF, province["dept_justice"])
    RoleGrant.objects.filter(user=user).update(include_subtree=False)
    staff_member.user = user
    staff_member.save(update_fields=["user"])
    return user


def form_key(response: Any, name: str = "once", *, after: str = "") -> str:
    """The key (`core.once`) that the page's form `name` (with its prefix) carries; the
    first after the text `after` (a form's action) when the page has several forms."""
    page = response.content.decode()
    page = page[page.index(after) :] if after else page
    found = re.search(rf'name="{re.escape(name)}" value="([0-9a-f-]{{36}})"', page)
    assert found is not None, f"no {name} key on the page"
    return found[1]


def form_version(response: Any, name: str = "stale", *, after: str = "") -> str:
    """The version (`core.stale`) that the page's edit form carries: what it was drawn
    from, so that a save from it after someone else's is refused."""
    page = response.content.decode()
    page = page[page.index(after) :] if after else page
    found = re.search(rf'name="{re.escape(name)}" value="([0-9a-z_:,]+)"', page)
    assert found is not None, f"no {name} version on the page"
    return found[1]


class _Forms(HTMLParser):
    """Each form of a page with what a browser would send from it, unchanged."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self.select: tuple[str, bool] | None = None
        self.textarea: str | None = None
        self.first_text = False

    def _put(self, name: str, value: str, *, many: bool = False) -> None:
        if not self.forms or not name:
            return
        fields = self.forms[-1]
        if many:
            fields.setdefault(name, []).append(value)
        else:
            fields[name] = value

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.forms.append({})
        elif tag == "input" and a.get("type") not in ("submit", "button", "file", "image"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self._put(a.get("name", ""), a.get("value", "on"), many=True)
            else:
                self._put(a.get("name", ""), a.get("value", ""))
        elif tag == "select":
            self.select = (a.get("name", ""), "multiple" in a)
        elif tag == "option" and self.select is not None and self.forms:
            name, many = self.select
            if many:
                if "selected" in a:
                    self._put(name, a.get("value", ""), many=True)
            elif "selected" in a or name not in self.forms[-1]:  # else the first option
                self.forms[-1][name] = a.get("value", "")
        elif tag == "textarea":
            self.textarea, self.first_text = a.get("name", ""), True
            self._put(self.textarea, "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data: str) -> None:
        if self.textarea and self.forms:
            if self.first_text:  # a browser drops the one newline after <textarea>
                data = data.removeprefix("\r").removeprefix("\n")
                self.first_text = False
            self.forms[-1][self.textarea] += data


def page_form(response: Any, having: str = "stale") -> dict[str, Any]:
    """What the page's first form with a field `having` sends when no one touches it (its
    CSRF token left out; the test client adds its own)."""
    parser = _Forms()
    parser.feed(response.content.decode())
    for fields in parser.forms:
        if having in fields:
            fields.pop("csrfmiddlewaretoken", None)
            return {
                k: v[0] if isinstance(v, list) and len(v) == 1 else v for k, v in fields.items()
            }
    raise AssertionError(f"no form with {having} on the page")


def said_changed_meanwhile(response: Any) -> bool:
    """Whether the page says someone else changed the object since the form was drawn."""
    page = response.content.decode()
    return "đã được người khác sửa từ khi bạn mở trang" in page and "changed by someone" in page


def said_already_sent(client: Client, response: Any) -> bool:
    """Whether the page the answer leads to says the form was sent before."""
    return "đã được gửi và ghi nhận trước đó" in client.get(response["Location"]).content.decode()


def on_a_vietnamese_page(message: str) -> str:
    """A "Vietnamese / English" message as a Vietnamese page shows it: the English half
    marked `lang="en"` for screen readers (core/templatetags/bilingual.py)."""
    vietnamese, english = message.rsplit(" / ", 1)
    return f'{escape(vietnamese)} / <span lang="en">{escape(english)}</span>'


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def as_officer(officer: User) -> Client:
    return client_for(officer)


@pytest.fixture
def as_head(head: User) -> Client:
    return client_for(head)


@pytest.fixture
def as_viewer(viewer: User) -> Client:
    return client_for(viewer)


@pytest.fixture
def as_outsider(outsider: User) -> Client:
    return client_for(outsider)

"""Which notices are e-mailed: every notice kind belongs to a group (`core.mail_groups`), a
reader turns groups off, the in-app notice is always made, and account and security
notices are always mailed."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail

from congvu.accounts import notices as account_notices
from congvu.accounts.models import User
from congvu.core import digests, mail_groups, notices
from congvu.core.mail_groups import MailGroup
from congvu.core.models import Notification

ROOT = Path(__file__).resolve().parents[2]  # congvu/
STATEMENT = "cases.statement_requested"


# --- The registry: every kind the code notifies with has a group ---------------------------


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _modules() -> list[tuple[str, ast.Module]]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts or "browser_tests" in parts:
            continue
        module = ".".join(("congvu", *parts))[: -len(".py")].removesuffix(".__init__")
        found.append((module, ast.parse(path.read_text(encoding="utf-8"))))
    return found


def kinds_in_the_code() -> tuple[set[str], list[str]]:
    """The kinds the code creates notices with, read from its source: the `kind=` of every
    call to `notify`, `notify_many`, `deliver`, or to a function that passes its own `kind`
    parameter on to one of those (found until nothing new turns up). F-strings come back as
    patterns."""
    modules = _modules()
    senders = {"notify", "notify_many", "deliver"}
    uses: list[tuple[str, ast.expr]] = []
    while True:
        before = len(senders)
        uses = []
        for module, tree in modules:
            for function in ast.walk(tree):
                if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                params = {a.arg for a in (*function.args.args, *function.args.kwonlyargs)}
                for call in ast.walk(function):
                    if not isinstance(call, ast.Call) or _name(call.func) not in senders:
                        continue
                    for keyword in call.keywords:
                        if keyword.arg != "kind":
                            continue
                        if isinstance(keyword.value, ast.Name) and keyword.value.id in params:
                            senders.add(function.name)  # a helper passing its kind on
                        else:
                            uses.append((module, keyword.value))
        if len(senders) == before:
            break
    kinds: set[str] = set()
    patterns: list[str] = []
    for module, value in uses:
        if isinstance(value, ast.JoinedStr):
            patterns.append(
                "".join(
                    re.escape(part.value) if isinstance(part, ast.Constant) else r"[a-z_]+"
                    for part in value.values
                )
            )
        else:
            # A literal, a module constant or an imported one (`clocks.DIGEST_KIND`).
            kinds.add(eval(ast.unparse(value), vars(importlib.import_module(module))))  # noqa: S307
    return kinds, patterns


def test_every_kind_the_code_notifies_with_belongs_to_a_group_and_no_group_lists_a_dead_one() -> (
    None
):
    kinds, patterns = kinds_in_the_code()
    # Seen: the planning, reporting, cases, feedback, inspections and accounts notices.
    assert {"digest", "cases_digest", "inspection", "account", "case_subject"} <= kinds
    assert patterns == [r"report\.[a-z_]+"]
    assert kinds - set(mail_groups.KINDS) == set(), "add these kinds to core.mail_groups.KINDS"
    by_pattern = {k for k in mail_groups.KINDS if any(re.fullmatch(p, k) for p in patterns)}
    assert by_pattern == {"report.returned", "report.accepted"}
    assert set(mail_groups.KINDS) - kinds - by_pattern == set(), "no longer used"
    assert set(mail_groups.KINDS.values()) == set(MailGroup)  # no empty group


def test_a_notice_of_a_kind_no_group_holds_is_refused(head: User) -> None:
    with pytest.raises(LookupError, match=r"mail_groups\.KINDS"):
        notices.notify(head, kind="new_kind", key=STATEMENT, params={"code": "PA-1"})
    assert not Notification.objects.exists()


# --- Mailing -------------------------------------------------------------------------------


@pytest.fixture
def reader(officer: User) -> User:
    officer.email = "officer@example.vn"
    officer.save(update_fields=["email"])
    return officer


def mute(user: User, *codes: str, master: bool = True) -> None:
    user.mail_muted_groups = list(codes)
    user.mail_notices = master
    user.save(update_fields=["mail_muted_groups", "mail_notices"])


def tell(user: User, capture: Any, *, kind: str, key: str, params: dict[str, Any]) -> None:
    with capture(execute=True):
        notices.notify(user, kind=kind, key=key, params=params, url="/")


def subjects() -> list[str]:
    return [message.subject for message in mail.outbox]


def test_a_notice_of_a_muted_group_stays_in_the_app_and_the_other_groups_are_mailed(
    reader: User, django_capture_on_commit_callbacks: Any
) -> None:
    mute(reader, "cases")
    capture = django_capture_on_commit_callbacks
    tell(reader, capture, kind="case_subject", key=STATEMENT, params={"code": "PA-1"})
    tell(
        reader,
        capture,
        kind="report.returned",
        key="reporting.returned",
        params={"period": "Năm 2026", "note": "Bổ sung số liệu"},
    )
    assert subjects() == ["[Công vụ] Báo cáo “Năm 2026” được trả lại để bổ sung"]
    assert Notification.objects.filter(user=reader).count() == 2  # both in the app

    mute(reader, "planning")  # turned back on: the next one is mailed
    tell(reader, capture, kind="case_subject", key=STATEMENT, params={"code": "PA-2"})
    assert subjects()[-1] == "[Công vụ] Đề nghị giải trình về vụ việc PA-2"


def test_security_notices_are_mailed_whatever_the_reader_turned_off(
    reader: User, head: User, django_capture_on_commit_callbacks: Any
) -> None:
    # Even a stored "security" (written around the form and the API) is ignored.
    mute(reader, *MailGroup.values, master=False)
    with django_capture_on_commit_callbacks(execute=True):
        account_notices.two_factor_reset(reader, by=head)
    assert subjects() == [f"[Công vụ] Đăng nhập hai bước của bạn đã được {head} đặt lại"]
    tell(reader, django_capture_on_commit_callbacks, kind="case_subject", key=STATEMENT,
         params={"code": "PA-3"})  # fmt: skip
    assert len(mail.outbox) == 1


def test_the_master_switch_off_stops_every_other_one_off_notice(
    reader: User, django_capture_on_commit_callbacks: Any
) -> None:
    mute(reader, master=False)
    tell(reader, django_capture_on_commit_callbacks, kind="case_subject", key=STATEMENT,
         params={"code": "PA-4"})  # fmt: skip
    assert mail.outbox == []


def _digest(kind: str, user: User, capture: Any) -> dict[str, int]:
    with capture(execute=True):
        return digests.deliver(
            kind=kind,
            title_start="Đề nghị",
            recipients=[user],
            notice_for=lambda _user: digests.Notice(STATEMENT, {"code": "PA-9"}, "/"),
        )


def test_a_daily_digest_follows_its_group_and_not_the_master_switch(
    reader: User, django_capture_on_commit_callbacks: Any
) -> None:
    capture = django_capture_on_commit_callbacks
    mute(reader, "inspections", master=False)
    assert _digest("inspections_digest", reader, capture) == {"notifications": 1, "mails": 0}
    assert mail.outbox == []
    assert Notification.objects.filter(user=reader, kind="inspections_digest").exists()
    # Reminders of duties keep coming with the master switch off, as the page says.
    assert _digest("digest", reader, capture) == {"notifications": 1, "mails": 1}
    assert len(mail.outbox) == 1


def test_a_notice_queued_before_its_kind_was_removed_still_follows_the_switch(
    reader: User,
) -> None:
    old = Notification.objects.create(user=reader, kind="gone_kind", title="Cũ", body="")
    assert notices.send_mail_copy(old.pk) == "sent"
    mute(reader, master=False)
    assert notices.send_mail_copy(old.pk) == "not wanted"

"""Which notices a user gets by e-mail: every notice kind belongs to one group a reader
understands, and the reader turns groups off (`User.mail_muted_groups`).

`KINDS` is the one registry of the kinds `core.notices.notify` is called with (directly,
through `core.digests.deliver` or an app's helper); `notify` refuses a kind missing here,
and `core/tests/test_mail_groups.py` reads the code for every kind it is called with, so
a new kind cannot be forgotten. The in-app notice is always created; only its e-mail
follows the choice.

The account and security group is always mailed, whatever the reader chose: a sign-in
from a new browser, two-step sign-in reset by someone else — the mail is how a person
whose password was stolen hears of it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any, Final

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class MailGroup(models.TextChoices):
    PLANNING = "planning", _("Kế hoạch, nhiệm vụ, báo cáo và nhắc việc")
    INSPECTIONS = "inspections", _("Kiểm tra và biện pháp khắc phục")
    CASES = "cases", _("Đánh giá, phản ánh, vụ việc và kỷ luật")
    SECURITY = "security", _("Tài khoản và bảo mật")


G = MailGroup

#: What each group holds, as the account page explains it.
DESCRIPTIONS: Final[Mapping[MailGroup, Any]] = {
    G.PLANNING: _(
        "Nhiệm vụ mới được giao, thư nhắc việc hằng ngày, xác nhận hoàn thành nhiệm vụ, quyết "
        "định gia hạn, báo cáo định kỳ bị trả lại hoặc được tiếp nhận"
    ),
    G.INSPECTIONS: _(
        "Cuộc kiểm tra được báo trước, dời ngày hoặc hủy, được cử vào đoàn kiểm tra, kết luận "
        "và bản đã ký, trả lời về biện pháp khắc phục, thư hằng ngày về biện pháp khắc phục"
    ),
    G.CASES: _(
        "Vụ việc được giao, đề xuất kỷ luật chờ quyết định, đề nghị giải trình, kết luận và kỷ "
        "luật về bản thân, thư hằng ngày về vụ việc đến hạn và đánh giá cần xem xét"
    ),
    G.SECURITY: _(
        "Đăng nhập từ trình duyệt mới, tài khoản bị tạm khóa, đăng nhập hai bước bị đặt lại"
    ),
}

#: Mailed whatever the reader chose; never offered as a choice.
ALWAYS: Final = frozenset({G.SECURITY})
#: The groups a reader may turn off, in the order the page shows them.
CHOOSABLE: Final = tuple(g for g in MailGroup if g not in ALWAYS)

#: Every notice kind, and its group.
KINDS: Final[Mapping[str, MailGroup]] = {
    # planning (reminders.py, progress.py) and reporting (workflow.py)
    "digest": G.PLANNING,
    "progress_confirmed": G.PLANNING,
    "extension_decision": G.PLANNING,
    "report.returned": G.PLANNING,
    "report.accepted": G.PLANNING,
    # reporting (period_notices.py): a period's due date moved
    "report_due_changed": G.PLANNING,
    # planning (new_tasks.py)
    "task_assigned": G.PLANNING,
    # inspections (notices.py, digest.py)
    "inspection": G.INSPECTIONS,
    "inspections_digest": G.INSPECTIONS,
    # cases (notices.py, clocks.py) and feedback (flag_digest.py)
    "case_assigned": G.CASES,
    "case_subject": G.CASES,
    "cases_digest": G.CASES,
    "discipline_proposed": G.CASES,
    "case_unattended": G.CASES,
    "ratings_flagged": G.CASES,
    # accounts (notices.py)
    "account": G.SECURITY,
}


def group_of(kind: str) -> MailGroup:
    """The group of notices of `kind`; LookupError for a kind nobody registered."""
    try:
        return KINDS[kind]
    except KeyError:
        raise LookupError(
            f"Notice kind {kind!r} has no mail group: add it to core.mail_groups.KINDS."
        ) from None


def wants_mail(user: Any, kind: str, *, daily: bool = False) -> bool:
    """Whether `user` wants the e-mail of a notice of `kind` (`daily`: a daily digest).

    Security: always. A group the reader turned off: never. Otherwise a one-off notice
    follows the master switch (`User.mail_notices`), and a daily digest is sent whatever
    it says (the switch's help has always promised that the reminders keep coming).
    A kind no longer registered (a notice queued before an upgrade) follows the switch.
    """
    group = KINDS.get(kind)
    if group in ALWAYS:
        return True
    if group is not None and group.value in muted(user):
        return False
    return daily or bool(user.mail_notices)


def muted(user: Any) -> frozenset[str]:
    """The codes of the choosable groups `user` turned off (anything else stored is ignored)."""
    stored = getattr(user, "mail_muted_groups", None) or []
    return frozenset(code for code in stored if code in {g.value for g in CHOOSABLE})


def mailed(user: Any) -> dict[str, bool]:
    """Every group's code → whether its notices are e-mailed to `user` (the groups' part:
    the master switch is read separately)."""
    off = muted(user)
    return {g.value: g in ALWAYS or g.value not in off for g in MailGroup}


def stored(off: Iterable[str]) -> list[str]:
    """What `User.mail_muted_groups` keeps for the groups `off`: choosable ones, in order."""
    wanted = set(off)
    return [g.value for g in CHOOSABLE if g.value in wanted]


class UnknownGroups(ValueError):
    """A change names a group that does not exist, or turns off one that cannot be."""


def changed(user: Any, changes: Mapping[str, bool]) -> list[str]:
    """`user`'s muted groups after `changes` (code → mailed or not); groups left out stay.

    UnknownGroups (a bilingual message) when a code is no group, or a change turns the
    security group off; nothing is changed then.
    """
    unknown = sorted(code for code in changes if code not in MailGroup.values)
    if unknown:
        raise UnknownGroups(
            gettext(
                "Không có nhóm thông báo: %(codes)s. Các nhóm: %(groups)s. / "
                "No such group of notices: %(codes)s. The groups: %(groups)s."
            )
            % {"codes": ", ".join(unknown), "groups": ", ".join(MailGroup.values)}
        )
    if any(not on for code, on in changes.items() if MailGroup(code) in ALWAYS):
        raise UnknownGroups(
            gettext(
                "Thông báo về tài khoản và bảo mật luôn được gửi qua e-mail, không tắt được. / "
                "Account and security notices are always e-mailed; they cannot be turned off."
            )
        )
    off = set(muted(user))
    for code, on in changes.items():
        (off.discard if on else off.add)(code)
    return stored(off)


def labels(groups: Collection[MailGroup]) -> list[tuple[str, str, str]]:
    """(code, label, description) of `groups`, in the active language."""
    return [(g.value, str(g.label), str(DESCRIPTIONS[g])) for g in groups]

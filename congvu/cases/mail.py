"""E-mail to a named reporter when something they may read is added to their case.

A reporter who gave their name and an e-mail address hears of the receipt and
of every later event written for them (acceptance, rejection, a reply, an
extension, the conclusion…), with their personal link (`reporter.track_link_for`)
and the way in with the tracking code. Never by e-mail: what the event says,
the case's content, the passphrase — mail crosses servers nobody here
controls; the case is read on the site. Nothing is sent to an anonymous
reporter (there is no address), after the identity is erased, or for what
the reporter wrote themselves.

Nothing the reporter typed is in the mail either, not even their name: the address is
not verified, and a greeting quoting a typed "name" would relay anyone's text (a
phishing link) from the province's own sender to any address. And mail about at most a
few reports a day goes to one address (`filing_limits.may_mail`).

Sent by a background task after the transaction commits (`timeline.add`
schedules it): a mail server that is down never undoes a handler's action,
and a rolled-back action sends nothing.
"""

from __future__ import annotations

from typing import Final

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from .models import Case, CaseEvent

A = CaseEvent.Audience
K = CaseEvent.Kind

#: Audiences that include the reporter.
REPORTER_AUDIENCES: Final = frozenset({A.REPORTER, A.PARTIES})
#: Kinds that never warrant a mail: the reporter's own words, the files that come
#: with another event, the erasure itself.
NOT_MAILED: Final = frozenset({K.FROM_REPORTER, K.FILE, K.ERASED, K.NOTE})


def wanted(case: Case, event: CaseEvent) -> bool:
    """Whether `event` is one the case's reporter is told of by e-mail."""
    return (
        event.audience in REPORTER_AUDIENCES
        and event.kind not in NOT_MAILED
        and not case.is_anonymous
        and case.identity_erased_at is None
        and bool(case.reporter_email)
    )


def schedule(case: Case, event: CaseEvent) -> None:
    """After the current transaction commits, queue the mail for `event` (if wanted)."""
    if not wanted(case, event):
        return
    from .tasks import mail_reporter

    event_id = event.pk
    transaction.on_commit(lambda: mail_reporter.enqueue(event_id), robust=True)


def _what(event: CaseEvent) -> str:
    """What happened, in the active language: the new status, else the kind of event."""
    if event.kind == K.TRANSITION and event.to_status in Case.Status.values:
        return str(Case.Status(event.to_status).label)
    return str(K(event.kind).label)


def message(event: CaseEvent) -> EmailMessage | None:
    """The mail for `event`, or None when it is no longer wanted (erased, gone)."""
    case = event.case
    if not wanted(case, event):
        return None
    from .reporter import track_link_for  # reporter → timeline → this module

    when = timezone.localtime(event.created_at)
    link = track_link_for(case)
    track = settings.SITE_URL + reverse("cases_public:track")
    with translation.override("vi"):
        what_vi = _what(event)
        subject = f"[Công vụ] Phản ánh {case.code}: {what_vi}"
        # Always Vietnamese first (the reporter's language is not known); English follows.
        vietnamese = (
            "Kính gửi Quý ông/bà,\n\n"
            "Phản ánh {code} của bạn có cập nhật lúc {when}: {what}.\n\n"
            "Xem chi tiết bằng đường dẫn riêng của bạn (đừng chuyển cho người khác):\n"
            "{link}\n\n"
            "hoặc vào {track} và nhập mã theo dõi {code} cùng mật khẩu theo dõi bạn nhận "
            "khi gửi phản ánh.\n\n"
            "Thư này không chứa nội dung vụ việc. Cơ quan xử lý không bao giờ hỏi mật khẩu "
            "theo dõi của bạn."
        ).format(
            code=case.code,
            when=f"{when:%H:%M %d/%m/%Y}",
            what=what_vi,
            link=link,
            track=track,
        )
    with translation.override("en"):
        english = (
            f"Your report {case.code} has an update ({_what(event)}). Read it with your "
            f"personal link above, or at {track} with your tracking code and passphrase. "
            "This e-mail does not contain what the case says; nobody handling it will ever "
            "ask for your passphrase."
        )
    return EmailMessage(
        subject=subject,
        body=f"{vietnamese}\n\n---\n{english}\n",
        to=[case.reporter_email],
    )

"""Limits on what anyone without an account can make the site do: file reports, and have
the province's own sender mail an address they typed.

* **Filing, per client.** The three doors (the /report/ form, Open311's
  `POST /requests`, `POST /api/v1/public/cases`) share one count per client address
  (`core.net.client_ip`), kept in the shared cache as a keyed hash (`core.cache.keyed`),
  never in the database: `CASES_REPORTS_PER_CLIENT_HOUR` reports an hour and
  `CASES_REPORTS_PER_CLIENT_DAY` a day. Beyond either, the client is refused
  (`FilingLimited`, 429) and nothing is stored. Only reports actually stored count: a
  form sent back with an error costs nothing. The security walk filed 25 reports in a
  row through Open311, each mailed to the address it named.
* **Mail, per e-mail address.** Mail about at most `CASES_MAILED_REPORTS_PER_ADDRESS_DAY`
  reports a day goes to one address; the reports beyond are stored and handled as any
  other, only not mailed that day (the reporter still follows them with the code). The
  addresses are unverified: anyone can type someone else's.

The counts live in the cache (they may be lost when it is cleared, which at worst lets a
client file a few more); a count read and then written by two workers at the same moment
may let one more through. Both are bounds against abuse, not quotas.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

from django.conf import settings
from django.core.cache import cache as django_cache
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.core import cache as shared_cache

from .models import Case

HOUR: Final = 60 * 60
DAY: Final = 24 * HOUR


class FilingLimited(ValidationError):
    """This client has filed as many reports as it may for now."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "Bạn đã gửi nhiều phản ánh trong thời gian ngắn; vui lòng thử lại sau. / "
                "You have sent many reports in a short time; please try again later."
            ),
            code="filing_limited",
        )


def _keys(ip: str) -> tuple[str, str]:
    return (
        shared_cache.keyed("cases-filed-hour", ip),
        shared_cache.keyed("cases-filed-day", ip),
    )


@contextmanager
def filing(ip: str) -> Iterator[None]:
    """Raise `FilingLimited` if the client at `ip` may file no more now; else run the
    block (which stores the report) and, if it raised nothing, count the report."""
    hour, day = _keys(ip)
    if (
        shared_cache.counted(hour) >= settings.CASES_REPORTS_PER_CLIENT_HOUR
        or shared_cache.counted(day) >= settings.CASES_REPORTS_PER_CLIENT_DAY
    ):
        raise FilingLimited()
    yield
    shared_cache.count(hour, window=HOUR)
    shared_cache.count(day, window=DAY)


def may_mail(case: Case) -> bool:
    """Whether mail about `case` may go to its reporter's address today: yes for a report
    already mailed today, and for a new one while the address has had fewer than the
    limit's reports mailed today."""
    address = (case.reporter_email or "").strip().lower()
    if not address:
        return False
    key = shared_cache.keyed(f"cases-mailed:{timezone.localdate():%Y%m%d}", address)
    mailed = [int(pk) for pk in django_cache.get(key) or []]
    if case.pk in mailed:
        return True
    if len(mailed) >= settings.CASES_MAILED_REPORTS_PER_ADDRESS_DAY:
        return False
    django_cache.set(key, [*mailed, case.pk], timeout=DAY)
    return True

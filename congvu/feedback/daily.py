"""Daily jobs of the feedback app, registered with `congvu.core.daily`.

* ``feedback.flag_jumps`` — yesterday's sudden jumps against a staff member's
  history are flagged for review (`detection.flag_jumps`; thresholds there).
  Also callable for any day: ``flag_jumps(day)``.
* ``feedback.flag_digest`` — reviewers are told once a day how many flagged
  ratings wait in their scope (`flag_digest`); after the jumps, so they count.
* ``feedback.purge_salts`` — device salts older than two days are deleted, so
  that no stored device hash can be linked to a device any more.
"""

from __future__ import annotations

import datetime as dt

from congvu.core import daily

from . import detection, devices, flag_digest


def flag_jumps(day: dt.date) -> dict[str, int]:
    """Flag the ratings of `day` that jump against their staff member's history."""
    return detection.flag_jumps(day)


def run_flag_jumps(today: dt.date) -> dict[str, int]:
    # A day is judged once it is over.
    return flag_jumps(today - dt.timedelta(days=1))


def purge_salts(today: dt.date) -> int:
    return devices.purge_salts(today)


daily.register("feedback.flag_jumps", run_flag_jumps)
daily.register("feedback.flag_digest", flag_digest.send)
daily.register("feedback.purge_salts", purge_salts)

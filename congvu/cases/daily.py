"""Daily jobs of the cases app, registered with `congvu.core.daily`."""

from __future__ import annotations

from congvu.core import daily

from . import clocks, default_handler, export_jobs, retention, unattended

daily.register("cases.deadline_digest", clocks.send_digests)
daily.register("cases.retention", retention.daily_job)
daily.register("cases.default_handler_sweep", default_handler.sweep)
daily.register("cases.export_purge", export_jobs.purge)
# After the sweep: a default cleared today no longer gives the new cases to anyone.
daily.register("cases.unattended_notice", unattended.daily_job)

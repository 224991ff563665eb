"""Daily job of the audit app, registered with `congvu.core.daily`: the chain's
verification, whose outcome the audit log's page shows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from congvu.core import daily

from . import services


def verify_chain_daily(day: dt.date) -> dict[str, Any]:
    run = services.run_verification()
    return {"checked": run.checked, "ok": run.ok, "first_bad": run.first_bad_id}


daily.register("audit.verify", verify_chain_daily)

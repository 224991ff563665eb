"""Recompute the monthly rating rollups from the raw ratings (same results as kept live)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from congvu.feedback import rollups


class Command(BaseCommand):
    help = "Tính lại các bảng tổng hợp đánh giá theo tháng từ dữ liệu gốc."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        result = rollups.rebuild()
        self.stdout.write(
            f"Rebuilt the rating rollups from {result['ratings']} ratings in "
            f"{time.monotonic() - started:.1f} s: "
            f"{result['organisation_months']} organisation-months, "
            f"{result['staff_months']} staff-months, "
            f"{result['criterion_months']} criterion-months."
        )

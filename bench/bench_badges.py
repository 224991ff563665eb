"""How long a badge sheet (A4 PDF, 8 QR cards a page) takes to render, by number of cards.

    .venv/bin/python bench/bench_badges.py                 # 50, 200 and 600 cards
    .venv/bin/python bench/bench_badges.py --cards 1000

Stand-in staff members (realistic Vietnamese names and positions, no database):
what is measured is `organisations.badges.render_sheet`, QR codes and WeasyPrint.
Results: stdout and bench/results/badges.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results" / "badges.json"


def member(n: int) -> SimpleNamespace:
    return SimpleNamespace(
        full_name="Nguyễn Thị Thanh Hương" if n % 3 == 0 else f"Trần Văn An {n}",
        position_title="Phó Trưởng phòng Hành chính – Tổng hợp" if n % 2 else "Chuyên viên",
        organisation=SimpleNamespace(name="Sở Tư pháp tỉnh Hưng Yên"),
        division=SimpleNamespace(name="Phòng Hành chính tư pháp") if n % 4 == 0 else None,
        badge_token=f"b{n:07d}-QWERTYUIOPASDF",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, nargs="+", default=[50, 200, 600])
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench")
    import django

    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    from congvu.organisations import badges

    rows = []
    for count in args.cards:
        staff = [member(n) for n in range(count)]
        began = time.perf_counter()
        pdf = badges.render_sheet(staff, title="Sở Tư pháp", site_url="https://congvu.example.vn")  # type: ignore[arg-type]
        seconds = time.perf_counter() - began
        rows.append({"cards": count, "seconds": round(seconds, 2), "bytes": len(pdf)})
        print(f"{count} cards: {seconds:.2f} s ({seconds / count * 1000:.1f} ms a card)")
    RESULTS.write_text(
        json.dumps({"measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "runs": rows}, indent=2)
        + "\n"
    )
    print(f"saved to {RESULTS}")


if __name__ == "__main__":
    main()

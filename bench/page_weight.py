"""The weight of the dashboards: each page's HTML and every file it loads, raw and `gzip -9`.

    CONGVU_SQLITE_PATH=/path/demo.sqlite3 CONGVU_VAR_DIR=/path/var \\
        .venv/bin/python bench/page_weight.py [--root /path/to/another/checkout]

On the demo province (`manage.py demo`), signed in as its Home Affairs officer (`noivu`),
in process through the test client (so the HTML is what the app sends, before any proxy
compresses it). The files are those the page names in `<link href>`, `<script src>` and
`<img src>` under /static/, read from the checkout's `static/` folder. `--root` weighs
another checkout on the same data (main's, for *before*). Use a copy of the database:
signing in writes a session.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

PAGES = ("/dashboard/", "/cases/dashboard/")
USER = "noivu"
ASSET = re.compile(r'<(?:link[^>]*href|script[^>]*src|img[^>]*src)="(/static/[^"?#]+)')


def sizes(data: bytes) -> tuple[int, int]:
    """Raw bytes and `gzip -9 -n` bytes."""
    packed = subprocess.run(
        ["gzip", "-9", "-n", "-c"], input=data, capture_output=True, check=True
    ).stdout
    return len(data), len(packed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=str(Path(__file__).resolve().parent.parent))
    args = parser.parse_args()
    root = Path(args.root).resolve()
    sys.path.insert(0, str(root))
    os.chdir(root)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.test import Client

    from congvu.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=USER))
    session = client.session
    session["congvu_2fa"] = True
    session.save()
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        html = response.content
        rows = [(f"`{path}` HTML", *sizes(html))]
        for asset in dict.fromkeys(ASSET.findall(html.decode())):
            file = root / "static" / asset.removeprefix("/static/")
            rows.append((f"`{asset.removeprefix('/static/')}`", *sizes(file.read_bytes())))
        print(f"\n{path} ({root})")
        for name, raw, packed in rows:
            print(f"| {name} | {raw:,} / {packed:,} |")
        total_raw = sum(raw for _n, raw, _p in rows)
        total_packed = sum(packed for _n, _r, packed in rows)
        print(f"| **total** ({len(rows)} files) | **{total_raw:,} / {total_packed:,}** |")


if __name__ == "__main__":
    main()

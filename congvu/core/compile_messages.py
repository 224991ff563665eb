"""Compile the .po catalogues to .mo without GNU gettext (so a fresh machine needs only Python).

Usage: python -m congvu.core.compile_messages [--check]
With --check, exit 1 when a committed .mo file is missing or out of date.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import polib  # type: ignore[import-untyped]

LOCALE = Path(__file__).resolve().parents[2] / "locale"


def compiled(po_path: Path) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "django.mo"
        polib.pofile(str(po_path)).save_as_mofile(str(target))
        return target.read_bytes()


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    # django.po for the pages; djangojs.po for scripts (the passkeys library's strings).
    for po_path in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        data = compiled(po_path)
        if check:
            if not mo_path.exists() or mo_path.read_bytes() != data:
                stale.append(str(mo_path))
        else:
            mo_path.write_bytes(data)
            print(f"compiled {mo_path}")
    if stale:
        print("Out of date (run `make messages`): " + ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

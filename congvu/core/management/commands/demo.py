"""Build the demo province: `manage.py demo [--if-empty | --reset] [--seed N] [sizes…]`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from congvu.core import demo, seeds
from congvu.organisations.models import Organisation


def format_logins(logins: list[demo.Login]) -> str:
    """A plain-text table of the demo logins (what `demo` prints and `serve` re-prints)."""
    header = ("Tài khoản / username", "Vai trò / role", "Cơ quan / organisation", "Mật khẩu")
    rows = [header] + [(x.username, x.role, x.organisation, x.password) for x in logins]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


def write_logins_file(path: Path, text: str) -> None:
    """Write the logins readable by the owner only: they are live passwords."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    path.chmod(0o600)  # O_CREAT's mode does not apply to a file that already existed


class Command(BaseCommand):
    help = (
        "Tạo tỉnh demo (Hưng Yên sau sắp xếp 01/07/2025) với cơ quan, cán bộ, bộ quy tắc, "
        "Kế hoạch 86/KH-UBND và một tài khoản cho mỗi vai trò. / Build the demo province."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (but print the saved logins) when an organisation already exists.",
        )
        parser.add_argument(
            "--reset", action="store_true", help="Flush the whole database first, then rebuild."
        )
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED)
        parser.add_argument("--staff", type=int, default=None, help="Number of staff members.")
        parser.add_argument("--communes", type=int, default=None, help="Communes and wards.")
        parser.add_argument("--units", type=int, default=None, help="Public service units.")
        parser.add_argument(
            "--scale",
            action="store_true",
            help="Scale data set: 2,000 organisations and 40,000 staff (sizes can be overridden).",
        )
        parser.add_argument(
            "--organisations",
            type=int,
            default=None,
            help="With --scale: total number of organisations (default 2000).",
        )
        parser.add_argument(
            "--logins-file",
            type=Path,
            default=None,
            help="Where to write the logins (default var/demo-logins.txt, mode 600).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        logins_file: Path = options["logins_file"] or settings.VAR_DIR / "demo-logins.txt"
        if options["if_empty"] and options["reset"]:
            raise CommandError("--if-empty và --reset không dùng cùng nhau. / Pick one.")
        if Organisation.objects.exists():
            if options["if_empty"]:
                self.stdout.write("Đã có dữ liệu, không tạo demo. / Data exists, demo skipped.")
                if logins_file.exists():
                    self.stdout.write(logins_file.read_text(encoding="utf-8"))
                return
            if not options["reset"]:
                raise CommandError(
                    "Cơ sở dữ liệu đã có dữ liệu: dùng --reset để xóa toàn bộ và tạo lại, "
                    "hoặc --if-empty. / The database is not empty: use --reset to flush it "
                    "and rebuild, or --if-empty."
                )
            call_command("flush", interactive=False, verbosity=0)
            # The flush also empties what the data migrations loaded (kinds, satisfaction
            # scales, case rules): without the scales the demo's ratings are refused.
            seeds.restore_all()
        result = demo.build(self._size(options), seed=options["seed"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã tạo {result.organisations} cơ quan, đơn vị và {result.staff} cán bộ "
                f"trong {result.seconds:.1f} s (seed {options['seed']}). / Demo built."
            )
        )
        text = (
            "Tài khoản demo (mật khẩu ngẫu nhiên, chỉ dùng để thử) / "
            "Demo logins (random passwords, for trying the product only):\n\n"
            + format_logins(result.logins)
        )
        write_logins_file(logins_file, text)
        self.stdout.write(text)
        self.stdout.write(f"Đã lưu vào / saved to {logins_file} (chmod 600).")

    def _size(self, options: dict[str, Any]) -> demo.Size:
        if options["scale"]:
            base = demo.Size.scale(
                organisations=options["organisations"] or 2000, staff=options["staff"] or 40000
            )
        else:
            if options["organisations"] is not None:
                raise CommandError("--organisations chỉ dùng với --scale. / Use with --scale.")
            base = demo.DEMO_SIZE
        sizes = {
            name: options[name]
            for name in ("staff", "communes", "units")
            if options[name] is not None
        }
        for name, value in sizes.items():
            if value < 0:
                raise CommandError(f"--{name} phải ≥ 0. / must be ≥ 0.")
        if sizes.get("communes") == 0:
            raise CommandError("--communes phải ≥ 1. / must be ≥ 1.")
        return demo.Size(
            communes=sizes.get("communes", base.communes),
            units=sizes.get("units", base.units),
            staff=sizes.get("staff", base.staff),
            organisations=base.organisations,
        )

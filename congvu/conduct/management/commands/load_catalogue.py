"""Load the default code-of-conduct catalogue (seed section II) for one scope."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from congvu.conduct.models import Clause
from congvu.conduct.services import load_seed_catalogue
from congvu.organisations.models import Organisation


class Command(BaseCommand):
    help = "Nạp bộ quy tắc ứng xử mặc định cho một phạm vi. / Load the default catalogue."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scope", required=True, help="Mã định danh của cơ quan (thường là UBND tỉnh)."
        )
        parser.add_argument(
            "--draft",
            action="store_true",
            help="Nạp dưới dạng dự thảo, không đưa vào áp dụng. / Load as a draft only.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        scope = Organisation.objects.filter(code=options["scope"]).first()
        if scope is None:
            raise CommandError(
                f"Không có cơ quan mã {options['scope']}. / No organisation with this code."
            )
        try:
            version = load_seed_catalogue(scope=scope, actor=None, activate=not options["draft"])
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        clauses = Clause.objects.filter(section__version=version).count()
        self.stdout.write(
            self.style.SUCCESS(
                f"{version} — {version.get_status_display()} — "
                f"{version.sections.count()} mục, {clauses} chuẩn mực (pk={version.pk})"
            )
        )

"""The app's URLs plus one view for `bench_ratings_submit.py --floor` (never in production).

`/bench/insert-one-row` is the issue's reference "view inserting one row": one
INSERT of one small row into a table with no index but its primary key, in
autocommit (one transaction), through Django's cursor — the least any view that
stores something before answering can do. Measured in the same run as the
trivial view and the rating endpoint, it shows how much of the ratio target a
synchronous write leaves on this machine.
"""

from __future__ import annotations

import time

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as app_urlpatterns

TABLE = "bench_floor"


def create_table() -> None:
    """The one-row table, empty (the bench process calls this before serving)."""
    key = "bigserial" if connection.vendor == "postgresql" else "integer"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
        cursor.execute(f"CREATE TABLE {TABLE} (id {key} PRIMARY KEY, at double precision)")


def insert_one_row(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE} (at) VALUES (%s)", [time.time()])  # noqa: S608
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/insert-one-row", insert_one_row), *app_urlpatterns]

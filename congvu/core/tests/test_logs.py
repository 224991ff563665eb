"""The server's log: one line per event with its time, level and logger, and no secret."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator

import pytest
from django.test import Client

LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} (WARNING|ERROR|INFO) [\w.]+ ")


@pytest.fixture
def server_log() -> Iterator[io.StringIO]:
    """What the console handler (stderr in production) writes."""
    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    assert isinstance(handler, logging.StreamHandler)
    out = io.StringIO()
    previous = handler.setStream(out)
    try:
        yield out
    finally:
        handler.setStream(previous)


def test_a_log_line_has_an_iso_time_the_level_and_the_logger(db, client: Client, server_log):
    client.get("/nope-not-a-page")
    lines = server_log.getvalue().splitlines()
    assert any(LINE.match(line) and "django.request Not Found: /nope" in line for line in lines)


def test_tokens_in_paths_never_reach_the_log(db, client: Client, server_log):
    token = "SECRETtoken1234567890"
    for path in (f"/track/link/{token}", f"/d/{token}", f"/kiosk/{token}/thanks"):
        client.get(path)
    logging.getLogger("django.request").warning("Forbidden: %s", f"/q/{token}")
    text = server_log.getvalue()
    assert token not in text
    assert "/q/…" in text


def test_pdf_chatter_is_quiet(server_log):
    for name in ("weasyprint", "fontTools.subset", "fontTools.ttLib.ttFont"):
        logging.getLogger(name).info("one line per page")
    assert "one line per page" not in server_log.getvalue()
    logging.getLogger("weasyprint").warning("a real problem")
    assert "WARNING weasyprint a real problem" in server_log.getvalue()

"""`make test` runs two pytest-xdist workers at once: what one stores, the other never sees."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage


def test_a_stored_file_lands_in_this_process_temporary_folder_not_var() -> None:
    media = Path(settings.MEDIA_ROOT).resolve()
    assert not media.is_relative_to(Path(settings.VAR_DIR).resolve())
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        # pytest-xdist gives each worker a temporary folder of its own (…/popen-gw0/…).
        assert f"popen-{worker}" in media.parts
    name = default_storage.save("kiem-tra/tep.txt", ContentFile(b"noi dung"))
    try:
        assert (media / name).read_bytes() == b"noi dung"
    finally:
        default_storage.delete(name)

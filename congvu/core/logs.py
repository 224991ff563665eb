"""What goes into the server's log: one line per event, with its time, level and logger.

Log lines carry no personal data: no reporter's name or passphrase, no citizen's
address (the passphrase limit keeps only a keyed hash, in the cache). Django's own
request log names the path of every 4xx and 5xx answer, and some paths hold a secret:
a reporter's signed tracking link, the rating links of a dossier, a counter, a kiosk or
a staff member's badge. `RedactSecretPaths` cuts those tokens out of every line.
"""

from __future__ import annotations

import logging
import re
from typing import Final

#: Path segments followed by a token that opens something (see config/urls.py).
SECRET_PATH: Final = re.compile(r"/(track/link|report/s|d|q|kiosk)/[^/\s\"']+")


def redact(text: str) -> str:
    return SECRET_PATH.sub(lambda match: f"/{match.group(1)}/…", text)


class RedactSecretPaths(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True

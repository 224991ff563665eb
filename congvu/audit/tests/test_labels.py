"""Every action a service records has a readable name in the audit log."""

from __future__ import annotations

import re
from pathlib import Path

from congvu.audit import labels

CODE = Path(__file__).resolve().parents[2]
#: `record("case.assign", …)`, `record(f"inspection_programme.change_{verb}", …)`,
#: `action="case.reassign" if … else "case.assign"` passed on to `record`.
_RECORDED = re.compile(
    r'(?:record\(\s*|action=)(f?)"([a-z_]+\.[a-z_.{}]+)"(?: if .*? else "([a-z_.]+)")?'
)


def recorded_actions() -> set[str]:
    found: set[str] = set()
    for path in CODE.rglob("*.py"):
        if {"tests", "migrations"} & set(path.parts):
            continue
        for match in _RECORDED.finditer(path.read_text(encoding="utf-8")):
            found.update(a for a in match.group(2, 3) if a)
    return found


def test_every_action_written_in_the_code_has_a_label_or_a_labelled_group() -> None:
    actions = recorded_actions()
    assert {"case.assign", "case.reassign", "cases.tag_create"} <= actions  # the scan works
    unnamed = {
        action
        for action in actions
        if ("{" in action and action.split(".")[0] not in labels.GROUPS)
        or ("{" not in action and action not in labels.ACTIONS)
    }
    assert not unnamed

"""Every action a service records has a readable name in the audit log."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from congvu.audit import labels

CODE = Path(__file__).resolve().parents[2]
#: `action="case.reassign" if … else "case.assign"`, the keyword of the wrappers that pass
#: it on to `record` (the case timeline's `add_event`), wherever they are called.
_ACTION_KEYWORD = re.compile(r'action=(f?)"([a-z_]+\.[a-z_.{}]+)"(?: if .*? else "([a-z_.]+)")?')
# `record` among the names imported from the audit services (alone or with others).
_IMPORTS_RECORD = re.compile(r"^from congvu\.audit\.services import [^\n]*\brecord\b", re.M)


def _modules() -> Iterator[tuple[Path, str]]:
    for path in CODE.rglob("*.py"):
        if not {"tests", "migrations"} & set(path.parts):
            yield path, path.read_text(encoding="utf-8")


class _Actions:
    """The actions one module passes to `record(…)`, its first argument followed back
    through what the code does with it: a literal, either side of a conditional, the values
    of a module's table (`ACTIONS[to]`, how the report workflow names its transitions) and
    the argument of a wrapper (`_audit("dissemination.record", …)`). An f-string stands for
    its group ("report_period.{}"). What cannot be followed is reported, so a new way of
    naming actions makes this test fail instead of passing it by."""

    def __init__(self, path: Path, source: str) -> None:
        self.path = path
        self.tree = ast.parse(source)
        self.tables: dict[str, list[str]] = {}
        for node in self.tree.body:
            target, value = None, None
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
            elif isinstance(node, ast.AnnAssign):
                target, value = node.target, node.value
            if isinstance(target, ast.Name) and isinstance(value, ast.Dict):
                self.tables[target.id] = [
                    v.value
                    for v in value.values
                    if isinstance(v, ast.Constant) and isinstance(v.value, str)
                ]
        self.functions = {
            node.name: node
            for node in ast.walk(self.tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        }
        self.parents: dict[ast.AST, ast.AST] = {}
        for parent in ast.walk(self.tree):
            for child in ast.iter_child_nodes(parent):
                self.parents[child] = parent
        self.found: set[str] = set()
        self.unresolved: list[str] = []

    def enclosing_function(self, node: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                return node
        return None

    @staticmethod
    def argument(call: ast.Call, position: int, name: str) -> ast.expr | None:
        if position < len(call.args):
            return call.args[position]
        return next((k.value for k in call.keywords if k.arg == name), None)

    def resolve(self, expr: ast.expr, depth: int = 0) -> None:
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            self.found.add(expr.value)
        elif isinstance(expr, ast.IfExp):
            self.resolve(expr.body, depth)
            self.resolve(expr.orelse, depth)
        elif isinstance(expr, ast.JoinedStr):
            first = expr.values[0] if expr.values else None
            prefix = first.value if isinstance(first, ast.Constant) else ""
            self.found.add(f"{prefix}{{}}")
        elif (
            isinstance(expr, ast.Subscript)
            and isinstance(expr.value, ast.Name)
            and expr.value.id in self.tables
        ):
            self.found.update(self.tables[expr.value.id])
        elif isinstance(expr, ast.Name) and depth < 3 and self.resolve_parameter(expr, depth):
            pass
        else:
            self.unresolved.append(f"{self.path.name}:{expr.lineno} {ast.unparse(expr)}")

    def resolve_parameter(self, name: ast.Name, depth: int) -> bool:
        """A wrapper's parameter: what its callers in this module pass. A parameter named
        `action` with no caller here is passed by keyword from elsewhere (`_ACTION_KEYWORD`)."""
        function = self.enclosing_function(name)
        if function is None:
            return False
        parameters = [a.arg for a in (*function.args.posonlyargs, *function.args.args)]
        keywords = [a.arg for a in function.args.kwonlyargs]
        if name.id not in parameters + keywords:
            return False
        position = parameters.index(name.id) if name.id in parameters else 10**6
        callers = [
            node
            for node in ast.walk(self.tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == function.name
        ]
        if not callers:
            return name.id == "action"
        for call in callers:
            passed = self.argument(call, position, name.id)
            if passed is not None:
                self.resolve(passed, depth + 1)
        return True

    def scan(self) -> _Actions:
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "record":
                action = self.argument(node, 0, "action")
                if action is not None:
                    self.resolve(action)
        return self


def recorded_actions() -> tuple[set[str], list[str]]:
    """Every action the code records, and the arguments of `record` it could not follow."""
    found: set[str] = set()
    unresolved: list[str] = []
    for path, source in _modules():
        for match in _ACTION_KEYWORD.finditer(source):
            found.update(a for a in match.group(2, 3) if a)
        if _IMPORTS_RECORD.search(source) or path.match("audit/services.py"):
            actions = _Actions(path, source).scan()
            found |= actions.found
            unresolved += actions.unresolved
    return {a.replace("{}", "{…}") if "{" in a else a for a in found}, unresolved


def test_every_action_written_in_the_code_has_a_label_or_a_labelled_group() -> None:
    actions, unresolved = recorded_actions()
    # The scan works: a literal, a conditional, a wrapper, a table, an f-string's group.
    assert {"case.assign", "case.reassign", "cases.tag_create"} <= actions
    assert {"dissemination.record", "report.submit", "report.accept"} <= actions
    assert "inspection_programme.change_{…}" in actions
    assert not unresolved
    unnamed = {
        action
        for action in actions
        if ("{" in action and action.split(".")[0] not in labels.GROUPS)
        or ("{" not in action and action not in labels.ACTIONS)
    }
    assert not unnamed

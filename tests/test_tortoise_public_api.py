"""The desk reaches tortoise-orm through its public API only, or through plain SQL of its own.

Private names (`Model._meta`, `_init_from_db`, a client's `_lock`) change without notice between
tortoise releases, and each one used is a reason to pin tortoise below its next version. This
scan fails on any attribute whose name starts with one underscore taken from a tortoise
module, a model or another tortoise object, and on any such name imported from tortoise.

What it cannot tell by reading alone: which variable holds a tortoise object. It takes every
single-underscore name tortoise itself defines or uses and flags it on anything but `self` or
`cls` of the desk's own classes (a model's `self._meta` counts). Excluded: the migrations
(written by tortoise's own generator) and `tipdesk/sqlite_client.py`, the subclass of tortoise's
SQLite client, which must override its transaction hook.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from pathlib import Path

import tortoise

ROOT = Path(__file__).parents[1]
PACKAGES = ("tipdesk", "editorial_ui", "media_store")
EXCLUDED = (ROOT / "tipdesk" / "migrations", ROOT / "tipdesk" / "sqlite_client.py")


def private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


@functools.cache
def tortoise_private_names() -> frozenset[str]:
    """Every single-underscore name in tortoise's own source: its attributes, functions,
    classes and variables."""
    found: set[str] = set()
    for path in Path(tortoise.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute):
                found.add(node.attr)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                found.add(node.name)
            elif isinstance(node, ast.Name):
                found.add(node.id)
    return frozenset(name for name in found if private(name))


def sources() -> Iterator[Path]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if not any(path == skip or skip in path.parents for skip in EXCLUDED):
                yield path


class PrivateUse(ast.NodeVisitor):
    def __init__(self, path: Path) -> None:
        self.path = path
        self.found: list[str] = []
        self.tortoise_names: set[str] = set()  # names bound to tortoise modules or objects
        self.tortoise_classes: set[str] = {"Model"}
        self.own_class: list[bool] = []  # per enclosing class: ours, not derived from tortoise

    def flag(self, node: ast.AST, what: str) -> None:
        line = getattr(node, "lineno", 0)
        self.found.append(f"{self.path.relative_to(ROOT)}:{line}: {what}")

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name.split(".")[0] == "tortoise":
                self.tortoise_names.add((alias.asname or alias.name).split(".")[0])
                if any(private(part) for part in alias.name.split(".")):
                    self.flag(node, f"import {alias.name}")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        if module.split(".")[0] != "tortoise":
            return
        if any(private(part) for part in module.split(".")):
            self.flag(node, f"from {module} import …")
        for alias in node.names:
            self.tortoise_names.add(alias.asname or alias.name)
            if private(alias.name):
                self.flag(node, f"from {module} import {alias.name}")

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        bases = {ast.unparse(base).split(".")[-1] for base in node.bases}
        derived = bool(bases & (self.tortoise_classes | self.tortoise_names))
        if derived:
            self.tortoise_classes.add(node.name)
        self.own_class.append(not derived)
        self.generic_visit(node)
        self.own_class.pop()

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if private(node.attr):
            receiver = ast.unparse(node.value)
            root = receiver.split(".")[0].split("(")[0]
            own = receiver in ("self", "cls") and bool(self.own_class) and self.own_class[-1]
            from_tortoise = root in self.tortoise_names or root in self.tortoise_classes
            if from_tortoise or (node.attr in tortoise_private_names() and not own):
                self.flag(node, f"{receiver}.{node.attr}")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        """`getattr(x, "_meta")`: the same private name, spelt as a string."""
        reflective = ("getattr", "setattr", "hasattr")
        named = isinstance(node.func, ast.Name) and node.func.id in reflective
        if named and len(node.args) > 1 and isinstance(node.args[1], ast.Constant):
            name = node.args[1].value
            if isinstance(name, str) and name in tortoise_private_names():
                self.flag(node, f"{ast.unparse(node.func)}(…, {name!r})")
        self.generic_visit(node)


def private_uses(path: Path) -> list[str]:
    visitor = PrivateUse(path)
    visitor.visit(ast.parse(path.read_text(encoding="utf-8")))
    return visitor.found


def test_the_desk_uses_no_private_name_of_tortoise() -> None:
    found = [use for path in sources() for use in private_uses(path)]
    assert found == [], "tortoise private API used (see this module's docstring):\n" + "\n".join(
        found
    )


def test_the_scan_finds_what_it_is_for() -> None:
    """The scan itself: each way of reaching a private name is caught, the desk's own privates
    are not."""
    sample = ROOT / "tipdesk" / "sample_for_the_scan.py"
    code = """
from tortoise import connections
from tortoise.models import Model
from tortoise.fields.data import _private_helper
from tipdesk.jobs.models import Job

class Record(Model):
    def meta(self):
        return self._meta

class Ours:
    def __init__(self):
        self._lock = None
        self._waiting = []

def uses(instance, rows):
    Job._meta.db_table
    instance._meta.fields_map
    Job._init_from_db(**rows[0])
    type(instance)._init_from_db(**rows[0])
    connections._get_storage()
    getattr(instance, "_saved_in_db")
"""
    visitor = PrivateUse(sample)
    visitor.visit(ast.parse(code))
    caught = [use.split(": ", 1)[1] for use in visitor.found]
    assert caught == [
        "from tortoise.fields.data import _private_helper",
        "self._meta",
        "Job._meta",
        "instance._meta",
        "Job._init_from_db",
        "type(instance)._init_from_db",
        "connections._get_storage",
        "getattr(…, '_saved_in_db')",
    ]

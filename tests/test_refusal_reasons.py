"""Every refusal a person can meet carries a reason the board words in the editor's language.

Read from the source, not run: an `InvalidInput(...)` (or any `TipdeskError` subclass) built
without `reason=` fails here, wherever it is, so a new refusal cannot reach a Dutch page in
English. Each reason needs its `refusal.<reason>` text in the one table, in both languages,
with the placeholders its `values` give."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import string
from collections.abc import Iterator
from pathlib import Path

import editorial_ui
import tipdesk
from editorial_ui.i18n import TABLE
from tipdesk.editors.accounts import PasswordRule
from tipdesk.errors import DatabaseUnavailable, SettingsError, TipdeskError

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("tipdesk", "editorial_ui")
# Where only a script or an operator reads the English message, so no reason is needed.
ENGLISH_ONLY = {
    "tipdesk/api/": "the API answers scripts: its JSON keeps code and English message",
    "tipdesk/cli.py": "the CLI prints the English message to the operator at a console",
    "tipdesk/settings.py": "a bad setting stops the start; the operator reads it in the log",
    "tipdesk/whatsapp/": "Meta's webhook and the sandbox's JSON API, read by machines and by "
    "the sandbox page's own script, a test tool that shows the message as it is",
    "tipdesk/migrations/": "schema changes, run before any page is served",
}


def _refusal_classes() -> dict[str, type[TipdeskError]]:
    """The hierarchy as it stands once every module is imported (some define their own)."""
    for package in (tipdesk, editorial_ui):
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if ".migrations." not in module.name and not module.name.endswith("__main__"):
                importlib.import_module(module.name)
    found: dict[str, type[TipdeskError]] = {}
    todo: list[type[TipdeskError]] = [TipdeskError]
    while todo:
        cls = todo.pop()
        found[cls.__name__] = cls
        todo.extend(cls.__subclasses__())
    return found


def _needs_reason() -> set[str]:
    """Classes built from a message: a subclass with its own `__init__` gives its reason
    itself (PasswordRefused) or is worded by its own page (the reader's tip form)."""
    return {
        name
        for name, cls in _refusal_classes().items()
        if ("__init__" not in vars(cls) or cls is TipdeskError)
        # These stop the start (a setting, the database): only the operator reads them.
        and not issubclass(cls, SettingsError | DatabaseUnavailable)
    }


def _sources() -> Iterator[tuple[str, ast.Module]]:
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if not any(relative.startswith(prefix) for prefix in ENGLISH_ONLY):
                yield relative, ast.parse(path.read_text(encoding="utf-8"))


def _raised_refusals() -> Iterator[tuple[str, ast.Call]]:
    """Every refusal built, raised at once or handed on (a page's gate raises it later)."""
    names = _needs_reason()
    for relative, tree in _sources():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name in names:
                yield f"{relative}:{node.lineno}", node


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _placeholders(words: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(words) if field}


def test_every_refusal_outside_the_english_only_edges_has_a_reason() -> None:
    missing = [where for where, call in _raised_refusals() if _keyword(call, "reason") is None]
    assert missing == [], f"refusals built without reason=...: {missing}"


def test_the_scan_sees_the_desk_s_refusals() -> None:
    # A scan that found nothing would pass the test above for the wrong reason.
    assert {"InvalidInput", "Forbidden", "NotFound", "Conflict"} <= _needs_reason()
    assert "PasswordRefused" not in _needs_reason()
    assert sum(1 for _ in _raised_refusals()) > 100


def test_every_reason_is_a_literal_with_words_in_both_languages() -> None:
    problems = []
    for where, call in _raised_refusals():
        reason = _keyword(call, "reason")
        if reason is None:  # the test above names it
            continue
        if not (isinstance(reason, ast.Constant) and isinstance(reason.value, str)):
            problems.append(f"{where}: the reason must be a string literal")
            continue
        key = f"refusal.{reason.value}"
        if key not in TABLE:
            problems.append(f"{where}: no {key} in the table")
            continue
        given = _value_names(_keyword(call, "values"))
        for words in TABLE[key]:
            if not words.strip() or (given is not None and _placeholders(words) != given):
                problems.append(f"{where}: {key} {words!r} does not use exactly {given}")
    assert problems == []


def _value_names(values: ast.expr | None) -> set[str] | None:
    """The names a `values={...}` literal gives; None when they are not written out."""
    if values is None:
        return set()
    if isinstance(values, ast.Dict) and all(isinstance(k, ast.Constant) for k in values.keys):
        return {str(k.value) for k in values.keys if isinstance(k, ast.Constant)}
    return None


def test_every_password_rule_is_a_reason_with_words() -> None:
    for rule in PasswordRule:
        for words in TABLE[f"refusal.password_{rule.value}"]:
            assert _placeholders(words) <= {"limit"}


def test_every_refusal_text_in_the_table_is_used() -> None:
    used = {
        f"refusal.{reason.value}"
        for _, call in _raised_refusals()
        if isinstance(reason := _keyword(call, "reason"), ast.Constant)
    }
    used |= {f"refusal.password_{rule.value}" for rule in PasswordRule}
    assert {key for key in TABLE if key.startswith("refusal.")} == used

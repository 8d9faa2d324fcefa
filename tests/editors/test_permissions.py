"""Who may do what, role by role, and the guard that keeps every role comparison in
tipdesk/editors/permissions.py: a rule written a second way elsewhere drifts from the first."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tipdesk.editors.models import Editor, Role
from tipdesk.editors.permissions import (
    HELD_BY_ANOTHER,
    check_may_work_on,
    may_administer,
    may_assign,
    may_override_consent,
    may_reply_without_claiming,
    may_see_reports,
    may_take_over,
    may_work_on,
    runs_the_desk,
)
from tipdesk.errors import Conflict

ROOT = Path(__file__).parents[2]
SOURCE_ROOTS = ("tipdesk", "editorial_ui", "media_store", "scripts")
TEMPLATES = ROOT / "editorial_ui" / "templates"
# The only files that may name a role as a rule would: each says why.
PERMITTED = {
    "tipdesk/editors/permissions.py": "the rules themselves",
    "tipdesk/editors/models.py": "defines the roles",
    "tipdesk/cli.py": "creates accounts: the first admin, `tipdesk editor add --role`",
}
PERMITTED_FOLDERS = ("tipdesk/migrations/",)
ROLE_NAMES = frozenset(role.value for role in Role)
DESK_ROLES = frozenset({"CHIEF", "ADMIN"})
ME, COLLEAGUE = 7, 8


def editor(role: Role) -> Editor:
    return Editor(id=ME, role=role)


@pytest.mark.parametrize(
    ("rule", "editor_may", "chief_may", "admin_may"),
    [
        (runs_the_desk, False, True, True),
        (may_see_reports, False, True, True),
        (may_assign, False, True, True),
        (may_take_over, False, True, True),
        (may_override_consent, False, True, True),
        (may_administer, False, False, True),
    ],
)
def test_each_role_may_what_the_desk_allows_it(
    rule: Callable[[Editor], bool], editor_may: bool, chief_may: bool, admin_may: bool
) -> None:
    assert [rule(editor(role)) for role in (Role.EDITOR, Role.CHIEF, Role.ADMIN)] == [
        editor_may, chief_may, admin_may,
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("holder", "role", "may"),
    [
        (None, Role.EDITOR, True),
        (ME, Role.EDITOR, True),
        (COLLEAGUE, Role.EDITOR, False),
        (COLLEAGUE, Role.CHIEF, True),
        (COLLEAGUE, Role.ADMIN, True),
    ],
)
def test_the_claim_rule(holder: int | None, role: Role, may: bool) -> None:
    assert may_work_on(holder, editor(role)) is may


def test_working_on_a_colleagues_tip_is_a_conflict() -> None:
    check_may_work_on(None, editor(Role.EDITOR))
    with pytest.raises(Conflict, match=HELD_BY_ANOTHER):
        check_may_work_on(COLLEAGUE, editor(Role.EDITOR))


@pytest.mark.parametrize(
    ("holder", "role", "claims_first"),
    [
        (None, Role.EDITOR, True),  # the reply claims the free tip
        (COLLEAGUE, Role.EDITOR, True),  # and the claim refuses: held by another
        (ME, Role.EDITOR, False),
        (None, Role.CHIEF, False),  # a chief answers without taking the tip
        (COLLEAGUE, Role.ADMIN, False),
    ],
)
def test_a_reply_claims_unless_held_or_sent_by_a_chief(
    holder: int | None, role: Role, claims_first: bool
) -> None:
    assert may_reply_without_claiming(holder, editor(role)) is not claims_first


def role_comparisons(source: str) -> Iterator[int]:
    """Lines that name a chief or admin (`Role.CHIEF`) or compare a role with a role's name."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in DESK_ROLES and _names_role(node.value):
            yield node.lineno
        elif isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(_is_role(o) for o in operands) and any(_role_literal(o) for o in operands):
                yield node.lineno


def _names_role(node: ast.expr) -> bool:
    return (isinstance(node, ast.Name) and node.id == "Role") or (
        isinstance(node, ast.Attribute) and node.attr == "Role"
    )


def _is_role(node: ast.expr) -> bool:
    """`editor.role`, `editor.role.value`, or a variable called `role`."""
    if isinstance(node, ast.Attribute) and node.attr == "value":
        return _is_role(node.value)
    return (isinstance(node, ast.Attribute) and node.attr == "role") or (
        isinstance(node, ast.Name) and node.id == "role"
    )


def _role_literal(node: ast.expr) -> bool:
    return any(
        isinstance(part, ast.Constant) and part.value in ROLE_NAMES for part in ast.walk(node)
    )


# `editor.role == "admin"`, `editor.role in ("chief", "admin")`, `"admin" == editor.role`
TEMPLATE_COMPARISON = re.compile(
    r"""\brole\s*(==|!=|\bin\b|\bis\b)\s*[(\['"]|['"](chief|admin|editor)['"]\s*(==|!=|\bin\b)"""
)


def template_role_comparisons(template: str) -> Iterator[int]:
    for number, line in enumerate(template.splitlines(), start=1):
        if TEMPLATE_COMPARISON.search(line):
            yield number


def _python_sources() -> Iterator[tuple[str, Path]]:
    for folder in SOURCE_ROOTS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if name not in PERMITTED and not name.startswith(PERMITTED_FOLDERS):
                yield name, path


def test_no_role_comparison_outside_the_permissions_module() -> None:
    found = [
        f"{name}:{line}"
        for name, path in _python_sources()
        for line in role_comparisons(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "ask tipdesk/editors/permissions.py instead"


def test_no_template_compares_roles() -> None:
    found = [
        f"{path.relative_to(ROOT).as_posix()}:{line}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for line in template_role_comparisons(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "pass a predicate from tipdesk/editors/permissions.py (pages.py)"


@pytest.mark.parametrize(
    "source",
    [
        "ok = editor.role in (Role.CHIEF, Role.ADMIN)",
        "ok = editor.role is not models.Role.ADMIN",
        "desk = {Role.CHIEF}",
        "ok = editor.role == 'admin'",
        "ok = editor.role.value in ['chief', 'admin']",
        "ok = 'chief' == role",
    ],
)
def test_the_guard_sees_each_way_a_rule_was_written(source: str) -> None:
    assert set(role_comparisons(source)) == {1}


@pytest.mark.parametrize(
    "source",
    ["changed = editor.role is not chosen", "options = [r.value for r in Role]", "a = 'role'"],
)
def test_the_guard_lets_other_uses_of_roles_pass(source: str) -> None:
    assert list(role_comparisons(source)) == []


@pytest.mark.parametrize(
    ("template", "flagged"),
    [
        ('{% if editor.role == "admin" %}', True),
        ("{% if editor.role in ('chief', 'admin') %}", True),
        ('{% if "chief" == editor.role %}', True),
        ("{% if role == person.role %} selected{% endif %}", False),
        ("{% for role in roles %}{{ role }}{% endfor %}", False),
        ("{% if may_administer(editor) %}", False),
    ],
)
def test_the_template_guard(template: str, flagged: bool) -> None:
    assert bool(list(template_role_comparisons(template))) is flagged

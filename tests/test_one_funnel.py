"""One funnel for changes: every write that others must hear about goes through a domain action.

The rule, checked on the source with `ast` (so it holds for code no test happens to run):

1. Web modules (`editorial_ui/`, `tipdesk/api/`, `tipdesk/app.py`, `tipdesk/cli.py`,
   `tipdesk/desk.py`, `tipdesk/__main__.py`) write nothing themselves: no `.save()` or
   `.delete()` on anything, no `create`/`update`/`bulk_create`/… on a chain that starts at a
   model class, no raw SQL execution, and no audit event (they never import the audit
   writer). They parse input, call an action and render its result; reading is theirs.
2. Conversation modules (`tipdesk/conversation/`) own readers, consent and the messages the
   desk sends; a tip's own rows (tips, their notes, media) they change only through the tips
   package's actions (`tips/actions.py`, `tips/marks.py`, …), in ORM calls or in plain SQL.
3. Nothing outside `tipdesk/audit/` writes `AuditEvent` rows: every event goes through
   `tipdesk.audit.trail.record`, which takes an `AuditAction`, never a free string.

A write hidden behind a variable (`model = Tip; model.filter(...).update()`) escapes the scan;
the tests at the end show what it does catch, so the rule cannot quietly rot into passing.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEB = [
    *sorted((ROOT / "editorial_ui").rglob("*.py")),
    *sorted((ROOT / "tipdesk" / "api").rglob("*.py")),
    *(ROOT / "tipdesk" / name for name in ("app.py", "cli.py", "desk.py", "__main__.py")),
]
CONVERSATION = sorted((ROOT / "tipdesk" / "conversation").rglob("*.py"))
AUDIT = ROOT / "tipdesk" / "audit"
EVERYTHING = [
    path
    for package in ("tipdesk", "editorial_ui", "media_store")
    for path in sorted((ROOT / package).rglob("*.py"))
    if "migrations" not in path.parts
]

# Queryset and manager calls that write; `save` and `delete` also on instances.
WRITES = {
    "create", "update", "delete", "save", "bulk_create", "bulk_update", "get_or_create",
    "update_or_create", "update_from_dict", "add", "remove", "clear",
}  # fmt: skip
INSTANCE_WRITES = {"save", "delete"}
RAW_SQL = {"execute", "execute_query", "execute_script", "execute_insert", "execute_many"}
TIP_ROWS = {"Tip", "TipNote", "MediaAsset", "MediaVariant"}
TIP_TABLES = re.compile(
    r"\b(UPDATE|INSERT\s+INTO|DELETE\s+FROM)\s+(tips|tip_notes|media_assets|media_variants|"
    r"audit_events)\b",
    re.IGNORECASE,
)


def model_classes() -> set[str]:
    """Every tortoise model of the desk, by class name (each package's models.py)."""
    names = set()
    for path in (ROOT / "tipdesk").rglob("models.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and any(
                (isinstance(base, ast.Name) and base.id == "Model")
                or (isinstance(base, ast.Attribute) and base.attr == "Model")
                for base in node.bases
            ):
                names.add(node.name)
    return names


def chain_root(node: ast.expr) -> str | None:
    """`Tip` for `Tip.filter(id=1).using_db(c).update(...)`'s receiver."""
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute | ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Name):
            return node.id
        else:
            return None


def writes(tree: ast.AST) -> Iterator[tuple[int, str, str | None]]:
    """(line, method, the name the chain starts at) of every call to a writing method."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in WRITES | RAW_SQL
        ):
            yield node.lineno, node.func.attr, chain_root(node.func.value)


def imports(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.lineno, node.module
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name


def web_violations(source: str, models: set[str]) -> list[str]:
    tree = ast.parse(source)
    found = []
    for line, method, root in writes(tree):
        if method in INSTANCE_WRITES or method in RAW_SQL or (root in models):
            found.append(f"{line}: {root}….{method}()")
    writer = {line for line, module in imports(tree) if module.startswith("tipdesk.audit.trail")}
    return found + [f"{line}: imports the audit writer" for line in sorted(writer)]


def conversation_violations(source: str) -> list[str]:
    tree = ast.parse(source)
    found = [
        f"{line}: {root}….{method}()"
        for line, method, root in writes(tree)
        if root in TIP_ROWS or root == "AuditEvent"
    ]
    for node in ast.walk(tree):
        text = node.value if isinstance(node, ast.Constant) else None
        if isinstance(text, str) and (match := TIP_TABLES.search(text)):
            found.append(f"{node.lineno}: SQL {match.group(0)!r}")
    return found


def audit_violations(source: str) -> list[str]:
    tree = ast.parse(source)
    found = [
        f"{line}: AuditEvent….{method}()"
        for line, method, root in writes(tree)
        if root == "AuditEvent"
    ]
    for node in ast.walk(tree):
        called = node.func if isinstance(node, ast.Call) else None
        if isinstance(called, ast.Name) and called.id == "AuditEvent":
            found.append(f"{node.lineno}: AuditEvent(...)")
    return found


def report(paths: list[Path], check: object) -> list[str]:
    assert callable(check)
    return [
        f"{path.relative_to(ROOT)}:{problem}"
        for path in paths
        for problem in check(path.read_text())
    ]


def test_web_modules_write_nothing_themselves() -> None:
    models = model_classes()
    assert {"Tip", "Editor", "Job", "AuditEvent", "ConsentRecord"} <= models
    assert report(WEB, lambda source: web_violations(source, models)) == []


def test_conversation_changes_tips_only_through_tip_actions() -> None:
    assert report(CONVERSATION, conversation_violations) == []


def test_only_the_audit_package_writes_audit_events() -> None:
    outside = [path for path in EVERYTHING if AUDIT not in path.parents]
    assert report(outside, audit_violations) == []


def test_the_scan_catches_what_it_forbids() -> None:
    models = {"Tip", "Editor"}
    route = """
async def route(editor):
    await Editor.filter(id=1).update(last_login_at=None)
    await (Tip.filter(id=2).using_db(c).update(status="used"))
    await editor.save()
    await connection.execute_query("DELETE FROM jobs")
    settings.update({"a": 1})  # a dict: not a model
from tipdesk.audit.trail import record
"""
    assert len(web_violations(route, models)) == 5
    conversation = """
async def reply(connection):
    await Tip.filter(id=1).using_db(connection).update(updated_at=None)
    await Sender.filter(id=1).update(blocked_at=None)  # readers are conversation's own
    await plain_sql.execute(connection, "UPDATE tips SET desk = ? WHERE id = ?", [])
    await AuditEvent.create(action="tip.replied")
"""
    assert len(conversation_violations(conversation)) == 3
    domain = """
async def act():
    await AuditEvent.create(action="tip.claimed")
    event = AuditEvent(action="tip.claimed")
    await AuditEvent.filter(id=1).update(detail={})
    await AuditEvent.filter(tip_id=1)  # reading is fine
"""
    assert len(audit_violations(domain)) == 3

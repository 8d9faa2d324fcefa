"""The tip page's handling forms over HTTP: notes, tags, desk, assignment, merge and split,
each refused whole when its input is wrong, and everything a person typed escaped."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.editorial_ui.sessions import PASSWORD, csrf, log_in_as
from tests.tips_factory import make_tip
from tipdesk.audit.models import AuditEvent
from tipdesk.editors.accounts import create_editor
from tipdesk.editors.models import Editor, Role
from tipdesk.tips.models import Message, Tip, TipNote

pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture
async def anne(client: httpx.AsyncClient) -> str:
    """Anne, an editor, logged in; her CSRF token."""
    await create_editor("anne@desk.example", "Anne de Jong", Role.EDITOR, PASSWORD)
    await log_in_as(client, "anne@desk.example")
    return await csrf(client, "/board")


async def act(client: httpx.AsyncClient, tip: Tip, action: str, token: str, **fields: str) -> str:
    """Posts a form of the tip page; the page it leads to."""
    response = await client.post(f"/tips/{tip.id}/{action}", data={"csrf_token": token, **fields})
    assert response.status_code == 303, response.text
    return (await client.get(response.headers["location"])).text


async def test_notes_tags_and_desk_through_the_forms_are_escaped(
    client: httpx.AsyncClient, anne: str
) -> None:
    tip = await make_tip("Brand")
    page = await act(client, tip, "note", anne, text="<script>alert(1)</script> gebeld")
    assert "Notitie toegevoegd." in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; gebeld" in page and "<script>alert" not in page
    page = await act(client, tip, "tags", anne, tags="Storm, #a2 verkeer")
    assert (await Tip.get(id=tip.id)).tags == ["storm", "a2", "verkeer"]
    assert 'value="storm, a2, verkeer"' in page
    await act(client, tip, "desk", anne, desk="Regio Noord")
    assert (await Tip.get(id=tip.id)).desk == "regio-noord"
    page = (await client.get(f"/tips/{tip.id}")).text
    assert '<option value="regio-noord">' in page  # desks in use are offered
    # The history speaks the editor's language, not the audit trail's codes.
    assert "notitie toegevoegd" in page and "labels gewijzigd" in page
    assert "tip.note_added" not in page and "tip.created" not in page


@pytest.mark.parametrize(
    ("action", "fields", "says"),
    [
        ("note", {"text": "é" * 5001}, "hoogstens 5000 tekens"),
        ("note", {"text": "   "}, "De notitie is leeg."),
        ("tags", {"tags": "<b>vet</b>"}, "is geen label"),
        ("tags", {"tags": "a" * 2001}, "hoogstens 20 labels"),
        ("tags", {"tags": " ".join(f"t{n}" for n in range(21))}, "hoogstens 20 labels"),
        ("desk", {"desk": "sport<script>"}, "is geen redactienaam"),
        ("assign", {"editor_id": "1"}, "Alleen een chef"),
        ("merge", {"source_id": "abc"}, "Kies er een uit de lijst."),
        ("merge", {"source_id": "99999"}, "Deze tip bestaat niet."),
        ("split", {"external_id": "w.nope"}, "hoort niet bij deze tip"),
        # NUL: PostgreSQL refuses it
        ("split", {"external_id": "w.\x00"}, "hoort niet bij deze tip"),
        ("note", {"text": "\x00"}, "De notitie is leeg."),
    ],
)
async def test_wrong_form_input_says_why_and_changes_nothing(
    client: httpx.AsyncClient, anne: str, action: str, fields: dict[str, str], says: str
) -> None:
    tip = await make_tip("Brand")
    await Message.create(
        channel="whatsapp",
        external_id="w.second", tip=tip, sender_id=tip.sender_id, direction="in", type="text",
        text="tweede", sent_at=tip.last_message_at,
    )  # fmt: skip
    before = await AuditEvent.all().count()
    page = await act(client, tip, action, anne, **fields)
    assert says in page
    assert "&lt;script&gt;" in page or "<script>" not in page
    after = await Tip.get(id=tip.id)
    assert (after.tags, after.desk, after.claimed_by_id) == ([], None, None)
    assert await AuditEvent.all().count() == before and not await TipNote.exists()
    assert await Tip.all().count() == 1


async def test_forms_without_the_csrf_token_are_refused(
    client: httpx.AsyncClient, anne: str
) -> None:
    tip = await make_tip("Brand")
    for action in ("note", "tags", "desk", "assign", "merge", "split"):
        response = await client.post(f"/tips/{tip.id}/{action}", data={"text": "x", "tags": "x"})
        assert response.status_code == 403, action
    assert not await TipNote.exists()


async def test_a_chief_assigns_from_the_tip_page(client: httpx.AsyncClient) -> None:
    await create_editor("carla@desk.example", "Carla", Role.CHIEF, PASSWORD)
    await create_editor("anne@desk.example", "Anne de Jong", Role.EDITOR, PASSWORD)
    await log_in_as(client, "carla@desk.example")
    tip = await make_tip("Brand")
    page = await act(client, tip, "assign", await csrf(client, "/board"), editor_id=str(
        (await Editor.get(email="anne@desk.example")).id
    ))  # fmt: skip
    assert "Toegewezen." in page and "geclaimd door Anne de Jong" in page


async def test_merge_and_split_from_the_tip_page(client: httpx.AsyncClient, anne: str) -> None:
    first, second = await make_tip("Brand in de haven"), await make_tip("Ook rook bij de kade")
    page = (await client.get(f"/tips/{first.id}")).text
    assert f'<option value="{second.id}">' in page  # the reader's other open tip is offered
    page = await act(client, first, "merge", anne, source_id=str(second.id))
    assert f"Tip #{second.id} is hierin samengevoegd." in page and "Ook rook bij de kade" in page
    merged = (await client.get(f"/tips/{second.id}")).text
    assert f'href="/tips/{first.id}"' in merged and "samengevoegd in" in merged
    assert f'action="/tips/{second.id}/note"' not in merged  # no forms on a merged-away tip
    board = (await client.get("/board")).text
    assert set(re.findall(r'href="/tips/(\d+)"', board)) == {str(first.id)}
    response = await client.post(
        f"/tips/{first.id}/split", data={"csrf_token": anne, "external_id": f"w.{second.id}"}
    )
    new_id = int(response.headers["location"].split("?")[0].rsplit("/", 1)[1])
    assert new_id not in (first.id, second.id)
    new = (await client.get(response.headers["location"])).text
    assert "Ook rook bij de kade" in new and f"Afgesplitst van tip #{first.id}." in new

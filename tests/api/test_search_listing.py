"""`GET /api/v1/tips` finds the reader's words only, notes on purpose, and says what it did."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from tests.editorial_ui.sessions import log_in_as
from tests.tips_factory import make_tip
from tipdesk.desk import desk_worker
from tipdesk.editors.accounts import create_editor, create_token
from tipdesk.editors.models import Role
from tipdesk.search.jobs import rebuild
from tipdesk.settings import Settings
from tipdesk.tips.models import Direction, Message, Tip

pytestmark = pytest.mark.usefixtures("app")
CONFIRMATION = (
    "Dank je wel, Sanne! Je tip is binnen onder nummer {number}. Een redacteur kijkt er zo snel"
    " mogelijk naar. Hoe we met je gegevens omgaan: https://desk.example/privacy"
)


@pytest.fixture
async def anne() -> dict[str, str]:
    await create_editor("anne@desk.example", "Anne de Jong", Role.EDITOR, "long enough password")
    return {"authorization": f"Bearer {await create_token('anne@desk.example', 'tests')}"}


async def confirmed(tip: Tip) -> Tip:
    """The desk's confirmation, as intake stores it."""
    await Message.create(
        channel="whatsapp",
        external_id=f"w.out.{tip.id}", tip=tip, sender_id=tip.sender_id,
        direction=Direction.OUTBOUND,
        type="text", text=CONFIRMATION.format(number=tip.id), sent_at=datetime.now(UTC),
        purpose="confirmation", automatic=True,
    )  # fmt: skip
    return tip


async def photo_only(phone: str) -> Tip:
    tip = await make_tip("", phone=phone)
    await Message.filter(tip_id=tip.id).update(type="image", content={"mime_type": "image/jpeg"})
    return tip


async def listed(client: httpx.AsyncClient, headers: dict[str, str], **params: str) -> dict:  # type: ignore[type-arg]
    response = await client.get("/api/v1/tips", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def index_all(settings: Settings) -> None:
    await rebuild(settings)
    await desk_worker(settings).drain()


async def test_the_desks_own_messages_are_not_searched_or_shown(
    client: httpx.AsyncClient, settings: Settings, anne: dict[str, str]
) -> None:
    tree = await confirmed(await make_tip("Boom omgewaaid op de Dorpsstraat"))
    photo = await confirmed(await photo_only("31611111111"))
    await index_all(settings)
    for word in ("privacy", "redacteur", "nummer", "Dank"):
        assert (await listed(client, anne, q=word))["total"] == 0, word
    assert [tip["id"] for tip in (await listed(client, anne, q="boom"))["items"]] == [tree.id]
    everything = await listed(client, anne)
    assert everything["total"] == 2
    for item in everything["items"]:
        assert "Dank je wel" not in item.get("snippet", ""), item["id"]
    assert {item["id"] for item in everything["items"]} == {tree.id, photo.id}


async def test_notes_are_found_with_note_and_only_then(
    client: httpx.AsyncClient, settings: Settings, anne: dict[str, str]
) -> None:
    tip = await make_tip("Rookwolk boven het industrieterrein")
    await index_all(settings)
    added = await client.post(
        f"/api/v1/tips/{tip.id}/notes",
        json={"text": "Brandweer bevestigt, woordvoerder belt terug"},
        headers=anne,
    )
    assert added.status_code == 201, added.text
    await desk_worker(settings).drain()
    assert [t["id"] for t in (await listed(client, anne, q="note:woordvoerder"))["items"]] == [
        tip.id
    ]
    assert (await listed(client, anne, q='note:"belt terug"'))["total"] == 1
    assert (await listed(client, anne, q="woordvoerder"))["total"] == 0
    assert (await listed(client, anne, q="rookwolk note:politie"))["total"] == 0


async def test_text_only_tips_count_as_media_none(
    client: httpx.AsyncClient, settings: Settings, anne: dict[str, str]
) -> None:
    text = await make_tip("Gaslek in de Kerkstraat")
    await index_all(settings)
    facets = (await listed(client, anne))["facets"]["media"]
    assert facets == {"none": 1}
    assert [t["id"] for t in (await listed(client, anne, media="none"))["items"]] == [text.id]
    assert [t["id"] for t in (await listed(client, anne, q="media:none"))["items"]] == [text.id]


@pytest.mark.parametrize("query", ["((((", "(storm OR onweer)", "???"])
async def test_a_query_read_as_plain_words_says_so(
    client: httpx.AsyncClient, settings: Settings, anne: dict[str, str], query: str
) -> None:
    await make_tip("Storm in de haven")
    await index_all(settings)
    answer = await listed(client, anne, q=query)
    assert answer.get("notice"), answer
    assert (await listed(client, anne, q="storm")).get("notice") is None


async def test_newest_first_breaks_ties_of_one_second_by_the_newest_tip(
    client: httpx.AsyncClient, settings: Settings, anne: dict[str, str]
) -> None:
    tips = [await make_tip(f"Ongeluk op de A{n}", phone=f"3161000000{n}") for n in range(4)]
    same_second = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)
    await Tip.filter(id__in=[t.id for t in tips]).update(
        first_message_at=same_second, last_message_at=same_second
    )
    await index_all(settings)
    newest_first = [t.id for t in reversed(tips)]
    for params in ({"sort": "newest"}, {}, {"q": "ongeluk", "sort": "newest"}):
        assert [t["id"] for t in (await listed(client, anne, **params))["items"]] == newest_first


async def test_a_readers_tips_of_one_second_list_the_newest_first(
    client: httpx.AsyncClient, anne: dict[str, str]
) -> None:
    tips = [await make_tip(f"Tip {n}") for n in range(3)]  # one reader
    same_second = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)
    await Tip.filter(id__in=[t.id for t in tips]).update(first_message_at=same_second)
    response = await client.get(f"/api/v1/senders/{tips[0].sender_id}", headers=anne)
    assert [t["id"] for t in response.json()["tips"]] == [t.id for t in reversed(tips)]


async def test_the_board_shows_the_notice_too(
    client: httpx.AsyncClient, settings: Settings, anne: dict[str, str]
) -> None:
    await make_tip("Storm in de haven")
    await index_all(settings)
    await log_in_as(client, "anne@desk.example", "long enough password")
    board = (await client.get("/board", params={"q": "(((("})).text
    assert 'class="notice"' in board and "Brackets" in board

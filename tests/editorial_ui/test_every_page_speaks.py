"""Issue 20's acceptance: every page an editor looks at, rendered over HTTP by the real app in
Dutch and in English, shows words, never a raw code (`not_asked`, `in_review`,
`tip.status_changed`, a bare enum value), and no sentence of the other language.

What a person typed (a tip's text, a note, a name) is the test's own neutral words, so any
English or Dutch found is the desk's. Elements marked `lang="en"` carry words the desk does
not translate (a media error from ffmpeg or a download) and are left out of the Dutch check:
they say which language they are in, for screen readers too. A flash's detail is not among
them: a refusal speaks the editor's language (tests/editorial_ui/test_refusals_speak.py).
Elements of class `said` hold what was written to or by a reader (in the reader's language,
whatever the editor's) and are content, not the desk's words."""

from __future__ import annotations

import html
import re
import secrets
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

from editorial_ui.i18n import TABLE
from tests.editorial_ui.sessions import PASSWORD, csrf, log_in_as
from tests.tips_factory import make_tip
from tipdesk.audit.actions import AuditAction
from tipdesk.conversation.models import ConsentRecord
from tipdesk.editors.accounts import create_editor
from tipdesk.editors.models import Editor, Role
from tipdesk.tips.models import DeliveryState, Direction, MediaAsset, MediaState, Message, Tip
from tipdesk.webhooks.events import WebhookEvent

pytestmark = pytest.mark.usefixtures("app")

# Whole words that give a sentence away as English, or as Dutch.
ENGLISH = {
    "the", "and", "your", "you", "with", "this", "that", "been", "has", "please", "error",
    "back", "search", "save", "reply", "send", "login", "password", "something", "wrong",
    "found", "claimed", "such", "no", "not", "yet", "notes", "history", "sender",
}  # fmt: skip
DUTCH = {
    "de", "het", "een", "van", "niet", "geen", "voor", "naar", "wordt", "lezer", "opslaan",
    "gesprek", "toestemming", "redactie", "notitie", "terug", "geclaimd", "zoek", "nog",
}  # fmt: skip
CODES = (
    "not_asked", "in_review", "share_used", "granted_named", "messages_in", "median_s",
    "previous_tips", "request_welcome", "frequently_forwarded", "error_code",
    *(action.value for action in AuditAction),
)  # fmt: skip
# Codes that may not stand alone as an element's whole text (a badge, a cell, a caption).
BARE = {key.split(".", 1)[1] for key in TABLE if key.split(".")[0] in (
    "status", "consent", "scope", "media", "media_state", "delivery", "role", "message",
)}  # fmt: skip
# A code that is also the word (English "new", "video") may stand alone on that language's pages.
WORDS = {
    language: {words[index] for words in TABLE.values()}
    for index, language in enumerate(("nl", "en"))
}


def visible(page: str, language: str) -> str:
    """The words a person meets: text, and the attributes read aloud or shown on hover."""
    page = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", page)
    page = re.sub(r'(?s)<(\w+)[^>]*\bclass="said"[^>]*>.*?</\1>', " ", page)
    if language == "nl":
        page = re.sub(
            r'(?s)<(\w+)(?![^>]*\bclass="detail")[^>]*\blang="en"[^>]*>.*?</\1>', " ", page
        )
    said = re.findall(r'\b(?:title|placeholder|aria-label|alt)="([^"]*)"', page)
    text = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(" ".join([text, *said]))


def problems(page: str, language: str) -> list[str]:
    words = visible(page, language)
    found = [code for code in CODES if code in words]
    other = ENGLISH if language == "nl" else DUTCH
    found += [w for w in re.findall(r"[A-Za-zÀ-ÿ]+", words) if w.lower() in other]
    cells = re.findall(r">\s*([a-z_]+)\s*<", re.sub(r"(?s)<(script|style)\b.*?</\1>", "", page))
    found += [c for c in cells if c in BARE and c not in WORDS[language]]
    return found


async def a_full_tip(client: httpx.AsyncClient, token: str) -> Tip:
    """A tip with the reader's text and photo, a desk reply that failed, a consent question,
    a note, a claim, a status and tags: everything the tip page shows."""
    tip = await make_tip("Brand Stationsstraat", name="Sanne")
    at = datetime.now(UTC) + timedelta(minutes=1)
    photo = await Message.create(
        channel="whatsapp", external_id="w.photo", tip=tip, sender_id=tip.sender_id,
        direction=Direction.INBOUND, type="image", text="", sent_at=at,
    )  # fmt: skip
    await MediaAsset.create(
        token=secrets.token_hex(16), tip=tip, message=photo, kind="image", state=MediaState.READY,
        details={"taken_at": "2026:12:03 07:41:12", "camera": "Fairphone 5"},
    )  # fmt: skip
    await MediaAsset.create(
        token=secrets.token_hex(16), tip=tip, message=photo, kind="video",
        state=MediaState.FAILED, error="download failed: 404",
    )  # fmt: skip
    await Message.create(
        channel="whatsapp", external_id="w.out", tip=tip, sender_id=tip.sender_id,
        direction=Direction.OUTBOUND, type="text", text="Dank, Sanne", sent_at=at,
        delivery=DeliveryState.FAILED,
    )  # fmt: skip
    await ConsentRecord.create(
        tip=tip, sender_id=tip.sender_id, question_text="Mag het?", requested_at=at
    )
    for action, fields in [
        ("claim", {}), ("note", {"text": "gebeld"}), ("tags", {"tags": "haven"}),
        ("status", {"status": "in_review"}),
    ]:  # fmt: skip
        sent = await client.post(f"/tips/{tip.id}/{action}", data={"csrf_token": token, **fields})
        assert sent.status_code == 303
    return tip


async def boom(request: Request) -> None:
    raise RuntimeError("a bug")


@pytest.fixture
async def desk(client: httpx.AsyncClient, app: Starlette) -> str:
    await create_editor("anne@desk.example", "Anne Jansen", Role.ADMIN, PASSWORD)
    await create_editor("bram@desk.example", "Bram Visser", Role.EDITOR, PASSWORD)
    app.router.routes.append(Route("/boom", boom))  # the one way to meet the 500 page
    await log_in_as(client, "anne@desk.example")
    return await csrf(client, "/board")


async def pages(client: httpx.AsyncClient, token: str, language: str) -> dict[str, str]:
    # A webhook hearing of everything, so the tip below fills its delivery log.
    hooked = await client.post(
        "/admin/webhooks",
        data={"csrf_token": token, "url": "https://cms.example.nl/tipdesk", "active": "on",
              "events": [e.value for e in WebhookEvent]},
    )  # fmt: skip
    assert hooked.status_code == 200
    tip = await a_full_tip(client, token)
    wrong = await client.post(f"/tips/{tip.id}/tags", data={"csrf_token": token, "tags": "<b>"})
    shown = {"refusal": (await client.get(wrong.headers["location"])).text}
    sent = await client.post(
        "/admin/replies",
        data={"csrf_token": token, "title": "Bedankt", "body": "Dag {voornaam}, tip {tipnummer}"},
    )
    assert sent.status_code == 303
    for path in ("/board", "/search?q=Brand&status=in_review", f"/tips/{tip.id}", "/admin",
                 "/admin/replies", "/admin/webhooks",
                 "/reports?period=7d", "/reports?since=2026-13-01&until=x",
                 "/account/password", "/tips/99999", "/boom"):  # fmt: skip
        shown[path] = (await client.get(path)).text
    shown["tip"] = shown.pop(f"/tips/{tip.id}")
    await client.post("/logout", data={"csrf_token": token})
    # The login page speaks the language of who logged out; a browser's wish does not count.
    other = {"accept-language": "nl-NL,nl" if language == "en" else "en-GB,en"}
    shown["/login"] = (await client.get("/login", headers=other)).text
    await Editor.filter(email="bram@desk.example").update(language=language)
    await log_in_as(client, "bram@desk.example")
    shown["403"] = (await client.get("/admin", headers=other)).text
    return shown


async def test_every_page_in_dutch_has_words_not_codes_and_no_english(
    client: httpx.AsyncClient, desk: str
) -> None:
    shown = await pages(client, desk, "nl")
    for path, page in shown.items():
        assert 'lang="nl"' in page, path
        assert problems(page, "nl") == [], (path, problems(page, "nl"))
    tip = shown["tip"]
    assert "in behandeling" in tip and "gevraagd, nog geen antwoord" in tip
    assert "status gewijzigd" in tip and "gemaakt 03-12-2026 07:41" in tip
    assert "Niet gevonden." in shown["/tips/99999"] and "Dat mag je niet." in shown["403"]
    assert "Er ging iets mis aan onze kant." in shown["/boom"]
    assert 'class="flash flash-error"' in shown["refusal"]
    assert "‘&lt;b&gt;’ is geen label" in shown["refusal"] and "not a tag" not in shown["refusal"]
    assert "Deze tip bestaat niet." in shown["/tips/99999"]


async def test_every_page_in_english_has_words_not_codes_and_no_dutch(
    client: httpx.AsyncClient, desk: str
) -> None:
    sent = await client.post("/account/language", data={"csrf_token": desk, "language": "en"})
    assert sent.status_code == 303
    shown = await pages(client, desk, "en")
    for path, page in shown.items():
        assert 'lang="en"' in page, path
        assert problems(page, "en") == [], (path, problems(page, "en"))
    tip = shown["tip"]
    assert "in review" in tip and "asked, no answer yet" in tip and "status changed" in tip
    assert "Not found." in shown["/tips/99999"] and "Something went wrong" in shown["/boom"]
    assert "‘&lt;b&gt;’ is not a tag" in shown["refusal"]


async def test_a_flash_comes_from_the_session_never_from_the_url(
    client: httpx.AsyncClient, desk: str
) -> None:
    tip = await make_tip("Brand")
    page = (await client.get(f"/tips/{tip.id}?message=Bel+0900-NEPNUMMER")).text
    assert "NEPNUMMER" not in page
    sent = await client.post(f"/tips/{tip.id}/claim", data={"csrf_token": desk})
    assert "message" not in sent.headers["location"]
    first = (await client.get(sent.headers["location"])).text
    assert 'class="flash flash-success"' in first and "Geclaimd." in first
    assert "Geclaimd." not in (await client.get(sent.headers["location"])).text  # once

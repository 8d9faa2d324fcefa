"""Issue 20: a refusal reads in the editor's language, over real HTTP, in a flash, a bulk summary
and on an error page: the reason's own sentence, with no English detail beside it on a Dutch
page (and no Dutch on an English one). The page checks are test_every_page_speaks's own."""

from __future__ import annotations

import re

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

from editorial_ui import flash
from editorial_ui.board_bulk import summary
from editorial_ui.i18n import LANGUAGES, TABLE
from tests.editorial_ui.sessions import PASSWORD, csrf, log_in_as
from tests.editorial_ui.test_every_page_speaks import problems
from tests.tips_factory import make_tip
from tipdesk.editors.accounts import create_editor
from tipdesk.editors.models import Editor, Role
from tipdesk.errors import InvalidInput, NotFound
from tipdesk.tips.bulk import BulkOutcome
from tipdesk.tips.models import Tip, TipStatus

pytestmark = pytest.mark.usefixtures("app")

SAID = {
    "nl": {
        "claimed": "Bram Visser heeft deze tip al geclaimd.",
        "takeover": "Alleen een chef of beheerder mag een claim overnemen.",
        "merge": "Alleen tips van dezelfde lezer kunnen worden samengevoegd.",
        "note": "Een notitie mag hoogstens 5000 tekens hebben.",
        "bulk": "Een andere redacteur heeft deze tip geclaimd.",
        "missing": "Deze tip bestaat niet.",
    },
    "en": {
        "claimed": "Bram Visser has already claimed this tip.",
        "takeover": "Only a chief or an admin may take over a claim.",
        "merge": "Only tips of the same reader can be merged.",
        "note": "A note may have at most 5000 characters.",
        "bulk": "Another editor has claimed this tip.",
        "missing": "This tip does not exist.",
    },
}
# The domain's English messages for the same refusals: never on the Dutch page.
ENGLISH_MESSAGES = (
    "claimed by Bram", "only a chief or an admin may take over", "same reader can be merged",
    "at most 5,000", "claimed by another editor", "no such tip",
)  # fmt: skip


def flash_of(page: str) -> str:
    found = re.search(r'(?s)<div class="flash flash-error"[^>]*>(.*?)</div>', page)
    assert found, "no refusal on the page"
    return found.group(1)


async def refusals(app: Starlette, client: httpx.AsyncClient, language: str) -> dict[str, str]:
    """The pages a plain editor (Anne) sees after five refusals, with Bram holding a tip."""
    await create_editor("anne@desk.example", "Anne Jansen", Role.EDITOR, PASSWORD)
    await create_editor("bram@desk.example", "Bram Visser", Role.EDITOR, PASSWORD)
    await Editor.filter(email="anne@desk.example").update(language=language)
    held = await make_tip("Brand", phone="31600000001")
    free = await make_tip("Storm", phone="31600000001")
    other = await make_tip("Regen", phone="31600000002")
    async with httpx.AsyncClient(transport=client._transport, base_url="http://desk.test") as bram:
        await log_in_as(bram, "bram@desk.example")
        bram_token = await csrf(bram, "/board")
        assert (
            await bram.post(f"/tips/{held.id}/claim", data={"csrf_token": bram_token})
        ).is_redirect
    await log_in_as(client, "anne@desk.example")
    token = await csrf(client, "/board")

    async def after(path: str, **fields: str | list[str]) -> str:
        sent = await client.post(path, data={"csrf_token": token, **fields})
        assert sent.status_code == 303, path
        return (await client.get(sent.headers["location"])).text

    shown = {
        "claimed": await after(f"/tips/{held.id}/claim"),
        "takeover": await after(f"/tips/{held.id}/takeover"),
        "merge": await after(f"/tips/{free.id}/merge", source_id=str(other.id)),
        "note": await after(f"/tips/{free.id}/note", text="x" * 5001),
        "bulk": await after(
            "/board/bulk", action="archive", tip=[str(other.id), str(held.id)], back="/board"
        ),
    }
    missing = await client.get("/tips/99999")
    assert missing.status_code == 404
    shown["missing"] = missing.text
    assert (await Tip.get(id=held.id)).status is TipStatus.NEW  # refused, so unchanged
    assert (await Tip.get(id=other.id)).status is TipStatus.ARCHIVED
    return shown


@pytest.mark.parametrize("language", ["nl", "en"])
async def test_refusals_speak_the_editor_s_language_without_the_domain_s_english(
    app: Starlette, client: httpx.AsyncClient, language: str
) -> None:
    shown = await refusals(app, client, language)
    for what, page in shown.items():
        assert f'lang="{language}"' in page, what
        assert SAID[language][what] in page, (what, language)
        assert problems(page, language) == [], (what, problems(page, language))
        if what != "missing":
            assert 'lang="en"' not in flash_of(page) or language == "en", what
    if language == "nl":
        for what, page in shown.items():
            found = [m for m in ENGLISH_MESSAGES if m.lower() in page.lower()]
            assert found == [], (what, found)
    assert re.search(r"#\d+: " + re.escape(SAID[language]["bulk"]), flash_of(shown["bulk"]))


async def refuse(request: Request) -> None:
    raise InvalidInput("spoken English only", reason="not_in_the_table")


@pytest.mark.parametrize("language", ["nl", "en"])
async def test_a_reason_the_table_lacks_falls_back_to_the_code_s_words(
    app: Starlette, client: httpx.AsyncClient, language: str
) -> None:
    """A release that raises a reason before its texts exist still shows a sentence in the
    editor's language, and the English message only where it is marked as English."""
    await create_editor("anne@desk.example", "Anne Jansen", Role.EDITOR, PASSWORD)
    await Editor.filter(email="anne@desk.example").update(language=language)
    app.router.routes.append(Route("/refuse", refuse))
    await log_in_as(client, "anne@desk.example")
    page = (await client.get("/refuse")).text
    assert TABLE["error.invalid_input"][LANGUAGES.index(language)] in page
    assert ("spoken English only" in page) is (language == "en")
    assert problems(page, language) == []
    assert flash.refusal(InvalidInput("x", reason="not_in_the_table")).detail_language == "en"
    lacking = BulkOutcome(done=[1], refused=[(2, NotFound("gone", reason="not_in_the_table"))])
    shown = summary(lacking, language)
    assert (shown.detail, shown.detail_language) == ("#2: gone", "en")


def test_no_refusal_text_has_a_word_of_the_other_language() -> None:
    """Each of the many refusals the HTTP tests above do not reach, read as the pages are."""
    for key, words in TABLE.items():
        if key.startswith("refusal."):
            for language, said in zip(LANGUAGES, words, strict=True):
                assert problems(f"<p>{said}</p>", language) == [], (key, language)

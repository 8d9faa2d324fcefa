"""`POST /board/bulk`: the ticked tips of the board, archived, rejected, tagged or assigned
through tips/bulk.py, and a summary of what was done and what was refused (and why)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from editorial_ui import flash
from editorial_ui.flash import Notice, reason_words
from editorial_ui.forms import form_with_lists
from editorial_ui.i18n import page_language
from tipdesk.editors.access import current_editor
from tipdesk.errors import Forbidden, InvalidInput
from tipdesk.tips.bulk import MAX_TIPS, BulkOutcome, apply_to_tips, bulk_action
from tipdesk.tips.editing import split_tags

MAX_BYTES = 16 * 1024
MAX_DETAIL = 300


async def bulk(request: Request) -> Response:
    editor = await current_editor(request)
    if editor is None:
        return RedirectResponse("/login", status_code=303)
    fields, lists = await form_with_lists(
        request, max_fields=MAX_TIPS + 10, max_bytes=MAX_BYTES, lists=("tip",)
    )
    back = _back(fields.get("back", ""))
    try:
        outcome = await apply_to_tips(
            _ids(lists["tip"]), editor, request.app.state.settings,
            bulk_action(fields.get("action", "")),
            tags=split_tags(fields.get("tags", "")[:2000]),
            assignee_id=_id(fields.get("editor_id", "")),
        )  # fmt: skip
    except (Forbidden, InvalidInput) as refusal:
        flash.keep(request, flash.refusal(refusal))
        return RedirectResponse(back, status_code=303)
    flash.keep(request, summary(outcome, page_language(request, editor)))
    return RedirectResponse(back, status_code=303)


def summary(outcome: BulkOutcome, language: str) -> Notice:
    """How many were done and refused; each refusal's tip and reason in the detail, in the
    editor's words (worded now: the next page is theirs), English only for a reason the
    table does not know."""
    values = {"done": len(outcome.done), "refused": len(outcome.refused)}
    if not outcome.refused:
        return Notice("bulk.done", values)
    worded = [reason_words(why, language) for _, why in outcome.refused]
    said = [words for words in worded if words is not None]
    if len(said) < len(worded):  # a reason the table lacks: all in English, and marked so
        said, language = [why.message for _, why in outcome.refused], "en"
    reasons = "; ".join(
        f"#{tip_id}: {words}" for (tip_id, _), words in zip(outcome.refused, said, strict=True)
    )
    return Notice(
        "bulk.partly", values, kind="error", detail=reasons[:MAX_DETAIL],
        detail_language=language,
    )  # fmt: skip


def _ids(raw: list[str]) -> list[int]:
    return [int(value) for value in raw if value.isdigit() and len(value) <= 9]


def _id(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) <= 9 else None


def _back(raw: str) -> str:
    """Back to the board as the editor had it (query and filters); never to another site."""
    board = raw.startswith(("/board", "/search")) and not raw.startswith(("/board/", "/search/"))
    return raw if board and "\\" not in raw else "/board"


routes = [Route("/board/bulk", bulk, methods=["POST"])]

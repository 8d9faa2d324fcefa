"""`/privacy`: the notice readers are sent on first contact; public, in Dutch and English, made
from the same settings the desk acts on (retention, opening hours, keywords)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from editorial_ui.pages import render
from tipdesk.conversation.automatic import opening_hours_text
from tipdesk.conversation.texts import reader_texts
from tipdesk.settings import Settings


async def privacy(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    every = reader_texts(settings)
    languages = []
    for code in ("nl", "en"):
        texts = every[code]
        languages.append(
            {
                "code": code,
                "newsroom": texts.texts["newsroom"],
                "hours": opening_hours_text(texts, settings),
                "retention_days": settings.retention.days,
                "evidence_days": (
                    settings.evidence_retention.days if settings.evidence_retention else None
                ),
            }
        )
    keywords = {group: sorted(words) for group, words in every.keywords.items()}
    return render(request, "privacy.html", languages=languages, keywords=keywords, editor=None)


routes = [Route("/privacy", privacy, methods=["GET"])]

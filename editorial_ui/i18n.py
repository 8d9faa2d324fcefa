"""The board's one translation layer: each editor reads the desk in Dutch (the default) or
English. Texts live in one table, a key and its words in both languages side by side
(editorial_ui/catalogue.py, the code labels in editorial_ui/labels.py, the refusals' reasons
in editorial_ui/refusal_texts.py), so a text cannot exist in one language only; a test checks
every key the templates use is in the table."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final

from starlette.requests import Request

from editorial_ui.catalogue import MESSAGES
from editorial_ui.labels import LABELS
from editorial_ui.refusal_texts import REFUSALS
from editorial_ui.report_labels import REPORT_LABELS
from tipdesk.editors.models import Editor

LANGUAGES: Final = ("nl", "en")
DEFAULT_LANGUAGE: Final = "nl"
SESSION_LANGUAGE: Final = "language"
LANGUAGE_NAMES: Final = {"nl": "Nederlands", "en": "English"}
TABLE: Final[Mapping[str, tuple[str, str]]] = {**MESSAGES, **LABELS, **REPORT_LABELS, **REFUSALS}
Translate = Callable[..., str]


def text(key: str, language: str, **values: object) -> str:
    """The words for `key`; an unknown key fails loudly, so a typo never reaches a page."""
    words = TABLE[key][LANGUAGES.index(language) if language in LANGUAGES else 0]
    return words.format(**values) if values else words


def translator(language: str) -> Translate:
    def t(key: str, **values: object) -> str:
        return text(key, language, **values)

    return t


def label(language: str) -> Callable[..., str]:
    """`label("status", "in_review")`: a code's words; a code this release does not know (a
    row written by a newer one) reads as `otherwise`'s words, or as it is."""

    def lookup(kind: str, code: object, otherwise: str | None = None) -> str:
        for key in (f"{kind}.{code}", f"{kind}.{otherwise}"):
            if key in TABLE:
                return text(key, language)
        return str(code)

    return lookup


def page_language(request: Request, editor: Editor | None) -> str:
    """The editor's choice; without an editor, the session's copy of it (kept across logout,
    so an English editor's login page is English), else the desk's Dutch. Not the browser's
    Accept-Language: newsroom machines often run English browsers for a Dutch desk."""
    if editor is not None and editor.language in LANGUAGES:
        return str(editor.language)
    chosen = request.session.get(SESSION_LANGUAGE) if "session" in request.scope else None
    return str(chosen) if chosen in LANGUAGES else DEFAULT_LANGUAGE

"""The Cloud API's rules for messages we send (§6 of the contract).

The fake Graph API enforces them, and the desk's own sender checks them before calling out, so
a reply that Meta would refuse is refused here first, with the same code and a clear reason.
"""

from __future__ import annotations

from typing import Any

from tipdesk.settings import Settings
from tipdesk.whatsapp.shapes import as_object

# The Graph API version the desk speaks, and whose published send schema the fake checks.
GRAPH_API_VERSION = "v23.0"
META_GRAPH_API = "https://graph.facebook.com"


def graph_base_url(settings: Settings) -> str:
    """TIPDESK_GRAPH_API_URL, else Meta's at our version; the sandbox phone's own Graph API
    when the desk runs without Meta."""
    if settings.graph_api_url is not None:
        return settings.graph_api_url
    if settings.sandbox:
        return f"{settings.public_url}/sandbox/graph/{GRAPH_API_VERSION}"
    return f"{META_GRAPH_API}/{GRAPH_API_VERSION}"


MESSAGE_TYPES = frozenset(
    {
        "text",
        "image",
        "video",
        "audio",
        "document",
        "sticker",
        "location",
        "contacts",
        "interactive",
        "template",
        "reaction",
    }
)
MEDIA_TYPES = frozenset({"image", "video", "audio", "document", "sticker"})
CAPTIONED = frozenset({"image", "video", "document"})


class SendRejected(ValueError):
    """Meta's error code 100 (invalid parameter) or 131008 (missing parameter), with details."""

    def __init__(self, code: int, details: str) -> None:
        super().__init__(details)
        self.code = code
        self.details = details


def validate_send(body: Any) -> None:
    if not isinstance(body, dict):
        raise SendRejected(100, "the request body must be a JSON object")
    if body.get("messaging_product") != "whatsapp":
        raise SendRejected(100, "messaging_product must be 'whatsapp'")
    if not _text(body.get("to")) and not _text(body.get("recipient")):
        raise SendRejected(131008, "to is required")
    kind = body.get("type", "text")
    if kind not in MESSAGE_TYPES:
        raise SendRejected(100, f"type {str(kind)[:40]!r} is not supported")
    payload = body.get(kind)
    if not isinstance(payload, dict):
        raise SendRejected(131008, f"the {kind} object is required")
    context = body.get("context")
    if context is not None and not (isinstance(context, dict) and _text(context.get("message_id"))):
        raise SendRejected(100, "context.message_id must be a message id")
    RULES.get(kind, _nothing)(kind, payload)


def _text_rules(kind: str, payload: dict[str, Any]) -> None:
    _bounded(payload.get("body"), 4096, "text.body")


def _media_rules(kind: str, payload: dict[str, Any]) -> None:
    if not _text(payload.get("id")) and not _text(payload.get("link")):
        raise SendRejected(131008, f"{kind} needs an id or a link")
    if "caption" in payload:
        if kind not in CAPTIONED:
            raise SendRejected(100, f"{kind} messages take no caption")
        _bounded(payload["caption"], 1024, f"{kind}.caption")


def _interactive_rules(kind: str, payload: dict[str, Any]) -> None:
    style = payload.get("type")
    action = as_object(payload.get("action"))
    body = as_object(payload.get("body"))
    _optional_part(payload, "footer", 60)
    header = payload.get("header")
    if isinstance(header, dict) and header.get("type") == "text":
        _bounded(header.get("text"), 60, "interactive.header.text")
    if style == "button":
        _bounded(body.get("text"), 1024, "interactive.body.text")
        _buttons(action.get("buttons"))
    elif style == "list":
        _bounded(body.get("text"), 4096, "interactive.body.text")
        _bounded(action.get("button"), 20, "interactive.action.button")
        _sections(action.get("sections"))
    else:
        raise SendRejected(100, "interactive.type must be button or list")


def _buttons(buttons: Any) -> None:
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        raise SendRejected(100, "interactive buttons: 1 to 3 are allowed")
    titles = []
    for button in buttons:
        reply = button.get("reply") if isinstance(button, dict) else None
        if not isinstance(reply, dict) or button.get("type") != "reply":
            raise SendRejected(100, "each button must be {type: reply, reply: {id, title}}")
        _identifier(reply.get("id"), 256, "button id")
        titles.append(_bounded(reply.get("title"), 20, "button title"))
    if len(set(titles)) != len(titles):
        raise SendRejected(100, "button titles must be unique")


def _sections(sections: Any) -> None:
    if not isinstance(sections, list) or not 1 <= len(sections) <= 10:
        raise SendRejected(100, "interactive list: 1 to 10 sections are allowed")
    rows = 0
    for section in sections:
        if not isinstance(section, dict) or not isinstance(section.get("rows"), list):
            raise SendRejected(100, "each section needs rows")
        if "title" in section:
            _bounded(section["title"], 24, "section title")
        for row in section["rows"]:
            if not isinstance(row, dict):
                raise SendRejected(100, "each row must be an object")
            _identifier(row.get("id"), 200, "row id")
            _bounded(row.get("title"), 24, "row title")
            if "description" in row:
                _bounded(row["description"], 72, "row description")
            rows += 1
    if rows > 10:
        raise SendRejected(100, "interactive list: at most 10 rows in all")


def _template_rules(kind: str, payload: dict[str, Any]) -> None:
    language = as_object(payload.get("language"))
    if not _text(payload.get("name")) or not _text(language.get("code")):
        raise SendRejected(131008, "template needs a name and language.code")
    if language.get("policy") != "deterministic":
        raise SendRejected(131008, "template language.policy must be 'deterministic'")


def _reaction_rules(kind: str, payload: dict[str, Any]) -> None:
    if not _text(payload.get("message_id")):
        raise SendRejected(131008, "reaction needs message_id")


def _nothing(kind: str, payload: dict[str, Any]) -> None:
    return None


def _optional_part(payload: dict[str, Any], key: str, limit: int) -> None:
    part = payload.get(key)
    if isinstance(part, dict):
        _bounded(part.get("text"), limit, f"interactive.{key}.text")


def _bounded(value: Any, limit: int, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SendRejected(131008, f"{name} is required")
    if len(value) > limit:
        raise SendRejected(100, f"{name} is longer than {limit} characters")
    return value


def _identifier(value: Any, limit: int, name: str) -> None:
    text = _bounded(value, limit, name)
    if text != text.strip():
        raise SendRejected(100, f"{name} must not start or end with spaces")


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


RULES = {
    "text": _text_rules,
    "interactive": _interactive_rules,
    "template": _template_rules,
    "reaction": _reaction_rules,
    **{kind: _media_rules for kind in MEDIA_TYPES},
}

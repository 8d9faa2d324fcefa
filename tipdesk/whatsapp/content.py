"""What each message type holds, reduced to searchable text plus a structured record.

Unknown types and fields are kept as such ("unsupported", with the type Meta named), never
dropped: an editor must see that a reader sent *something*.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tipdesk.whatsapp.shapes import Json, as_list, as_object

MAX_TEXT = 65_536
MAX_FIELD = 1_024


def describe(kind: str, payload: Any, item: Json) -> tuple[str, Json]:
    body = as_object(payload)
    describer = DESCRIBERS.get(kind, _unsupported)
    text, content = describer(body, item)
    referral = item.get("referral")
    if isinstance(referral, dict):
        content["referral"] = _pick(referral, "source_type", "source_url", "headline", "body")
    errors = item.get("errors")
    if isinstance(errors, list):
        content["errors"] = [error_summary(e) for e in errors if isinstance(e, dict)][:10]
    return text[:MAX_TEXT], content


def _text(body: Json, item: Json) -> tuple[str, Json]:
    return _str(body.get("body"), MAX_TEXT), {}


def _captioned(body: Json, item: Json) -> tuple[str, Json]:
    caption = _str(body.get("caption"), MAX_TEXT)
    content = _pick(body, "caption", "mime_type", "filename")
    return "\n".join(part for part in (caption, content.get("filename", "")) if part), content


def _audio(body: Json, item: Json) -> tuple[str, Json]:
    return "", {"voice": body.get("voice") is True, **_pick(body, "mime_type")}


def _sticker(body: Json, item: Json) -> tuple[str, Json]:
    return "", {"animated": body.get("animated") is True, **_pick(body, "mime_type")}


def _location(body: Json, item: Json) -> tuple[str, Json]:
    latitude, longitude = (
        _coordinate(body.get("latitude"), 90),
        _coordinate(body.get("longitude"), 180),
    )
    content: Json = {"latitude": latitude, "longitude": longitude}
    content.update(_pick(body, "name", "address", "url"))
    text = ", ".join(content[key] for key in ("name", "address") if key in content)
    return text, content


def _contacts(body: Json, item: Json) -> tuple[str, Json]:
    cards = as_list(item.get("contacts"))
    shared = [_contact_card(card) for card in cards[:20] if isinstance(card, dict)]
    text = "\n".join(
        " ".join(part for part in (card.get("name", ""), card.get("organisation", "")) if part)
        for card in shared
    )
    return text, {"contacts": shared}


def _contact_card(card: Json) -> Json:
    name = as_object(card.get("name"))
    org = as_object(card.get("org"))
    phones = as_list(card.get("phones"))
    emails = as_list(card.get("emails"))
    formatted = _str(name.get("formatted_name")) or " ".join(
        _str(name.get(key)) for key in ("first_name", "last_name") if _str(name.get(key))
    )
    result: Json = {"name": formatted}
    if _str(org.get("company")):
        result["organisation"] = _str(org.get("company"))
    result["phones"] = [_str(p.get("phone")) for p in phones[:10] if isinstance(p, dict)]
    result["emails"] = [_str(e.get("email")) for e in emails[:10] if isinstance(e, dict)]
    return result


def _interactive(body: Json, item: Json) -> tuple[str, Json]:
    """A button or list choice, and also what a Flow (`nfm_reply`) or a call-permission
    answer returns: kept for the editor, never searchable words of the reader's."""
    reply_type = _str(body.get("type"), 64)
    reply = as_object(body.get(reply_type))
    content = {
        "reply_type": reply_type,
        **_pick(reply, "id", "title", "description", "response", "name", "response_json"),
    }
    text = " — ".join(content[key] for key in ("title", "description") if key in content)
    return text, content


def _button(body: Json, item: Json) -> tuple[str, Json]:
    content = _pick(body, "payload", "text")
    return content.get("text", ""), content


def _reaction(body: Json, item: Json) -> tuple[str, Json]:
    emoji = _str(body.get("emoji"), 32)
    return emoji, {"message_id": _str(body.get("message_id"), 255), "emoji": emoji}


def _edit(body: Json, item: Json) -> tuple[str, Json]:
    """The new version of an earlier message: its own text stays empty, so the words are
    searched once, in the message they replace."""
    new = as_object(body.get("message"))
    kind = _str(new.get("type"), 64)
    if kind in ("edit", "revoke"):
        kind = ""  # an edit holds a message, never another edit: no nesting a body could abuse
    text, content = describe(kind, new.get(kind), new) if kind else ("", {})
    return "", {"original_message_id": _str(body.get("original_message_id"), 255),
                "type": kind, "text": text, "content": content}  # fmt: skip


def _revoke(body: Json, item: Json) -> tuple[str, Json]:
    return "", {"original_message_id": _str(body.get("original_message_id"), 255)}


def _chat_opened(body: Json, item: Json) -> tuple[str, Json]:
    return "", {}


def _system(body: Json, item: Json) -> tuple[str, Json]:
    return _str(body.get("body"), MAX_FIELD), _pick(body, "type", "body")


def _order(body: Json, item: Json) -> tuple[str, Json]:
    items = as_list(body.get("product_items"))
    return _str(body.get("text")), {**_pick(body, "catalog_id", "text"), "items": len(items)}


def _unsupported(body: Json, item: Json) -> tuple[str, Json]:
    named = _str(body.get("type"), 64) if body else ""
    return "", {"unsupported_type": named or _str(item.get("type"), 64)}


def _pick(data: Json, *keys: str) -> Json:
    return {key: _str(data[key]) for key in keys if _str(data.get(key))}


def _str(value: Any, limit: int = MAX_FIELD) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _coordinate(value: Any, bound: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if -bound <= number <= bound else None


def error_summary(error: Json) -> Json:
    """What the desk keeps of one of Meta's error objects: the code as a number (Meta sends
    one; anything else is kept as none, so no text of the payload's choosing reaches reports,
    CSV exports or the code that decides on 131047), a bounded title and details."""
    code = error.get("code")
    if isinstance(code, str) and code.isascii() and code.isdigit() and len(code) <= 9:
        code = int(code)
    details = as_object(error.get("error_data"))
    return {
        "code": code if isinstance(code, int) and not isinstance(code, bool) else None,
        "title": _str(error.get("title"), 256),
        "details": _str(details.get("details"), MAX_FIELD),
    }


DESCRIBERS: dict[str, Callable[[Json, Json], tuple[str, Json]]] = {
    "text": _text,
    "image": _captioned,
    "video": _captioned,
    "document": _captioned,
    "audio": _audio,
    "sticker": _sticker,
    "location": _location,
    "contacts": _contacts,
    "interactive": _interactive,
    "button": _button,
    "reaction": _reaction,
    "system": _system,
    "edit": _edit,
    "revoke": _revoke,
    "request_welcome": _chat_opened,
    "order": _order,
}

"""Turns a stored webhook body into what the desk records: messages, statuses, errors.

Pure functions, no database. Each message and status is judged on its own: one that breaks the
contract becomes a `Violation` (kept for admins) and never stops its valid siblings.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from tipdesk.channels.base import NotANotification
from tipdesk.channels.events import (
    InboundMessage,
    MediaKind,
    MediaRef,
    Notification,
    Reader,
    Role,
    StatusUpdate,
    Violation,
)
from tipdesk.whatsapp.cloud import refusal_for
from tipdesk.whatsapp.content import describe, error_summary
from tipdesk.whatsapp.shapes import as_list, as_object, as_text

ENVELOPE_OBJECT = "whatsapp_business_account"
MAX_ID_LENGTH = 255
MEDIA_TYPES = {"image", "video", "audio", "document", "sticker"}
# A reader changing an earlier message: it is kept and shown changed, never a new message.
CORRECTIONS = {"edit", "revoke"}
# What each of Meta's message types is to the desk; every other type is the reader's content.
ROLES = {
    "interactive": Role.ANSWER,  # buttons, lists, Flows, call permissions
    "button": Role.ANSWER,  # a template's quick reply
    "reaction": Role.REACTION,
    "system": Role.NOTICE,
    "request_welcome": Role.CHAT_OPENED,
    "edit": Role.EDIT,
    "revoke": Role.REVOKE,
}
# A timestamp far outside this range is a contract break, not a message from 1970 or 2200.
EARLIEST, LATEST = 946_684_800, 7_258_118_400

Json = dict[str, Any]


class EnvelopeError(NotANotification):
    """The body is not a WhatsApp Business Account notification at all (answered with 400)."""


def load_envelope(body: bytes) -> Json:
    """The parsed body if it is the WhatsApp envelope; `EnvelopeError` says why not."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise EnvelopeError("the body is not valid JSON") from exc
    if b"\\u0000" in body:
        # PostgreSQL's text and jsonb cannot hold NUL, and a reader's message must not be lost
        # for one: dropped from every string (the raw body is kept as it came).
        try:
            data = _without_nul(data)
        except RecursionError as exc:
            raise EnvelopeError("the body is nested too deeply") from exc
    if not isinstance(data, dict) or data.get("object") != ENVELOPE_OBJECT:
        raise EnvelopeError(f"the body is not a {ENVELOPE_OBJECT} notification")
    if not isinstance(data.get("entry"), list):
        raise EnvelopeError("the notification has no entry list")
    return data


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    return value


def parse_notification(data: Json, numbers: Collection[str], main: str = "") -> Notification:
    """`numbers`: the phone number ids of the desk; changes for any other are counted only.
    Messages to a number other than `main` carry it as their `line`."""
    result = Notification()
    for entry in data.get("entry", []):
        changes = entry.get("changes") if isinstance(entry, dict) else None
        if not isinstance(changes, list):
            result.violations.append(Violation("invalid_entry", "entry without changes", {}))
            continue
        for change in changes:
            _parse_change(change, numbers, main, result)
    return result


def _parse_change(change: Any, numbers: Collection[str], main: str, result: Notification) -> None:
    if not isinstance(change, dict) or not isinstance(change.get("value"), dict):
        result.violations.append(Violation("invalid_change", "change without a value", {}))
        return
    if change.get("field", "messages") != "messages":
        return  # other subscriptions (template status, user preferences): not ours to handle
    value = change["value"]
    metadata = value.get("metadata")
    line = metadata.get("phone_number_id") if isinstance(metadata, dict) else None
    if not isinstance(line, str) or line not in numbers:
        result.other_numbers += 1
        return
    profiles = _profiles(value.get("contacts"))
    for item in _items(value, "messages", result):
        try:
            message = parse_message(item, profiles)
            result.messages.append(message if line == main else replace(message, line=line))
        except ContractError as exc:
            result.violations.append(Violation("invalid_message", str(exc), _excerpt(item)))
    for item in _items(value, "statuses", result):
        try:
            result.statuses.append(parse_status(item))
        except ContractError as exc:
            result.violations.append(Violation("invalid_status", str(exc), _excerpt(item)))
    for item in _items(value, "errors", result):
        result.value_errors.append(item)


def _items(value: Json, key: str, result: Notification) -> list[Json]:
    items = value.get(key, [])
    if not isinstance(items, list):
        result.violations.append(Violation(f"invalid_{key}", f"{key} is not a list", {}))
        return []
    good = [item for item in items if isinstance(item, dict)]
    if len(good) != len(items):
        result.violations.append(Violation(f"invalid_{key}", f"{key} holds a non-object", {}))
    return good


class ContractError(ValueError):
    """One message or status breaks the contract."""


def parse_message(item: Json, profiles: dict[str, tuple[str, str | None]]) -> InboundMessage:
    wamid = _identifier(item, "id")
    kind = _string(item, "type")
    sent_at = _timestamp(item)
    reader = _reader(item, profiles)
    payload = item.get(kind)
    if kind in MEDIA_TYPES and not isinstance(payload, dict):
        raise ContractError(f"{kind} message without its {kind} object")
    context = as_object(item.get("context"))
    text, content = describe(kind, payload, item)
    if context.get("frequently_forwarded"):
        content["frequently_forwarded"] = True
    corrects = kind in CORRECTIONS
    return InboundMessage(
        external_id=wamid,
        reader=reader,
        sent_at=sent_at,
        type=kind,
        role=ROLES.get(kind, Role.CONTENT),
        text=text,
        content=content,
        quoted_id=_optional_id(context, "id"),
        forwarded=bool(context.get("forwarded") or context.get("frequently_forwarded")),
        media=_media(kind, as_object(payload)) if kind in MEDIA_TYPES else None,
        reaction_to=_optional_id(payload, "message_id") if kind == "reaction" else None,
        number_change=_number_change(kind, payload),
        choice=_choice(kind, content),
        original_id=_optional_id(payload, "original_message_id") if corrects else None,
    )


def _choice(kind: str, content: Json) -> str | None:
    """The id of the desk's button the reader tapped (a button reply's id, a quick reply's
    payload)."""
    key = {"interactive": "id", "button": "payload"}.get(kind)
    value = content.get(key) if key else None
    return value if isinstance(value, str) else None


def parse_status(item: Json) -> StatusUpdate:
    errors = [error_summary(e) for e in as_list(item.get("errors")) if isinstance(e, dict)][:10]
    code = errors[0].get("code") if errors else None
    return StatusUpdate(
        external_id=_identifier(item, "id"),
        status=_string(item, "status").lower(),
        at=_timestamp(item),
        errors=errors,
        refusal=refusal_for(code) if isinstance(code, int) else None,
    )


def _reader(item: Json, profiles: dict[str, tuple[str, str | None]]) -> Reader:
    wa_id = _optional_id(item, "from")
    user_id = _optional_id(item, "from_user_id")
    if wa_id is None and user_id is None:
        raise ContractError("message without from or from_user_id")
    name, username = profiles.get(wa_id or "") or profiles.get(user_id or "") or ("", None)
    return Reader(phone=wa_id, user_id=user_id, display_name=name, username=username, address=wa_id)


def _profiles(contacts: Any) -> dict[str, tuple[str, str | None]]:
    """Profile names by wa_id and by user_id."""
    names: dict[str, tuple[str, str | None]] = {}
    for contact in as_list(contacts):
        if not isinstance(contact, dict):
            continue
        profile = as_object(contact.get("profile"))
        name = as_text(profile.get("name"))
        username = as_text(profile.get("username")) or None
        for key in ("wa_id", "user_id"):
            if isinstance(contact.get(key), str):
                names[contact[key]] = (name[:256], username)
    return names


def _media(kind: str, payload: Json) -> MediaRef:
    media_id = _identifier(payload, "id")
    if kind == "audio":
        media_kind = MediaKind.VOICE if payload.get("voice") is True else MediaKind.AUDIO
    else:
        media_kind = MediaKind(kind)
    filename = payload.get("filename")
    return MediaRef(
        kind=media_kind,
        media_id=media_id,
        mime_type=_short(payload.get("mime_type"), 128),
        sha256=_short(payload.get("sha256"), 128),
        filename=_short(filename, 512),
    )


def _number_change(kind: str, payload: Any) -> str | None:
    """The reader's new wa_id when a system message says they changed their number."""
    if kind != "system" or not isinstance(payload, dict):
        return None
    if payload.get("type") != "user_changed_number":
        return None
    return _optional_id(payload, "wa_id")


def _identifier(data: Json, key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_ID_LENGTH:
        raise ContractError(f"{key} is missing or not an id")
    return value


def _optional_id(data: Any, key: str) -> str | None:
    if not isinstance(data, dict):
        return None
    value = data.get(key)
    if isinstance(value, str) and value.strip() and len(value) <= MAX_ID_LENGTH:
        return value
    return None


def _string(data: Json, key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value or len(value) > 64:
        raise ContractError(f"{key} is missing or not a string")
    return value


def _short(value: Any, limit: int) -> str | None:
    return value[:limit] if isinstance(value, str) and value else None


def _timestamp(data: Json) -> datetime:
    value = data.get("timestamp")
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.isdigit() or len(value) > 12:
        raise ContractError("timestamp is missing or not unix seconds")
    seconds = int(value)
    if not EARLIEST <= seconds <= LATEST:
        raise ContractError("timestamp is out of range")
    return datetime.fromtimestamp(seconds, tz=UTC)


def _excerpt(item: Json) -> Json:
    """What admins see of a broken item: its shape and ids, capped in size."""
    text = json.dumps(item, ensure_ascii=False, default=str)
    if len(text) <= 4000:
        return item
    return {"truncated": text[:4000]}

"""The OpenAPI document of `/api/v1`, written by hand next to the routes it describes."""

from __future__ import annotations

from typing import Any

from tipdesk import __version__
from tipdesk.tips.models import TipStatus
from tipdesk.webhooks.events import WebhookEvent

ERROR = {"$ref": "#/components/schemas/Error"}
TIP = {"$ref": "#/components/schemas/Tip"}
TIP_FIELDS = [
    "id", "status", "created_at", "updated_at", "sender", "text", "messages", "media",
    "claimed_by", "desk", "consent", "purge_at", "tags", "notes", "merged_into",
]  # fmt: skip
TAG = {"type": "string", "maxLength": 32, "pattern": "^[^\\W_][\\w-]*$"}
TAGS = {"type": "array", "items": TAG, "maxItems": 20}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _responses(ok: dict[str, Any], *codes: int) -> dict[str, Any]:
    answers: dict[str, Any] = {"200": {"description": "OK", "content": _json(ok)}}
    for code in (401, *codes):
        answers[str(code)] = {"description": "error", "content": _json(ERROR)}
    return answers


def _parameter(name: str, where: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": where, "required": where == "path", "schema": schema}


def _by_id(summary: str, ok: dict[str, Any], *codes: int) -> dict[str, Any]:
    return {
        "summary": summary,
        # Ids are whole numbers; anything else answers 404 like an unknown id.
        "parameters": [_parameter("id", "path", {"type": "string", "pattern": "^[0-9]{1,12}$"})],
        "responses": _responses(ok, 404, *codes),
    }


def _list_parameters() -> list[dict[str, Any]]:
    text = {"type": "string"}
    day = {"type": "string", "format": "date"}
    number = {"type": "integer", "minimum": 1}
    names = ("q", "status", "media", "desk", "claimed_by", "sort")
    return (
        [_parameter(name, "query", text) for name in names]
        + [_parameter(name, "query", day) for name in ("since", "until")]
        + [_parameter(name, "query", number) for name in ("page", "per_page")]
    )


def _status_body() -> dict[str, Any]:
    schema = {
        "type": "object",
        "required": ["status"],
        "properties": {
            "status": {"type": "string", "enum": [s.value for s in TipStatus]},
            "note": {"type": "string", "maxLength": 2000},
            "published_url": {"type": ["string", "null"], "format": "uri"},
            "override_reason": {"type": ["string", "null"], "minLength": 3, "maxLength": 2000},
        },
    }
    return {"required": True, "content": _json(schema)}


def _body(required: list[str], properties: dict[str, Any]) -> dict[str, Any]:
    schema = {"type": "object", "required": required, "properties": properties}
    return {"required": bool(required), "content": _json(schema)}


def _conversation_paths() -> dict[str, Any]:
    sender = {"type": "object"}
    reply_body = _body(
        ["text"],
        {"text": {"type": "string", "minLength": 1, "maxLength": 4096},
         "quote": {"type": ["string", "null"],
                   "description": "external_id (on WhatsApp: wamid) of a reader's message"}},
    )  # fmt: skip
    reply = {
        **_by_id("Write to the reader (signed; held outside the 24-hour window)", {}, 400, 409),
        "requestBody": reply_body,
    }
    reply["responses"]["202"] = reply["responses"].pop("200")
    consent = _by_id("Ask the reader for consent to use the tip's media", {}, 400, 409)
    consent["responses"]["201"] = consent["responses"].pop("200")
    language = {
        **_by_id("The language the reader is written to (null: by country code)", sender, 400),
        "requestBody": _body(["language"], {"language": {"type": ["string", "null"]}}),
    }
    return {
        "/api/v1/tips/{id}/reply": {"post": reply},
        "/api/v1/tips/{id}/consent-request": {"post": consent},
        "/api/v1/senders/{id}/block": {"post": _by_id("Block: the desk sends nothing", sender)},
        "/api/v1/senders/{id}/unblock": {"post": _by_id("Unblock", sender)},
        "/api/v1/senders/{id}/language": {"post": language},
    }


def _reports() -> dict[str, Any]:
    day = {"type": "string", "format": "date"}
    report = {
        "type": "object",
        "required": ["period", "previous_period", "figures", "previous"],
        "description": "figures of the period and of the period of the same length before it",
    }
    return {
        "summary": "Figures of a period, days inclusive, in TIPDESK_TIMEZONE (chiefs, admins)",
        "parameters": [_parameter(name, "query", day) for name in ("since", "until")],
        "responses": _responses(report, 400, 403),
    }


def _posting(summary: str, body: dict[str, Any], *codes: int) -> dict[str, Any]:
    return {"post": {**_by_id(summary, TIP, 400, *codes), "requestBody": body}}


def _edit_paths() -> dict[str, Any]:
    desk = {"type": ["string", "null"], "maxLength": 32}
    number = {"type": "integer", "minimum": 1}
    note = {"type": "string", "minLength": 1, "maxLength": 5000}
    return {
        "/api/v1/tips/{id}/notes": _posting(
            "Add an internal note (answers 201 with the tip)", _body(["text"], {"text": note}), 409
        ),
        "/api/v1/tips/{id}/tags": _posting(
            "Replace the tags (tags), or add and remove some",
            _body([], {"tags": TAGS, "add": TAGS, "remove": TAGS}), 409,
        ),
        "/api/v1/tips/{id}/desk": _posting(
            "Set the desk (null clears it)", _body(["desk"], {"desk": desk}), 409
        ),
        "/api/v1/tips/{id}/assign": _posting(
            "Assign to an editor (chiefs and admins)",
            _body(["editor_id"], {"editor_id": number}), 403, 409,
        ),
        "/api/v1/tips/{id}/merge": _posting(
            "Merge another tip of the same reader into this one",
            _body(["source_id"], {"source_id": number}), 409,
        ),
        "/api/v1/tips/{id}/split": _posting(
            "Split a reader message off into a new tip (answers 201 with the new tip)",
            _split_body(), 409,
        ),
        "/api/v1/tips/bulk": {"post": _bulk()},
    }  # fmt: skip


def _bulk() -> dict[str, Any]:
    """The board's bulk actions; a refusal per tip is in the answer, not an error."""
    number = {"type": "integer", "minimum": 1}
    ids = {"type": "array", "items": number, "minItems": 1, "maxItems": 100}
    action = {"type": "string", "enum": ["archive", "reject", "tag", "assign"]}
    body = _body(["action", "tip_ids"], {"action": action, "tip_ids": ids, "tags": TAGS,
                                         "editor_id": number})  # fmt: skip
    refusal = {
        "type": "object",
        "required": ["id", "code", "message"],
        "properties": {
            "id": number,
            "code": {"type": "string"},
            "message": {"type": "string"},
            "reason": {"type": ["string", "null"]},
        },
    }
    outcome = {
        "type": "object",
        "required": ["done", "refused"],
        "properties": {
            "done": {"type": "array", "items": number},
            "refused": {"type": "array", "items": refusal},
        },
    }
    return {
        "summary": "Archive, reject, tag or assign several tips (assign: chiefs and admins)",
        "requestBody": body,
        "responses": _responses(outcome, 400, 403),
    }


def _split_body() -> dict[str, Any]:
    """The message by its `external_id`, or on WhatsApp by its `wamid` as before channels."""
    message_id = {"type": "string", "minLength": 1, "maxLength": 255}
    schema = {
        "type": "object",
        "properties": {"external_id": message_id, "wamid": message_id},
        "anyOf": [{"required": ["external_id"]}, {"required": ["wamid"]}],
    }
    return {"required": True, "content": _json(schema)}


def _export() -> dict[str, Any]:
    """The one answer that is not JSON: a zip, streamed (its errors are JSON like the rest)."""
    export = _by_id("The tip's evidence bundle: originals, web variants, manifest (zip)", {}, 403)
    export["responses"]["200"] = {
        "description": "a zip: originals/, variants/, manifest.json and manifest.html",
        "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
    }
    return export


def _webhook_paths() -> dict[str, Any]:
    webhook: dict[str, Any] = {
        "type": "object",
        "required": ["id", "url", "events", "description", "active"],
    }
    created = {**webhook, "required": [*webhook["required"], "secret"]}
    events = {
        "type": "array", "minItems": 1,
        "items": {"type": "string", "enum": [e.value for e in WebhookEvent]},
    }  # fmt: skip
    body = _body(
        ["url", "events"],
        {"url": {"type": "string", "format": "uri", "maxLength": 2048}, "events": events,
         "description": {"type": "string", "maxLength": 200}, "active": {"type": "boolean"}},
    )  # fmt: skip
    create: dict[str, Any] = {
        "summary": "Subscribe a receiver (admins; the secret is in this answer only)",
        "requestBody": body,
        "responses": _responses(created, 400, 403),
    }
    create["responses"]["201"] = create["responses"].pop("200")
    delete = _by_id("Delete a subscription and its delivery log (admins)", {}, 403)
    delete["responses"]["204"] = {"description": "deleted"}
    del delete["responses"]["200"]
    listing = {"type": "object", "required": ["items"]}
    return {
        "/api/v1/webhooks": {
            "get": {"summary": "Outbound webhook subscriptions (admins)",
                    "responses": _responses(listing, 403)},
            "post": create,
        },
        "/api/v1/webhooks/{id}": {"delete": delete},
    }  # fmt: skip


def _schemas() -> dict[str, Any]:
    error = {
        "type": "object",
        "required": ["code", "message"],
        "properties": {
            "code": {"type": "string"},
            "message": {"type": "string"},
            # A refusal's stable code, finer than `code`; absent when the error has none.
            "reason": {"type": "string"},
        },
    }
    return {
        "Error": {"type": "object", "required": ["error"], "properties": {"error": error}},
        "Tip": {"type": "object", "required": TIP_FIELDS},
    }


def openapi_document() -> dict[str, Any]:
    listing = {"type": "object", "required": ["items", "total", "page"]}
    status = {**_by_id("Change a tip's status", TIP, 400, 409), "requestBody": _status_body()}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Tipdesk API", "version": __version__},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": _schemas(),
        },
        "security": [{"bearer": []}],
        "paths": {
            "/api/v1/tips": {
                "get": {
                    "summary": "Search and list tips",
                    "parameters": _list_parameters(),
                    "responses": _responses(listing, 400),
                }
            },
            "/api/v1/tips/{id}": {"get": _by_id("One tip", TIP)},
            "/api/v1/tips/{id}/claim": {"post": _by_id("Claim for the caller", TIP, 403, 409)},
            "/api/v1/tips/{id}/release": {"post": _by_id("Give a claim up", TIP, 409)},
            "/api/v1/tips/{id}/status": {"post": status},
            "/api/v1/tips/{id}/export": {"get": _export()},
            "/api/v1/senders/{id}": {"get": _by_id("A sender", {"type": "object"})},
            "/api/v1/reports": {"get": _reports()},
            **_conversation_paths(),
            **_edit_paths(),
            **_webhook_paths(),
        },
    }

"""`/api/v1/webhooks`: outbound webhook subscriptions for admin tokens (list, create, delete).
The secret is in the answer to the POST only; the board's /admin/webhooks does the rest."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tipdesk.api.bodies import json_body, path_id
from tipdesk.editors.access import require_editor
from tipdesk.editors.models import Editor
from tipdesk.editors.permissions import may_administer
from tipdesk.errors import Forbidden, InvalidInput
from tipdesk.webhooks import subscriptions
from tipdesk.webhooks.models import WebhookSubscription


def subscription_json(subscription: WebhookSubscription) -> dict[str, Any]:
    return {
        "id": subscription.id,
        "url": subscription.url,
        "events": list(subscription.events),
        "description": subscription.description,
        "active": subscription.active,
        "created_at": subscription.created_at.isoformat(),
    }


async def _admin(request: Request) -> Editor:
    editor = await require_editor(request)
    if not may_administer(editor):
        raise Forbidden(subscriptions.REFUSAL)
    return editor


async def list_webhooks(request: Request) -> Response:
    await _admin(request)
    items = [subscription_json(s) for s in await subscriptions.subscriptions()]
    return JSONResponse({"items": items})


async def create_webhook(request: Request) -> Response:
    editor = await _admin(request)
    data = await json_body(request)
    url, events = data.get("url"), data.get("events")
    description, active = data.get("description", ""), data.get("active", True)
    if not isinstance(url, str):
        raise InvalidInput('"url" must be a string')
    if not isinstance(events, list) or not all(isinstance(e, str) for e in events):
        raise InvalidInput('"events" must be a list of event names')
    if not isinstance(description, str) or not isinstance(active, bool):
        raise InvalidInput('"description" must be a string and "active" true or false')
    wanted = subscriptions.Wanted(url, events, description, active)
    subscription, secret = await subscriptions.create_subscription(
        editor, wanted, request.app.state.settings
    )
    return JSONResponse({**subscription_json(subscription), "secret": secret}, status_code=201)


async def delete_webhook(request: Request) -> Response:
    editor = await _admin(request)
    await subscriptions.delete_subscription(editor, path_id(request))
    return Response(status_code=204)


routes = [
    Route("/api/v1/webhooks", list_webhooks, methods=["GET"]),
    Route("/api/v1/webhooks", create_webhook, methods=["POST"]),
    Route("/api/v1/webhooks/{id}", delete_webhook, methods=["DELETE"]),
]

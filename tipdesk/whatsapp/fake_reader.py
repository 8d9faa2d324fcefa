"""The notifications the fake Graph API sends: a reader's message, or a status of ours."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tipdesk.whatsapp.fake import FakeGraphConfig

WABA_ID = "102938475610293"


def _envelope(
    config: FakeGraphConfig, value: dict[str, Any], number: str | None = None
) -> dict[str, Any]:
    metadata = {
        "display_phone_number": config.display_phone_number,
        "phone_number_id": number or config.phone_number_id,
    }
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": WABA_ID,
                "changes": [
                    {
                        "field": "messages",
                        "value": {"messaging_product": "whatsapp", "metadata": metadata, **value},
                    }
                ],
            }
        ],
    }


def inbound_notification(
    config: FakeGraphConfig,
    message: dict[str, Any],
    wa_id: str,
    name: str,
    number: str | None = None,
) -> dict[str, Any]:
    contacts = [{"profile": {"name": name}, "wa_id": wa_id}]
    return _envelope(config, {"contacts": contacts, "messages": [message]}, number)


def status_notification(
    config: FakeGraphConfig,
    wamid: str,
    wa_id: str,
    status: str,
    errors: list[dict[str, Any]] | None = None,
    number: str | None = None,
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": wamid,
        "status": status,
        "timestamp": str(int(time.time())),
        "recipient_id": wa_id,
    }
    if errors:
        item["errors"] = errors
    return _envelope(config, {"statuses": [item]}, number)

"""Small builders for notifications the fixtures do not cover (tests write many of their own)."""

from __future__ import annotations

from typing import Any

from tests.intake.conftest import PHONE_NUMBER_ID

BASE_TIME = 1_790_512_340


def text_message(
    wamid: str, body: str, *, sender: str = "31612345678", at: int = BASE_TIME, **extra: Any
) -> dict[str, Any]:
    return {
        "from": sender,
        "id": wamid,
        "timestamp": str(at),
        "type": "text",
        "text": {"body": body},
        **extra,
    }


def image_message(
    wamid: str, media_id: str, *, sender: str = "31612345678", at: int = BASE_TIME
) -> dict[str, Any]:
    return {
        "from": sender,
        "id": wamid,
        "timestamp": str(at),
        "type": "image",
        "image": {"mime_type": "image/jpeg", "sha256": "abc=", "id": media_id},
    }


def notification(*messages: dict[str, Any], name: str = "Lezer") -> dict[str, Any]:
    senders = {m.get("from") for m in messages if m.get("from")}
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102938475610293",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "31851234567",
                                "phone_number_id": PHONE_NUMBER_ID,
                            },
                            "contacts": [
                                {"profile": {"name": name}, "wa_id": s} for s in sorted(senders)
                            ],
                            "messages": list(messages),
                        },
                    }
                ],
            }
        ],
    }

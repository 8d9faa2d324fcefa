"""How long after a reader's last message each channel lets the desk write freely.

WhatsApp allows free-form messages for 24 hours after the reader's last one (Meta's customer
service window), templates only after; the web form has no window: its reader reads the desk's
answers whenever they open their page. Declared here, beside the protocol, so that a page can ask
without an adapter at hand; each adapter's tests hold its entry to what the channel does.
"""

from __future__ import annotations

from datetime import timedelta

SERVICE_WINDOWS: dict[str, timedelta | None] = {
    "whatsapp": timedelta(hours=24),
    "webform": None,
}


def service_window(channel: str) -> timedelta | None:
    """None: the channel never closes. An unknown channel is held to WhatsApp's rule, the
    strictest the desk knows."""
    return SERVICE_WINDOWS.get(channel, SERVICE_WINDOWS["whatsapp"])

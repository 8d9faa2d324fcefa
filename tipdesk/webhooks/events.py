"""What a subscription can hear of, and which audit events say it: pure, no database."""

from __future__ import annotations

from enum import StrEnum

from tipdesk.audit.actions import AuditAction
from tipdesk.tips.models import TipStatus


class WebhookEvent(StrEnum):
    TIP_CREATED = "tip.created"
    TIP_CLAIMED = "tip.claimed"
    TIP_STATUS_CHANGED = "tip.status_changed"
    TIP_USED = "tip.used"
    CONSENT_CHANGED = "consent.changed"
    CONSENT_REVOKED_AFTER_USE = "consent.revoked_after_use"
    READER_ERASED = "reader.erased"


# A takeover and an assignment are claims too, for whoever follows who holds a tip.
_BY_ACTION: dict[AuditAction, WebhookEvent] = {
    AuditAction.TIP_CREATED: WebhookEvent.TIP_CREATED,
    AuditAction.TIP_CLAIMED: WebhookEvent.TIP_CLAIMED,
    AuditAction.TIP_CLAIM_TAKEN_OVER: WebhookEvent.TIP_CLAIMED,
    AuditAction.TIP_ASSIGNED: WebhookEvent.TIP_CLAIMED,
    AuditAction.TIP_STATUS_CHANGED: WebhookEvent.TIP_STATUS_CHANGED,
    AuditAction.CONSENT_GRANTED: WebhookEvent.CONSENT_CHANGED,
    AuditAction.CONSENT_REFUSED: WebhookEvent.CONSENT_CHANGED,
    AuditAction.CONSENT_REVOKED: WebhookEvent.CONSENT_CHANGED,
    AuditAction.CONSENT_UNCLEAR: WebhookEvent.CONSENT_CHANGED,
    AuditAction.CONSENT_WITHDRAWN_AFTER_USE: WebhookEvent.CONSENT_REVOKED_AFTER_USE,
    AuditAction.SENDER_ERASED: WebhookEvent.READER_ERASED,
}

# What each consent action means for the receiver's copy of the consent.
CONSENT_STATES = {
    AuditAction.CONSENT_GRANTED: "granted",
    AuditAction.CONSENT_REFUSED: "refused",
    AuditAction.CONSENT_REVOKED: "revoked",
    AuditAction.CONSENT_UNCLEAR: "unclear",
}


def events_of(action: str, detail: dict[str, object]) -> list[WebhookEvent]:
    """The webhook events an audit event stands for: none, one, or for a status change to
    `used` both `tip.status_changed` and `tip.used` (a CMS often wants only the latter)."""
    try:
        event = _BY_ACTION.get(AuditAction(action))
    except ValueError:
        return []
    if event is None:
        return []
    if event is WebhookEvent.TIP_STATUS_CHANGED and detail.get("to") == TipStatus.USED.value:
        return [event, WebhookEvent.TIP_USED]
    return [event]


def parse_events(names: list[str]) -> list[WebhookEvent]:
    """The chosen events in the enum's order; ValueError naming an unknown one."""
    chosen = set()
    for name in names:
        try:
            chosen.add(WebhookEvent(name))
        except ValueError:
            known = ", ".join(e.value for e in WebhookEvent)
            raise ValueError(f"'{name[:64]}' is not a webhook event (known: {known})") from None
    return [event for event in WebhookEvent if event in chosen]

"""Every action the audit trail knows: one name per kind of change, never a free string.

The values are what `audit_events.action` has always stored, so old rows read the same; the
reports match them through this enum (reports/figures.py) and the board labels each one
(editorial_ui/labels.py, with a test that none is missing).
"""

# ruff: noqa: S105 - names of actions on passwords and tokens, not secrets
from __future__ import annotations

from enum import StrEnum


class AuditAction(StrEnum):
    # A tip: intake, claims, status, the editors' edits, merges and splits, replies.
    TIP_CREATED = "tip.created"
    TIP_CLAIMED = "tip.claimed"
    TIP_CLAIM_TAKEN_OVER = "tip.claim_taken_over"
    TIP_RELEASED = "tip.released"
    TIP_STATUS_CHANGED = "tip.status_changed"
    TIP_CONSENT_OVERRIDDEN = "tip.consent_overridden"
    TIP_NOTE_ADDED = "tip.note_added"
    TIP_TAGS_CHANGED = "tip.tags_changed"
    TIP_DESK_CHANGED = "tip.desk_changed"
    TIP_ASSIGNED = "tip.assigned"
    TIP_MERGED = "tip.merged"
    TIP_MERGED_AWAY = "tip.merged_away"
    TIP_SPLIT = "tip.split"
    TIP_SPLIT_FROM = "tip.split_from"
    TIP_REPLIED = "tip.replied"
    # The evidence bundle (originals, variants, consent, trail) left the desk as a zip.
    TIP_EXPORTED = "tip.exported"
    # A reader's consent to use their media.
    CONSENT_REQUESTED = "consent.requested"
    CONSENT_GRANTED = "consent.granted"
    CONSENT_REFUSED = "consent.refused"
    CONSENT_UNCLEAR = "consent.unclear"
    CONSENT_REVOKED = "consent.revoked"
    CONSENT_CREDIT_CHANGED = "consent.credit_changed"
    CONSENT_WITHDRAWN_AFTER_USE = "consent.withdrawn_after_use"
    CONSENT_ALERT_HANDLED = "consent.alert_handled"
    # A reader's messages, corrected by the reader.
    MESSAGE_EDITED = "message.edited"
    MESSAGE_REVOKED = "message.revoked"
    # A reader (a sender): requests, blocks, erasure, a new number.
    SENDER_BLOCKED = "sender.blocked"
    SENDER_UNBLOCKED = "sender.unblocked"
    SENDER_LANGUAGE_SET = "sender.language_set"
    SENDER_OPTED_OUT = "sender.opted_out"
    SENDER_OPTED_IN = "sender.opted_in"
    SENDER_ERASURE_REQUESTED = "sender.erasure_requested"
    SENDER_ERASED = "sender.erased"
    SENDER_NUMBER_CHANGED = "sender.number_changed"
    SENDER_NUMBER_CHANGE_CONFLICT = "sender.number_change_conflict"
    # Editors, their tokens and logins, and the admin's work on dead jobs.
    EDITOR_CREATED = "editor.created"
    EDITOR_ROLE_CHANGED = "editor.role_changed"
    EDITOR_DEACTIVATED = "editor.deactivated"
    EDITOR_REACTIVATED = "editor.reactivated"
    EDITOR_PASSWORD_RESET = "editor.password_reset"
    PASSWORD_CHANGED = "password.changed"
    TOKEN_CREATED = "token.created"
    TOKEN_REVOKED = "token.revoked"
    LOGIN_SUCCEEDED = "login.succeeded"
    LOGIN_FAILED = "login.failed"
    JOB_RETRY = "job.retry"
    JOB_DISCARD = "job.discard"
    # The canned replies chiefs and admins keep for the reply box.
    CANNED_REPLY_SAVED = "canned_reply.saved"
    CANNED_REPLY_DELETED = "canned_reply.deleted"
    # The outbound webhooks admins keep, and their manual redeliveries.
    WEBHOOK_SAVED = "webhook.saved"
    WEBHOOK_DELETED = "webhook.deleted"
    WEBHOOK_SECRET_ROTATED = "webhook.secret_rotated"
    WEBHOOK_REDELIVERED = "webhook.redelivered"

"""What editors read instead of the desk's internal codes (Dutch; the page language)."""

from __future__ import annotations

from tipdesk.audit.actions import AuditAction

CONSENT_STATES = {
    "not_asked": "niet gevraagd",
    "requested": "gevraagd, nog geen antwoord",
    "granted": "gegeven",
    "refused": "geweigerd",
    "revoked": "ingetrokken",
}
CONSENT_SCOPES = {"named": "met naam", "anonymous": "anoniem"}
MESSAGE_TYPES = {
    "text": "tekst",
    "image": "foto",
    "video": "video",
    "audio": "geluid",
    "document": "document",
    "sticker": "sticker",
    "location": "locatie",
    "contacts": "contact",
    "interactive": "antwoord",
    "button": "antwoord",
    "reaction": "reactie",
    "system": "melding",
    "order": "bestelling",
    "unsupported": "niet ondersteund",
    "request_welcome": "chat geopend",
}
# What WhatsApp did not pass on (`unsupported.type`), so the editor can ask the reader for it.
UNSUPPORTED_TYPES = {
    "poll_creation": "een peiling",
    "poll_update": "een stem in een peiling",
    "gif": "een gif",
    "pin": "een vastgezet bericht",
    "keep_in_chat": "een bewaard bericht",
    "media_placeholder": "media die nog niet beschikbaar is",
    "group_invite": "een groepsuitnodiging",
    "view_once": "een foto of video voor eenmalige weergave",
    "edit": "een bewerking",
}
UNSUPPORTED_OTHER = "een soort bericht dat WhatsApp niet doorgeeft"
FORWARDED = {"forwarded": "doorgestuurd", "frequently_forwarded": "vaak doorgestuurd"}
# A tip's history (and any other list of audit events), one label per action; a test keeps every
# AuditAction labelled.
AUDIT_ACTIONS: dict[AuditAction, str] = {
    AuditAction.TIP_CREATED: "tip binnengekomen",
    AuditAction.TIP_CLAIMED: "opgepakt",
    AuditAction.TIP_CLAIM_TAKEN_OVER: "overgenomen van een collega",
    AuditAction.TIP_RELEASED: "vrijgegeven",
    AuditAction.TIP_STATUS_CHANGED: "status gewijzigd",
    AuditAction.TIP_CONSENT_OVERRIDDEN: "gebruikt zonder toestemming van de lezer",
    AuditAction.TIP_NOTE_ADDED: "notitie toegevoegd",
    AuditAction.TIP_TAGS_CHANGED: "labels gewijzigd",
    AuditAction.TIP_DESK_CHANGED: "naar een andere redactie",
    AuditAction.TIP_ASSIGNED: "toegewezen",
    AuditAction.TIP_MERGED: "andere tip hierin samengevoegd",
    AuditAction.TIP_MERGED_AWAY: "samengevoegd in een andere tip",
    AuditAction.TIP_SPLIT: "bericht afgesplitst",
    AuditAction.TIP_SPLIT_FROM: "afgesplitst van een andere tip",
    AuditAction.TIP_REPLIED: "antwoord aan de lezer",
    AuditAction.CONSENT_REQUESTED: "toestemming gevraagd",
    AuditAction.CONSENT_GRANTED: "toestemming gegeven",
    AuditAction.CONSENT_REFUSED: "toestemming geweigerd",
    AuditAction.CONSENT_UNCLEAR: "antwoord op toestemming onduidelijk",
    AuditAction.CONSENT_REVOKED: "toestemming ingetrokken",
    AuditAction.CONSENT_CREDIT_CHANGED: "naamsvermelding gewijzigd",
    AuditAction.CONSENT_WITHDRAWN_AFTER_USE: "toestemming ingetrokken na gebruik",
    AuditAction.CONSENT_ALERT_HANDLED: "melding over toestemming afgehandeld",
    AuditAction.MESSAGE_EDITED: "bericht bewerkt door de lezer",
    AuditAction.MESSAGE_REVOKED: "bericht verwijderd door de lezer",
    AuditAction.SENDER_BLOCKED: "lezer geblokkeerd",
    AuditAction.SENDER_UNBLOCKED: "lezer gedeblokkeerd",
    AuditAction.SENDER_LANGUAGE_SET: "taal van de lezer ingesteld",
    AuditAction.SENDER_OPTED_OUT: "lezer stuurde STOP",
    AuditAction.SENDER_OPTED_IN: "lezer stuurde START",
    AuditAction.SENDER_ERASURE_REQUESTED: "lezer vroeg om verwijdering",
    AuditAction.SENDER_ERASED: "gegevens van de lezer verwijderd",
    AuditAction.SENDER_NUMBER_CHANGED: "lezer heeft een nieuw nummer",
    AuditAction.SENDER_NUMBER_CHANGE_CONFLICT: "nieuw nummer van de lezer was al bekend",
    AuditAction.EDITOR_CREATED: "redacteur aangemaakt",
    AuditAction.EDITOR_ROLE_CHANGED: "rol gewijzigd",
    AuditAction.EDITOR_DEACTIVATED: "redacteur uitgeschakeld",
    AuditAction.EDITOR_REACTIVATED: "redacteur weer ingeschakeld",
    AuditAction.EDITOR_PASSWORD_RESET: "wachtwoord opnieuw ingesteld",
    AuditAction.PASSWORD_CHANGED: "wachtwoord gewijzigd",
    AuditAction.TOKEN_CREATED: "API-sleutel aangemaakt",
    AuditAction.TOKEN_REVOKED: "API-sleutel ingetrokken",
    AuditAction.LOGIN_SUCCEEDED: "ingelogd",
    AuditAction.LOGIN_FAILED: "inloggen mislukt",
    AuditAction.JOB_RETRY: "taak opnieuw gestart",
    AuditAction.JOB_DISCARD: "taak verwijderd",
}


def audit_label(action: str) -> str:
    """The label of a stored action; a code this release does not know (a row written by a
    newer one) is shown as it is."""
    try:
        return AUDIT_ACTIONS[AuditAction(action)]
    except ValueError:
        return action

"""What editors read instead of the desk's internal codes (Dutch; the page language)."""

from __future__ import annotations

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

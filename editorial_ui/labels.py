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

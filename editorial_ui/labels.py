"""What editors read instead of the desk's internal codes, in Dutch and English: statuses,
consent, media, message kinds, delivery, roles and every audit action. Keys are
`kind.code` (`status.in_review`), read through `i18n.label`."""

from __future__ import annotations

from tipdesk.audit.actions import AuditAction

Words = tuple[str, str]  # (nl, en)

# fmt: off
STATUSES: dict[str, Words] = {
    "new": ("nieuw", "new"),
    "in_review": ("in behandeling", "in review"),
    "verified": ("geverifieerd", "verified"),
    "used": ("gebruikt", "used"),
    "rejected": ("afgewezen", "rejected"),
    "archived": ("gearchiveerd", "archived"),
}
CONSENT_STATES: dict[str, Words] = {
    "not_asked": ("niet gevraagd", "not asked"),
    "requested": ("gevraagd, nog geen antwoord", "asked, no answer yet"),
    "granted": ("gegeven", "given"),
    "refused": ("geweigerd", "refused"),
    "revoked": ("ingetrokken", "withdrawn"),
}
CONSENT_SCOPES: dict[str, Words] = {"named": ("met naam", "with name"), "anonymous": ("anoniem", "anonymous")}  # fmt: skip
MEDIA_KINDS: dict[str, Words] = {
    "image": ("foto", "photo"),
    "video": ("video", "video"),
    "voice": ("spraakbericht", "voice message"),
    "audio": ("geluid", "audio"),
    "document": ("document", "document"),
    "sticker": ("sticker", "sticker"),
}
MEDIA_STATES: dict[str, Words] = {
    "pending": ("wordt opgehaald", "being fetched"),
    "fetched": ("wordt verwerkt", "being processed"),
    "ready": ("klaar", "ready"),
    "failed": ("mislukt", "failed"),
}
MESSAGE_TYPES: dict[str, Words] = {
    "text": ("tekst", "text"),
    "image": ("foto", "photo"),
    "video": ("video", "video"),
    "audio": ("geluid", "audio"),
    "document": ("document", "document"),
    "sticker": ("sticker", "sticker"),
    "location": ("locatie", "location"),
    "contacts": ("contact", "contact"),
    "interactive": ("antwoord", "answer"),
    "button": ("antwoord", "answer"),
    "reaction": ("reactie", "reaction"),
    "system": ("melding", "notice"),
    "order": ("bestelling", "order"),
    "unsupported": ("niet ondersteund", "not supported"),
    "request_welcome": ("chat geopend", "chat opened"),
    "template": ("sjabloon", "template"),
}
DELIVERY: dict[str, Words] = {
    "received": ("ontvangen", "received"),
    "queued": ("in de wachtrij", "queued"),
    "sent": ("verstuurd", "sent"),
    "delivered": ("afgeleverd", "delivered"),
    "read": ("gelezen", "read"),
    "played": ("afgespeeld", "played"),
    "failed": ("mislukt", "failed"),
    "held": ("wacht op de lezer", "waiting for the reader"),
    "cancelled": ("niet verstuurd", "not sent"),
}
ROLES: dict[str, Words] = {
    "editor": ("redacteur", "editor"),
    "chief": ("chef", "desk chief"),
    "admin": ("beheerder", "admin"),
}
# Why the desk wrote to a reader (`Message.purpose`).
PURPOSES: dict[str, Words] = {
    "confirmation": ("ontvangstbevestiging", "confirmation"),
    "status_update": ("bericht over de status", "status update"),
    "consent_request": ("vraag om toestemming", "consent question"),
    "erase_question": ("vraag over verwijderen", "erasure question"),
    "reply": ("antwoord van een redacteur", "an editor's reply"),
    "window_template": ("sjabloon buiten het 24-uursvenster", "template outside the 24-hour window"),
}
# What WhatsApp did not pass on (`unsupported.type`), so the editor can ask the reader for it.
UNSUPPORTED_TYPES: dict[str, Words] = {
    "poll_creation": ("een peiling", "a poll"),
    "poll_update": ("een stem in een peiling", "a vote in a poll"),
    "gif": ("een gif", "a gif"),
    "pin": ("een vastgezet bericht", "a pinned message"),
    "keep_in_chat": ("een bewaard bericht", "a kept message"),
    "media_placeholder": ("media die nog niet beschikbaar is", "media not available yet"),
    "group_invite": ("een groepsuitnodiging", "a group invitation"),
    "view_once": ("een foto of video voor eenmalige weergave", "a view-once photo or video"),
    "edit": ("een bewerking", "an edit"),
    "other": ("een soort bericht dat WhatsApp niet doorgeeft", "a kind of message WhatsApp does not pass on"),
}
FORWARDED: dict[str, Words] = {
    "forwarded": ("doorgestuurd", "forwarded"),
    "frequently_forwarded": ("vaak doorgestuurd", "forwarded many times"),
}
# A tip's history (and any other list of audit events), one label per action; a test keeps every
# AuditAction labelled.
AUDIT_ACTIONS: dict[AuditAction, Words] = {
    AuditAction.TIP_CREATED: ("tip binnengekomen", "tip came in"),
    AuditAction.TIP_CLAIMED: ("opgepakt", "claimed"),
    AuditAction.TIP_CLAIM_TAKEN_OVER: ("overgenomen van een collega", "taken over from a colleague"),
    AuditAction.TIP_RELEASED: ("vrijgegeven", "released"),
    AuditAction.TIP_STATUS_CHANGED: ("status gewijzigd", "status changed"),
    AuditAction.TIP_CONSENT_OVERRIDDEN: ("gebruikt zonder toestemming van de lezer", "used without the reader's consent"),
    AuditAction.TIP_NOTE_ADDED: ("notitie toegevoegd", "note added"),
    AuditAction.TIP_TAGS_CHANGED: ("labels gewijzigd", "tags changed"),
    AuditAction.TIP_DESK_CHANGED: ("naar een andere redactie", "moved to another desk"),
    AuditAction.TIP_ASSIGNED: ("toegewezen", "assigned"),
    AuditAction.TIP_MERGED: ("andere tip hierin samengevoegd", "another tip merged into this one"),
    AuditAction.TIP_MERGED_AWAY: ("samengevoegd in een andere tip", "merged into another tip"),
    AuditAction.TIP_SPLIT: ("bericht afgesplitst", "message split off"),
    AuditAction.TIP_SPLIT_FROM: ("afgesplitst van een andere tip", "split off another tip"),
    AuditAction.TIP_REPLIED: ("antwoord aan de lezer", "reply to the reader"),
    AuditAction.TIP_EXPORTED: ("bewijsbundel gedownload", "evidence bundle downloaded"),
    AuditAction.CONSENT_REQUESTED: ("toestemming gevraagd", "consent asked"),
    AuditAction.CONSENT_GRANTED: ("toestemming gegeven", "consent given"),
    AuditAction.CONSENT_REFUSED: ("toestemming geweigerd", "consent refused"),
    AuditAction.CONSENT_UNCLEAR: ("antwoord op toestemming onduidelijk", "consent answer unclear"),
    AuditAction.CONSENT_REVOKED: ("toestemming ingetrokken", "consent withdrawn"),
    AuditAction.CONSENT_CREDIT_CHANGED: ("naamsvermelding gewijzigd", "credit changed"),
    AuditAction.CONSENT_WITHDRAWN_AFTER_USE: ("toestemming ingetrokken na gebruik", "consent withdrawn after use"),
    AuditAction.CONSENT_ALERT_HANDLED: ("melding over toestemming afgehandeld", "consent alert handled"),
    AuditAction.MESSAGE_EDITED: ("bericht bewerkt door de lezer", "message edited by the reader"),
    AuditAction.MESSAGE_REVOKED: ("bericht verwijderd door de lezer", "message deleted by the reader"),
    AuditAction.SENDER_BLOCKED: ("lezer geblokkeerd", "reader blocked"),
    AuditAction.SENDER_UNBLOCKED: ("lezer gedeblokkeerd", "reader unblocked"),
    AuditAction.SENDER_LANGUAGE_SET: ("taal van de lezer ingesteld", "reader's language set"),
    AuditAction.SENDER_OPTED_OUT: ("lezer stuurde STOP", "reader sent STOP"),
    AuditAction.SENDER_OPTED_IN: ("lezer stuurde START", "reader sent START"),
    AuditAction.SENDER_ERASURE_REQUESTED: ("lezer vroeg om verwijdering", "reader asked to be erased"),
    AuditAction.SENDER_ERASED: ("gegevens van de lezer verwijderd", "reader's data erased"),
    AuditAction.SENDER_NUMBER_CHANGED: ("lezer heeft een nieuw nummer", "reader has a new number"),
    AuditAction.SENDER_NUMBER_CHANGE_CONFLICT: ("nieuw nummer van de lezer was al bekend", "reader's new number was already known"),
    AuditAction.EDITOR_CREATED: ("redacteur aangemaakt", "editor created"),
    AuditAction.EDITOR_ROLE_CHANGED: ("rol gewijzigd", "role changed"),
    AuditAction.EDITOR_DEACTIVATED: ("redacteur uitgeschakeld", "editor deactivated"),
    AuditAction.EDITOR_REACTIVATED: ("redacteur weer ingeschakeld", "editor reactivated"),
    AuditAction.EDITOR_PASSWORD_RESET: ("wachtwoord opnieuw ingesteld", "password reset"),
    AuditAction.PASSWORD_CHANGED: ("wachtwoord gewijzigd", "password changed"),
    AuditAction.TOKEN_CREATED: ("API-sleutel aangemaakt", "API token created"),
    AuditAction.TOKEN_REVOKED: ("API-sleutel ingetrokken", "API token revoked"),
    AuditAction.LOGIN_SUCCEEDED: ("ingelogd", "logged in"),
    AuditAction.LOGIN_FAILED: ("inloggen mislukt", "login failed"),
    AuditAction.JOB_RETRY: ("taak opnieuw gestart", "job retried"),
    AuditAction.JOB_DISCARD: ("taak verwijderd", "job discarded"),
    AuditAction.CANNED_REPLY_SAVED: ("standaardantwoord opgeslagen", "canned reply saved"),
    AuditAction.CANNED_REPLY_DELETED: ("standaardantwoord verwijderd", "canned reply deleted"),
    AuditAction.WEBHOOK_SAVED: ("webhook opgeslagen", "webhook saved"),
    AuditAction.WEBHOOK_DELETED: ("webhook verwijderd", "webhook deleted"),
    AuditAction.WEBHOOK_SECRET_ROTATED: ("webhookgeheim vernieuwd", "webhook secret renewed"),
    AuditAction.WEBHOOK_REDELIVERED: ("webhook opnieuw verstuurd", "webhook redelivered"),
}
HOOK_EVENTS: dict[str, Words] = {
    "tip.created": ("nieuwe tip", "new tip"),
    "tip.claimed": ("tip opgepakt", "tip claimed"),
    "tip.status_changed": ("status van een tip gewijzigd", "a tip's status changed"),
    "tip.used": ("tip gebruikt", "tip used"),
    "consent.changed": ("toestemming gegeven, geweigerd of ingetrokken", "consent given, refused or withdrawn"),
    "consent.revoked_after_use": ("toestemming ingetrokken na gebruik", "consent withdrawn after use"),
    "reader.erased": ("lezer gewist", "reader erased"),
}
HOOK_STATES: dict[str, Words] = {
    "pending": ("wacht", "waiting"),
    "delivered": ("afgeleverd", "delivered"),
    "given_up": ("opgegeven", "given up"),
}

# fmt: on


def _keyed(kind: str, table: dict[str, Words]) -> dict[str, Words]:
    return {f"{kind}.{code}": words for code, words in table.items()}


LABELS: dict[str, Words] = {
    **_keyed("status", STATUSES), **_keyed("consent", CONSENT_STATES),
    **_keyed("scope", CONSENT_SCOPES), **_keyed("media", MEDIA_KINDS),
    **_keyed("media_state", MEDIA_STATES), **_keyed("message", MESSAGE_TYPES),
    **_keyed("delivery", DELIVERY), **_keyed("role", ROLES), **_keyed("purpose", PURPOSES),
    **_keyed("unsupported", UNSUPPORTED_TYPES), **_keyed("forwarded", FORWARDED),
    **_keyed("hook_event", HOOK_EVENTS), **_keyed("hook_state", HOOK_STATES),
    **_keyed("audit", {action.value: words for action, words in AUDIT_ACTIONS.items()}),
}  # fmt: skip


def audit_label(action: str, language: str = "nl") -> str:
    """The label of a stored action; a code this release does not know (a row written by a
    newer one) is shown as it is."""
    try:
        words = AUDIT_ACTIONS[AuditAction(action)]
    except ValueError:
        return action
    return words[1] if language == "en" else words[0]

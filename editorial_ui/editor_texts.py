"""Texts the board shows editors for a domain refusal that carries a code instead of words:
Dutch (the board's language) and English, keyed by the code, so the domain stays free of
wording and the CLI and API keep their English message."""

from __future__ import annotations

from tipdesk.editors.accounts import PasswordRefused, PasswordRule

BOARD_LANGUAGE = "nl"
PASSWORD_RULES: dict[str, dict[PasswordRule, str]] = {
    "nl": {
        PasswordRule.TOO_SHORT: "het wachtwoord moet minstens {limit} tekens hebben",
        PasswordRule.TOO_LONG: "het wachtwoord mag hoogstens {limit} tekens hebben",
        PasswordRule.IS_EMAIL: "het wachtwoord mag niet je e-mailadres zijn",
    },
    "en": {
        PasswordRule.TOO_SHORT: "the password needs at least {limit} characters",
        PasswordRule.TOO_LONG: "the password may have at most {limit} characters",
        PasswordRule.IS_EMAIL: "the password may not be your e-mail address",
    },
}


def password_refusal(refused: PasswordRefused, language: str = BOARD_LANGUAGE) -> str:
    texts = PASSWORD_RULES.get(language, PASSWORD_RULES[BOARD_LANGUAGE])
    return texts[refused.rule].format(limit=refused.limit)

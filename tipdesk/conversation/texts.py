"""Every text readers get, in their language: loaded from `reader_texts.toml` and an optional file
of the newsroom's own (`TIPDESK_TEXTS_FILE`), checked once at start.

A text with a placeholder it does not know, a button title over WhatsApp's 20 characters or a
language without one of the texts stops the desk at start, not in front of a reader.
"""

from __future__ import annotations

import functools
import string
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tipdesk.errors import SettingsError
from tipdesk.settings import Settings

DEFAULT_FILE = Path(__file__).with_name("reader_texts.toml")
BUTTON_TITLE_MAX = 20
INTERACTIVE_BODY_MAX = 1024

# Each text and the placeholders it may use.
PLACEHOLDERS: dict[str, frozenset[str]] = {
    "newsroom": frozenset(),
    "confirmation_open": frozenset({"name_suffix", "name", "tip_number", "newsroom"}),
    "confirmation_closed": frozenset(
        {"name_suffix", "name", "tip_number", "newsroom", "next_opening"}
    ),
    "privacy_notice": frozenset({"newsroom", "privacy_url"}),
    "status_in_review": frozenset({"tip_number", "newsroom", "name"}),
    "status_verified": frozenset({"tip_number", "newsroom", "name"}),
    "status_used": frozenset({"tip_number", "newsroom", "name", "published_url"}),
    "status_used_without_link": frozenset({"tip_number", "newsroom", "name"}),
    "status_rejected": frozenset({"tip_number", "newsroom", "name"}),
    "reply_signature": frozenset({"editor", "newsroom"}),
    "consent_question": frozenset({"tip_number", "newsroom", "name", "media"}),
    # What the consent question names: "one|many" for each kind, and a mix of kinds.
    "media_image": frozenset(),
    "media_video": frozenset(),
    "media_audio": frozenset(),
    "media_voice": frozenset(),
    "media_document": frozenset(),
    "media_mixed": frozenset(),
    "consent_button_named": frozenset(),
    "consent_button_anonymous": frozenset(),
    "consent_button_refused": frozenset(),
    "consent_granted_named": frozenset({"credit", "newsroom"}),
    "consent_granted_anonymous": frozenset({"newsroom"}),
    "consent_refused": frozenset({"newsroom"}),
    "consent_revoked": frozenset({"newsroom"}),
    "consent_nothing_to_revoke": frozenset({"newsroom"}),
    "consent_refused_after_use": frozenset({"newsroom"}),
    "consent_unclear": frozenset({"newsroom"}),
    "consent_revoked_after_use": frozenset({"newsroom"}),
    "credit_changed": frozenset({"credit", "newsroom"}),
    "stop_confirmed": frozenset({"newsroom"}),
    "start_confirmed": frozenset({"newsroom"}),
    "info": frozenset({"newsroom", "hours", "privacy_url"}),
    "erase_question": frozenset({"newsroom"}),
    "erase_button_confirm": frozenset(),
    "erase_button_cancel": frozenset(),
    "erase_done": frozenset({"kept", "newsroom"}),
    "erase_kept_nothing": frozenset(),
    "erase_kept_used": frozenset({"count"}),
    "erase_cancelled": frozenset({"newsroom"}),
    "window_reopened": frozenset({"newsroom", "name"}),
    # Satisfaction after a tip closes (TIPDESK_SATISFACTION): the question, its two buttons,
    # the thanks for an answer (inviting a comment) and for the comment.
    "satisfaction_question": frozenset({"tip_number", "newsroom", "name"}),
    "satisfaction_button_good": frozenset(),
    "satisfaction_button_bad": frozenset(),
    "satisfaction_thanks": frozenset({"newsroom"}),
    "satisfaction_comment_thanks": frozenset({"newsroom"}),
    "always_open": frozenset(),
    # The WhatsApp profile's "about" text of each number (139 characters; shortened to fit).
    "profile_about": frozenset({"newsroom", "hours"}),
    "next_opening": frozenset({"day", "time"}),
    "today": frozenset(),
    "tomorrow": frozenset(),
    # The web form's pages and its mail notice (not messages: no button or body limits).
    "form_title": frozenset({"newsroom"}),
    "form_intro": frozenset({"newsroom"}),
    "form_message_label": frozenset({"newsroom"}),
    "form_files_label": frozenset({"newsroom"}),
    "form_files_hint": frozenset({"newsroom", "count", "limit_mb"}),
    "form_contact_legend": frozenset({"newsroom"}),
    "form_name_label": frozenset({"newsroom"}),
    "form_email_label": frozenset({"newsroom"}),
    "form_phone_label": frozenset({"newsroom"}),
    "form_privacy_accept": frozenset({"newsroom"}),
    "form_privacy_link": frozenset({"newsroom"}),
    "form_submit": frozenset({"newsroom"}),
    "form_thanks_title": frozenset({"newsroom"}),
    "form_thanks_text": frozenset({"newsroom"}),
    "form_link_hint": frozenset({"newsroom"}),
    "form_error_busy": frozenset({"newsroom"}),
    "form_error_expired": frozenset({"newsroom"}),
    "form_error_too_large": frozenset({"newsroom", "limit_mb"}),
    "form_error_empty": frozenset({"newsroom"}),
    "form_error_file_type": frozenset({"newsroom", "filename"}),
    "form_error_privacy": frozenset({"newsroom"}),
    "form_error_email": frozenset({"newsroom"}),
    "form_mail_subject": frozenset({"newsroom"}),
    "form_mail_body": frozenset({"newsroom", "link"}),
    "thread_title": frozenset({"newsroom"}),
    "thread_tip_numbers": frozenset({"newsroom"}),
    "thread_sent": frozenset({"newsroom"}),
    "thread_waiting": frozenset({"newsroom"}),
    "thread_desk": frozenset({"newsroom"}),
    "thread_you": frozenset({"newsroom"}),
    "thread_write_label": frozenset({"newsroom"}),
    "thread_send": frozenset({"newsroom"}),
}
BUTTONS = frozenset(k for k in PLACEHOLDERS if "_button_" in k)
QUESTIONS = frozenset({"consent_question", "erase_question"})
KEYWORD_GROUPS = ("stop", "start", "erase", "info", "revoke", "credit_prefix")
CONSENT_GROUPS = ("named", "anonymous", "refused")
SATISFACTION_GROUPS = ("good", "bad")


class TextsError(ValueError):
    """The texts file is unreadable or breaks a rule; the message says where."""


@dataclass(frozen=True)
class Template:
    name: str
    language: str


@dataclass(frozen=True)
class LanguageTexts:
    texts: dict[str, str]
    weekdays: tuple[str, ...]
    template: Template

    def render(self, key: str, **values: object) -> str:
        values.setdefault("newsroom", self.texts["newsroom"])
        return self.texts[key].format_map(values)


@dataclass(frozen=True)
class ReaderTexts:
    languages: dict[str, LanguageTexts]
    default_language: str
    by_country_code: dict[str, str]
    keywords: dict[str, frozenset[str]]
    consent_answers: dict[str, frozenset[str]]
    satisfaction_answers: dict[str, frozenset[str]]

    def language_for(self, phone: str | None, override: str | None = None) -> str:
        """The override if it names a known language, else the longest matching country code."""
        if override and override in self.languages:
            return override
        digits = "".join(ch for ch in phone or "" if ch.isdigit())
        for length in range(min(4, len(digits)), 0, -1):
            language = self.by_country_code.get(digits[:length])
            if language is not None:
                return language
        return self.default_language

    def __getitem__(self, language: str) -> LanguageTexts:
        return self.languages.get(language) or self.languages[self.default_language]


def reader_texts(settings: Settings, line: str | None = None) -> ReaderTexts:
    """The texts of the desk's readers on `line` (one of its numbers; None: the main one),
    loaded once per file; a broken file raises SettingsError naming its setting (the desk asks
    at start, `tipdesk.desk.check_settings`). A number's own texts file lies over the desk's,
    and its `name` is the {newsroom} of every text."""
    number = next((n for n in settings.numbers if n.phone_number_id == line), settings.numbers[0])
    if number.texts_file is None and number.name is None:
        return _loaded(settings.texts_file)
    try:
        return _loaded_for(settings.texts_file, number.texts_file, number.name)
    except SettingsError as exc:
        raise SettingsError(f"TIPDESK_NUMBERS_FILE ({number.phone_number_id}): {exc}") from None


@functools.cache
def _loaded(path: Path | None) -> ReaderTexts:
    try:
        return load_texts(path)
    except TextsError as exc:
        raise SettingsError(f"TIPDESK_TEXTS_FILE: {exc}") from None


@functools.cache
def _loaded_for(path: Path | None, number_file: Path | None, name: str | None) -> ReaderTexts:
    try:
        return load_texts(path, number_file, newsroom=name)
    except TextsError as exc:
        raise SettingsError(str(exc)) from None


def load_texts(*paths: Path | None, newsroom: str | None = None) -> ReaderTexts:
    """The built-in texts, with the newsroom's own files (if any) laid over them in order;
    `newsroom` names the newsroom in every language."""
    data = _read(DEFAULT_FILE)
    for path in paths:
        if path is not None:
            _overlay(data, _read(path))
    if newsroom is not None:
        for section in data.values():
            if isinstance(section, dict) and "newsroom" in section:
                section["newsroom"] = newsroom
    return _build(data)


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TextsError(f"cannot read {path}: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise TextsError(f"{path} is not valid TOML: {exc}") from None


def _overlay(base: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _overlay(base[key], value)
        else:
            base[key] = value


def _build(data: dict[str, Any]) -> ReaderTexts:
    reserved = {
        "default_language", "language_by_country_code", "keywords", "consent_answers",
        "satisfaction_answers",
    }  # fmt: skip
    languages = {
        name: _language(name, section)
        for name, section in data.items()
        if name not in reserved and isinstance(section, dict)
    }
    default = str(data.get("default_language", ""))
    if default not in languages:
        raise TextsError(f"default_language '{default}' has no texts")
    by_code = {str(k): str(v) for k, v in _table(data, "language_by_country_code").items()}
    for code, language in by_code.items():
        if language not in languages:
            raise TextsError(f"country code {code} names language '{language}', which has no texts")
    return ReaderTexts(
        languages=languages,
        default_language=default,
        by_country_code=by_code,
        keywords=_word_groups(data, "keywords", KEYWORD_GROUPS, upper=True),
        consent_answers=_word_groups(data, "consent_answers", CONSENT_GROUPS, upper=False),
        satisfaction_answers=_word_groups(
            data, "satisfaction_answers", SATISFACTION_GROUPS, upper=False
        ),
    )


def _language(name: str, section: dict[str, Any]) -> LanguageTexts:
    texts: dict[str, str] = {}
    for key, allowed in PLACEHOLDERS.items():
        value = section.get(key)
        if not isinstance(value, str) or not value.strip():
            raise TextsError(f"[{name}] {key} is missing or empty")
        _check_placeholders(f"[{name}] {key}", value, allowed)
        limit = BUTTON_TITLE_MAX if key in BUTTONS else INTERACTIVE_BODY_MAX
        if len(value) > limit:
            raise TextsError(f"[{name}] {key} has {len(value)} characters; at most {limit}")
        texts[key] = value
    unknown = sorted(set(section) - set(PLACEHOLDERS) - {"weekdays", "template"})
    if unknown:
        raise TextsError(f"[{name}] {unknown[0]} is not a text the desk knows")
    weekdays = section.get("weekdays")
    if (
        not isinstance(weekdays, list)
        or len(weekdays) != 7
        or not all(isinstance(day, str) and day for day in weekdays)
    ):
        raise TextsError(f"[{name}] weekdays must list seven day names, Monday first")
    template = section.get("template")
    if not isinstance(template, dict) or not all(
        isinstance(template.get(k), str) and template[k] for k in ("name", "language")
    ):
        raise TextsError(f"[{name}.template] needs a name and a language")
    return LanguageTexts(texts, tuple(weekdays), Template(template["name"], template["language"]))


def _check_placeholders(where: str, text: str, allowed: frozenset[str]) -> None:
    try:
        fields = [field for _, field, _, _ in string.Formatter().parse(text) if field is not None]
    except ValueError as exc:
        raise TextsError(f"{where}: {exc}") from None
    for field in fields:
        if field not in allowed:
            known = ", ".join(sorted(allowed)) or "none"
            raise TextsError(f"{where}: unknown placeholder {{{field}}} (known: {known})")


def _table(data: dict[str, Any], name: str) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise TextsError(f"[{name}] must be a table")
    return value


def _word_groups(
    data: dict[str, Any], name: str, groups: tuple[str, ...], *, upper: bool
) -> dict[str, frozenset[str]]:
    table = _table(data, name)
    result: dict[str, frozenset[str]] = {}
    for group in groups:
        words = table.get(group)
        if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
            raise TextsError(f"[{name}] {group} must be a list of words")
        result[group] = frozenset(w.upper() if upper else w.lower() for w in words)
    return result

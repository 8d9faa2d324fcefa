"""What a reader's message asks (pure rules), and the texts file's checks at start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tipdesk.conversation.automatic import opening_phrase
from tipdesk.conversation.intents import Intent, read_intent
from tipdesk.conversation.texts import TextsError, load_texts, reader_texts
from tipdesk.desk import check_settings
from tipdesk.errors import SettingsError
from tipdesk.settings import Settings

TEXTS = load_texts()
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def intent(
    text: str, pending: str | None = None, asked: timedelta = timedelta(minutes=5)
) -> Intent | None:
    return read_intent("text", text, None, pending, NOW - asked, NOW, TEXTS)


@pytest.mark.parametrize(
    ("text", "kind"),
    [("STOP", "stop"), ("stop.", "stop"), ("  Stop! ", "stop"), ("afmelden", "stop"),
     ("START", "start"), ("Verwijder", "erase"), ("delete", "erase"), ("INFO", "info"),
     ("help?", "info"), ("intrekken", "revoke"), ("Toestemming intrekken", "revoke")],
)  # fmt: skip
def test_keywords_are_whole_messages_in_any_case(text: str, kind: str) -> None:
    assert intent(text) == Intent(kind)


@pytest.mark.parametrize("text", ["stop de bus", "Ik wil info over de brand", "ja", "STOPPEN NU"])
def test_sentences_and_unasked_answers_are_not_requests(text: str) -> None:
    assert intent(text) is None


def test_text_answers_count_only_for_a_fresh_question() -> None:
    assert intent("ja hoor", "consent:7") == Intent("consent", scope="named", record_id=7)
    assert intent("ja hoor", "consent:7", asked=timedelta(days=2)) is None
    assert intent("ja", "erase") == Intent("erase_confirm")
    assert intent("nee", "erase") == Intent("erase_cancel")
    # Unclear: asked again once, then the reader's words are their own.
    assert intent("misschien", "consent:7") == Intent("consent_unclear", record_id=7)
    assert intent("misschien", "consent:7:again") is None
    assert intent("ja graag", "consent:7:again") == Intent("consent", scope="named", record_id=7)
    assert intent("ja", "consent:x") is None


def test_buttons_carry_their_meaning_and_forged_ids_mean_nothing() -> None:
    def tap(button: str) -> Intent | None:
        return read_intent("interactive", "", button, None, None, NOW, TEXTS)

    assert tap("consent:3:anonymous") == Intent("consent", scope="anonymous", record_id=3)
    assert tap("erase:confirm") == Intent("erase_confirm")
    for forged in ("consent:3:all", "consent::named", "erase:now", "x" * 300, ""):
        assert tap(forged) is None
    quick_reply = read_intent("button", "Ja", "consent:9:refused", None, None, NOW, TEXTS)
    assert quick_reply == Intent("consent", scope="refused", record_id=9)


def test_credit_names_by_prefix() -> None:
    assert intent("NAAM Anne de Vries") == Intent("credit", credit="Anne de Vries")
    assert intent("name: John") == Intent("credit", credit="John")
    assert intent("naam") is None


def test_language_by_country_code_with_override() -> None:
    assert TEXTS.language_for("31612345678") == "nl"
    assert TEXTS.language_for("32470123456") == "nl"
    assert TEXTS.language_for("5999123456") == "nl"
    assert TEXTS.language_for("447700900123") == "en"
    assert TEXTS.language_for(None) == "en"
    assert TEXTS.language_for("31612345678", "en") == "en"
    assert TEXTS.language_for("31612345678", "klingon") == "nl"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('[nl]\nstatus_used = "Gebruikt: {link}"', "unknown placeholder {link}"),
        ('[en]\nconsent_button_named = "Yes please, use my full name"', "at most 20"),
        ('[nl]\nstop_confirmed = ""', "missing or empty"),
        ('[nl]\nflavour = "x"', "not a text the desk knows"),
        ('default_language = "fr"', "has no texts"),
        ("[nl\n", "not valid TOML"),
        ('[keywords]\nstop = "STOP"', "must be a list"),
        ('[nl]\ninfo = "{unclosed"', "info"),
    ],
)
def test_a_broken_texts_file_stops_the_desk_at_start(
    tmp_path: Path, content: str, problem: str
) -> None:
    path = tmp_path / "texts.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TextsError, match=problem):
        load_texts(path)
    settings = Settings.from_env(
        {"TIPDESK_DATA_DIR": str(tmp_path), "TIPDESK_TEXTS_FILE": str(path)}, env_file=None
    )
    with pytest.raises(SettingsError, match="TIPDESK_TEXTS_FILE"):
        check_settings(settings)


def test_a_newsroom_file_overrides_only_what_it_names(tmp_path: Path) -> None:
    path = tmp_path / "texts.toml"
    path.write_text(
        '[nl]\nnewsroom = "Omroep Zuid"\n[keywords]\nstop = ["HOU OP"]\n', encoding="utf-8"
    )
    texts = load_texts(path)
    assert (
        texts["nl"]
        .render("stop_confirmed")
        .startswith("Je krijgt geen automatische berichten meer van Omroep Zuid")
    )
    assert texts.keywords["stop"] == frozenset({"HOU OP"})
    assert texts["en"].texts["newsroom"] == "the newsroom"


def test_a_missing_texts_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TextsError, match="cannot read"):
        load_texts(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("now", "opening", "expected"),
    [
        # Friday 17:00 exactly is closed; the desk opens Monday. Times in Europe/Amsterdam.
        ("2026-11-27T16:00:00+00:00", "2026-11-30T08:00:00+00:00", "maandag om 09:00"),
        ("2026-11-25T06:00:00+00:00", "2026-11-25T08:00:00+00:00", "vandaag om 09:00"),
        ("2026-11-25T22:00:00+00:00", "2026-11-26T08:00:00+00:00", "morgen om 09:00"),
        # Across the end of summer time: still 09:00 on the wall clock.
        ("2026-10-24T20:00:00+00:00", "2026-10-26T08:00:00+00:00", "maandag om 09:00"),
    ],
)
def test_the_next_opening_in_words(tmp_path: Path, now: str, opening: str, expected: str) -> None:
    settings = Settings.from_env({"TIPDESK_DATA_DIR": str(tmp_path)}, env_file=None)
    moment = datetime.fromisoformat(now)
    assert settings.opening_hours.next_opening(moment, settings.timezone) == datetime.fromisoformat(
        opening
    )
    phrase = opening_phrase(
        datetime.fromisoformat(opening), moment, reader_texts(settings)["nl"], settings
    )
    assert phrase == expected

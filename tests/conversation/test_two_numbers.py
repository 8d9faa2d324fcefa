"""Two WhatsApp numbers on one desk (a broadcaster's regional desks): each reader's tip is
routed by the number they wrote to, answered from that number in its own name, and the reports
count tips per number."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.conversation.conftest import ANNE, JOHN, NUMBER_ID, Newsroom
from tipdesk.clock import utcnow
from tipdesk.settings import Settings
from tipdesk.tips.models import Direction, Message, Tip

LEIDEN = "104567890199999"


@pytest.fixture
def environ(environ: dict[str, str], tmp_path: Path) -> dict[str, str]:
    numbers = tmp_path / "numbers.toml"
    (tmp_path / "leiden.toml").write_text(
        '[nl]\nstatus_in_review = "Leiden kijkt naar je tip {tip_number}."\n'
        '[en]\nstatus_in_review = "Leiden is looking at your tip {tip_number}."\n',
        encoding="utf-8",
    )
    numbers.write_text(
        f'[[number]]\nphone_number_id = "{NUMBER_ID}"\ndesk = "Den Haag"\n\n'
        f'[[number]]\nphone_number_id = "{LEIDEN}"\ndesk = "Leiden"\n'
        'name = "Omroep West Leiden"\ntexts = "leiden.toml"\n',
        encoding="utf-8",
    )
    return {**environ, "TIPDESK_NUMBERS_FILE": str(numbers)}


def sent_from(newsroom: Newsroom, wa_id: str) -> list[str]:
    return [m["from"] for m in newsroom.fake.state.sent if m["to"] == wa_id]


async def test_each_tip_is_routed_and_answered_by_the_number_it_came_in_on(
    newsroom: Newsroom,
) -> None:
    anne = await newsroom.writes("Brand aan de Laan van Meerdervoort")
    john = await newsroom.writes("Boom op de Breestraat", wa_id=JOHN, name="John", to=LEIDEN)
    den_haag, leiden = await newsroom.tip_of(anne), await newsroom.tip_of(john)
    assert (den_haag.desk, den_haag.line) == ("den-haag", None)
    assert (leiden.desk, leiden.line) == ("leiden", LEIDEN)
    # The confirmations came from the number each reader wrote to, in its own name.
    assert set(sent_from(newsroom, ANNE)) == {NUMBER_ID}
    assert set(sent_from(newsroom, JOHN)) == {LEIDEN}
    assert "Omroep West Leiden" in " ".join(newsroom.texts_sent(JOHN))
    assert "Omroep West Leiden" not in " ".join(newsroom.texts_sent(ANNE))

    reply = await newsroom.api(
        "POST", f"/api/v1/tips/{leiden.id}/reply", json={"text": "Is de weg nog dicht?"}
    )
    assert reply.status_code == 202, reply.text
    await newsroom.api("POST", f"/api/v1/tips/{leiden.id}/status", json={"status": "in_review"})
    assert sent_from(newsroom, JOHN)[-2:] == [LEIDEN, LEIDEN]
    assert newsroom.texts_sent(JOHN)[-1] == f"Leiden is looking at your tip {leiden.id}."
    reply_row = await Message.get(tip_id=leiden.id, purpose="reply")
    assert reply_row.line == LEIDEN
    # The desk marks John's message read through the number it came in on.
    await newsroom.api("POST", f"/api/v1/tips/{leiden.id}/opened")
    inbound = await Message.get(tip_id=leiden.id, direction=Direction.INBOUND)
    assert inbound.line == LEIDEN


async def test_one_reader_writing_to_both_numbers_has_a_tip_with_each(newsroom: Newsroom) -> None:
    first = await newsroom.writes("Ongeluk op de A4")
    second = await newsroom.writes("En ook in Leiden een ongeluk", to=LEIDEN)
    a, b = await newsroom.tip_of(first), await newsroom.tip_of(second)
    assert a.id != b.id
    assert (a.line, b.line) == (None, LEIDEN)
    assert await Tip.filter(sender_id=a.sender_id).count() == 2


async def test_the_reports_count_tips_per_number(newsroom: Newsroom) -> None:
    await newsroom.writes("Brand")
    await newsroom.writes("Storm", wa_id=JOHN, name="John", to=LEIDEN)
    await newsroom.writes("Nog een storm", wa_id="31699999999", name="Piet", to=LEIDEN)
    today = (utcnow() + timedelta(hours=1)).date().isoformat()
    report = await newsroom.api(
        "GET", "/api/v1/reports", "Chief", params={"since": today, "until": today}
    )
    assert report.status_code == 200, report.text
    assert report.json()["figures"]["tips"]["by_number"] == {LEIDEN: 2, "": 1}


@pytest.mark.parametrize(
    "numbers",
    [
        f'[[number]]\nphone_number_id = "{LEIDEN}"\n[[number]]\nphone_number_id = "{LEIDEN}"\n',
        '[[number]]\nphone_number_id = "not digits"\n',
        f'[[number]]\nphone_number_id = "{LEIDEN}"\ndesk = "Den Haag!"\n',
        f'[[number]]\nphone_number_id = "{LEIDEN}"\ntexts = "missing.toml"\n',
        "[[number]\n",
    ],
)
def test_a_broken_numbers_file_stops_the_desk_at_start(
    environ: dict[str, str], tmp_path: Path, numbers: str
) -> None:
    from tipdesk.desk import check_settings
    from tipdesk.errors import SettingsError

    broken = tmp_path / "broken.toml"
    broken.write_text(numbers, encoding="utf-8")
    with pytest.raises(SettingsError, match="TIPDESK_NUMBERS_FILE"):
        check_settings(
            Settings.from_env({**environ, "TIPDESK_NUMBERS_FILE": str(broken)}, env_file=None)
        )

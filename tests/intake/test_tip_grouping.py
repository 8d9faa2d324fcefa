"""Which tip a message joins: the open tip it quotes, the reader's active tip, or a new one."""

from __future__ import annotations

import pytest

from tests.intake.builders import BASE_TIME, notification, text_message
from tests.intake.conftest import Meta
from tipdesk.desk import desk_job_kinds, desk_worker
from tipdesk.settings import Settings
from tipdesk.tips.models import Message, Tip, TipStatus

pytestmark = pytest.mark.usefixtures("app")
MINUTE = 60


async def tips_of(*wamids: str) -> list[int | None]:
    return [(await Message.get(external_id=w)).tip_id for w in wamids]  # type: ignore[attr-defined]


async def test_messages_within_the_window_join_the_open_tip(meta: Meta) -> None:
    await meta.deliver(
        notification(text_message("w1", "Brand bij de haven")),
        notification(text_message("w2", "Nu ook rook", at=BASE_TIME + 20 * MINUTE)),
        notification(text_message("w3", "Nog steeds", at=BASE_TIME + 45 * MINUTE)),
    )
    first, second, third = await tips_of("w1", "w2", "w3")
    assert first == second == third
    tip = await Tip.get(id=first)
    assert tip.last_message_at.timestamp() == BASE_TIME + 45 * MINUTE


async def test_a_quiet_window_starts_a_new_tip(meta: Meta) -> None:
    await meta.deliver(
        notification(text_message("w1", "Ongeluk op de A2")),
        notification(text_message("w2", "Andere tip", at=BASE_TIME + 31 * MINUTE)),
    )
    first, second = await tips_of("w1", "w2")
    assert first != second
    assert await Tip.all().count() == 2


async def test_the_window_is_configurable(meta: Meta, environ: dict[str, str]) -> None:
    settings = Settings.from_env({**environ, "TIPDESK_TIP_WINDOW": "5m"}, env_file=None)
    meta.worker = desk_worker(
        settings, {"intake.process": desk_job_kinds(settings)["intake.process"]}
    )
    await meta.deliver(
        notification(text_message("w1", "Een")),
        notification(text_message("w2", "Twee", at=BASE_TIME + 4 * MINUTE)),
        notification(text_message("w3", "Drie", at=BASE_TIME + 10 * MINUTE)),
    )
    first, second, third = await tips_of("w1", "w2", "w3")
    assert first == second != third


async def test_quoting_a_message_of_an_older_open_tip_joins_that_tip(meta: Meta) -> None:
    await meta.deliver(
        notification(text_message("w1", "Boom op de Stationsstraat")),
        notification(text_message("w2", "Iets heel anders", at=BASE_TIME + 3 * 60 * MINUTE)),
        notification(
            text_message(
                "w3",
                "Over die boom: hij ligt er nog",
                at=BASE_TIME + 3 * 60 * MINUTE + 1,
                context={"from": "31612345678", "id": "w1"},
            )
        ),
    )
    first, second, third = await tips_of("w1", "w2", "w3")
    assert first != second
    assert third == first


async def test_a_closed_tip_never_takes_new_messages(meta: Meta) -> None:
    await meta.deliver(notification(text_message("w1", "Brand")))
    tip = await Tip.get()
    for status in (TipStatus.USED, TipStatus.REJECTED, TipStatus.ARCHIVED):
        await Tip.filter(id=tip.id).update(status=status)
        wamid = f"w-{status.value}"
        await meta.deliver(
            notification(
                text_message(
                    wamid,
                    "En nog dit",
                    at=BASE_TIME + 60,
                    context={"from": "31612345678", "id": "w1"},
                )
            )
        )
        (joined,) = await tips_of(wamid)
        assert joined != tip.id
        await Tip.filter(id=joined).update(status=status)


async def test_readers_get_their_own_tips(meta: Meta) -> None:
    await meta.deliver(
        notification(text_message("a1", "Tip van Sanne", sender="31612345678")),
        notification(text_message("b1", "Tip van Joris", sender="31687654321")),
    )
    sanne, joris = await tips_of("a1", "b1")
    assert sanne != joris


async def test_out_of_order_delivery_groups_the_same(meta: Meta) -> None:
    await meta.deliver(
        notification(text_message("w2", "Tweede", at=BASE_TIME + 10 * MINUTE)),
        notification(text_message("w1", "Eerste")),
    )
    first, second = await tips_of("w1", "w2")
    assert first == second
    tip = await Tip.get(id=first)
    assert tip.first_message_at.timestamp() == BASE_TIME
    assert tip.last_message_at.timestamp() == BASE_TIME + 10 * MINUTE


async def test_a_message_long_before_the_tip_does_not_join_it(meta: Meta) -> None:
    await meta.deliver(
        notification(text_message("w2", "Vandaag", at=BASE_TIME + 24 * 60 * MINUTE)),
        notification(text_message("w1", "Gisteren, laat bezorgd")),
    )
    first, second = await tips_of("w1", "w2")
    assert first != second

"""A tip's actions publish to subscribers inside their own transaction (tipdesk/tips/events.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.tips_factory import make_tip
from tipdesk.audit.actions import AuditAction
from tipdesk.audit.models import AuditEvent
from tipdesk.conversation.automatic import tell_reader_of_status
from tipdesk.editors.accounts import create_editor
from tipdesk.editors.models import Editor, Role
from tipdesk.settings import Settings
from tipdesk.tips import actions
from tipdesk.tips.events import StatusChanged, subscribe, subscribers, unsubscribe
from tipdesk.tips.models import Tip, TipStatus

pytestmark = pytest.mark.usefixtures("db")
seen: list[tuple[TipStatus, TipStatus, TipStatus]] = []


class Refused(Exception):
    pass


async def _note(event: StatusChanged) -> None:
    # Inside the action's transaction: the new status is already there to read.
    stored = await Tip.filter(id=event.tip.id).using_db(event.connection).get()
    seen.append((event.previous, event.status, stored.status))


async def _refuse(event: StatusChanged) -> None:
    raise Refused


@pytest.fixture
def listening() -> Iterator[None]:
    seen.clear()
    subscribe(StatusChanged, _note)
    yield
    unsubscribe(StatusChanged, _note)
    unsubscribe(StatusChanged, _refuse)


async def _editor() -> Editor:
    return await create_editor("chief@desk.example", "Chef", Role.CHIEF, "een lang wachtwoord")


def test_the_desk_connects_the_reader_to_status_changes() -> None:
    import tipdesk.desk  # noqa: F401 - the composition root connects when imported

    assert tell_reader_of_status in subscribers(StatusChanged)


@pytest.mark.usefixtures("listening")
async def test_subscribers_run_in_the_change_and_only_on_a_change(settings: Settings) -> None:
    tip, editor = await make_tip("Brand"), await _editor()
    await actions.change_status(tip.id, editor, settings, status="verified")
    await actions.change_status(tip.id, editor, settings, status="verified", note="again")
    assert seen == [(TipStatus.NEW, TipStatus.VERIFIED, TipStatus.VERIFIED)]


@pytest.mark.usefixtures("listening")
async def test_a_subscriber_that_fails_undoes_the_change(settings: Settings) -> None:
    tip, editor = await make_tip("Brand"), await _editor()
    subscribe(StatusChanged, _refuse)
    with pytest.raises(Refused):
        await actions.change_status(tip.id, editor, settings, status="rejected")
    assert (await Tip.get(id=tip.id)).status is TipStatus.NEW
    assert not await AuditEvent.filter(action=AuditAction.TIP_STATUS_CHANGED.value).exists()

"""When retention (conversation/retention.py) will delete a tip, as the board and the API show
it, with a warning a week before."""

from __future__ import annotations

from datetime import datetime, timedelta

from tipdesk.tips.models import Tip, TipStatus

WARN_BEFORE = timedelta(days=7)


def purge_at(
    tip: Tip, retention: timedelta, evidence_retention: timedelta | None = None
) -> datetime | None:
    """When retention deletes this tip. A tip that was ever `used` is evidence: kept for good
    (None) unless `TIPDESK_EVIDENCE_RETENTION` sets a period from its use."""
    if tip.used_at is not None:
        return None if evidence_retention is None else tip.used_at + evidence_retention
    if tip.status is TipStatus.USED:
        return None
    return tip.last_message_at + retention

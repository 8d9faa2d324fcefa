"""What the index holds for a tip, built from the database (the source of truth).

The reader's words only: the desk's own messages (confirmations, questions, editors' replies)
are the same in every tip and would make `privacy` or `nummer` find them all. Editors' notes
have a field of their own, searched only on purpose (`note:`)."""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from tipdesk.conversation.models import ConsentRecord
from tipdesk.search.analysis import (
    compound_analyzer,
    dutch_analyzer,
    english_analyzer,
    folded_analyzer,
)
from tipdesk.tips.models import Direction, MediaAsset, Message, Tip, TipNote


def tip_schema() -> Schema:
    return Schema(
        tip_id=ID(stored=True, unique=True),
        # Newest first as one number (`newest_key`): sorting by one column costs half what a
        # sort by received and then by tip id cost (bench/board.py).
        newest=NUMERIC(bits=64, signed=False, sortable=True),
        body_nl=TEXT(analyzer=dutch_analyzer(), stored=True, phrase=True),
        body_en=TEXT(analyzer=english_analyzer(), phrase=False),
        parts=TEXT(analyzer=compound_analyzer(), phrase=False),
        words=TEXT(analyzer=folded_analyzer(), phrase=True),
        sender=TEXT(analyzer=folded_analyzer(), stored=True),
        status=ID(stored=True),
        desk=ID(stored=True),
        tags=KEYWORD(commas=True, lowercase=True, stored=True),
        media=KEYWORD(commas=True, lowercase=True, stored=True),
        consent=ID(stored=True),
        claimed=KEYWORD(commas=True, lowercase=True, stored=True),
        received=DATETIME(stored=True, sortable=True),
        facts=TEXT(analyzer=dutch_analyzer(), phrase=False),
        notes=TEXT(analyzer=dutch_analyzer(), phrase=False),
        # What voice notes and videos say (also in the tip's text): `spraak:` searches it alone.
        transcripts=TEXT(analyzer=dutch_analyzer(), phrase=True),
        title=STORED(),
    )


# Words editors use for what a tip has, so "video brand" or "foto's met toestemming" find it.
MEDIA_WORDS = {
    "image": "foto photo picture", "video": "video filmpje film", "voice": "spraakbericht voice",
    "audio": "audio geluid", "document": "document bijlage", "sticker": "sticker",
}  # fmt: skip
CONSENT_WORDS = {"granted": "toestemming consent", "refused": "geweigerd refused"}


@dataclass(frozen=True)
class TipDocument:
    tip_id: int
    text: str
    sender: str
    status: str
    desk: str
    tags: list[str]
    media: list[str]
    consent: str
    claimed: list[str]
    received: datetime
    notes: str = ""
    transcripts: str = ""

    def fields(self) -> dict[str, object]:
        return {
            "tip_id": str(self.tip_id),
            "newest": newest_key(self.received, self.tip_id),
            "body_nl": self.text,
            "body_en": self.text,
            "parts": self.text,
            "words": f"{self.text}\n{self.sender}",
            "sender": self.sender,
            "status": self.status,
            "desk": self.desk or "none",
            "tags": ",".join(self.tags),
            "media": ",".join(self.media) or "none",  # the desk's word elsewhere too
            "consent": self.consent,
            "claimed": ",".join(self.claimed) or "nobody",
            "received": self.received.replace(tzinfo=None),  # whoosh stores naive UTC
            "facts": " ".join(
                [MEDIA_WORDS.get(kind, kind) for kind in self.media]
                + [CONSENT_WORDS.get(self.consent, "")]
            ),
            "notes": self.notes,
            "transcripts": self.transcripts,
            "title": self.text[:140],
        }


def newest_key(received: datetime, tip_id: int) -> int:
    """The second a tip came in, then its id (tips of one second, which WhatsApp's timestamps
    cannot tell apart, come newest id first), in 64 bits: seconds to 2106, ids to 2**32."""
    return calendar.timegm(received.utctimetuple()) << 32 | tip_id


async def tip_document(tip_id: int) -> TipDocument | None:
    """Everything a tip holds that an editor may search for; None when the tip is gone."""
    return (await tip_documents([tip_id])).get(tip_id)


async def tip_documents(tip_ids: Collection[int]) -> dict[int, TipDocument]:
    """The documents of these tips, by id, in five queries whatever their number (indexing
    takes the tips of a busy second together); a tip that is gone, erased, or merged into
    another (which holds its messages now) has none."""
    tips = [
        tip
        for tip in await Tip.filter(id__in=list(tip_ids)).select_related("sender", "claimed_by")
        if tip.sender.erased_at is None and tip.merged_into_id is None
    ]
    if not tips:
        return {}
    ids = [tip.id for tip in tips]
    messages: dict[int, list[Message]] = defaultdict(list)
    inbound = Message.filter(tip_id__in=ids, direction=Direction.INBOUND)
    for message in await inbound.order_by("sent_at", "id"):
        if message.tip_id is not None:
            messages[message.tip_id].append(message)
    media: dict[int, list[MediaAsset]] = defaultdict(list)
    for asset in await MediaAsset.filter(tip_id__in=ids).order_by("id"):
        media[asset.tip_id].append(asset)
    consent: dict[int, ConsentRecord] = {}
    for record in await ConsentRecord.filter(tip_id__in=ids).order_by("-requested_at", "-id"):
        consent.setdefault(record.tip_id, record)
    notes: dict[int, list[str]] = defaultdict(list)
    for note in await TipNote.filter(tip_id__in=ids).order_by("created_at", "id"):
        notes[note.tip_id].append(note.text)
    return {
        tip.id: _document(tip, messages[tip.id], media[tip.id], consent.get(tip.id), notes[tip.id])
        for tip in tips
    }


def _document(
    tip: Tip,
    messages: list[Message],
    media: list[MediaAsset],
    consent: ConsentRecord | None,
    notes: list[str],
) -> TipDocument:
    parts = [message.text for message in messages if message.text]
    parts += [asset.filename for asset in media if asset.filename]
    parts += [str(m.content.get("address", "")) for m in messages if m.type == "location"]
    heard = [text for asset in media if (text := transcript_text(asset))]
    parts += heard
    claimed = []
    if tip.claimed_by is not None:
        claimed = [tip.claimed_by.email.split("@")[0], *tip.claimed_by.display_name.split()]
    return TipDocument(
        tip_id=tip.id,
        text="\n".join(dict.fromkeys(part for part in parts if part)),
        sender=tip.sender.display_name,
        status=tip.status.value,
        desk=tip.desk or "",
        tags=[tag.lower() for tag in tip.tags],
        media=sorted({asset.kind.value for asset in media}),
        consent=consent.state.value if consent else "not_asked",
        claimed=[name.lower() for name in claimed],
        received=tip.first_message_at,
        notes="\n".join(notes),
        transcripts="\n".join(heard),
    )


def transcript_text(asset: MediaAsset) -> str:
    """The words of a voice note or video (tipdesk/media/transcripts.py), or nothing."""
    transcript = asset.details.get("transcript")
    text = transcript.get("text") if isinstance(transcript, dict) else None
    return text if isinstance(text, str) else ""

"""What the index holds for a tip, built from the database (the source of truth)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema

from tipdesk.conversation.models import ConsentRecord
from tipdesk.search.analysis import (
    compound_analyzer,
    dutch_analyzer,
    english_analyzer,
    folded_analyzer,
)
from tipdesk.tips.models import MediaAsset, Message, Tip


def tip_schema() -> Schema:
    return Schema(
        tip_id=ID(stored=True, unique=True),
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

    def fields(self) -> dict[str, object]:
        return {
            "tip_id": str(self.tip_id),
            "body_nl": self.text,
            "body_en": self.text,
            "parts": self.text,
            "words": f"{self.text}\n{self.sender}",
            "sender": self.sender,
            "status": self.status,
            "desk": self.desk or "none",
            "tags": ",".join(self.tags),
            "media": ",".join(self.media),
            "consent": self.consent,
            "claimed": ",".join(self.claimed) or "nobody",
            "received": self.received.replace(tzinfo=None),  # whoosh stores naive UTC
            "facts": " ".join(
                [MEDIA_WORDS.get(kind, kind) for kind in self.media]
                + [CONSENT_WORDS.get(self.consent, "")]
            ),
            "title": self.text[:140],
        }


async def tip_document(tip_id: int) -> TipDocument | None:
    """Everything a tip holds that an editor may search for; None when the tip is gone."""
    tip = await Tip.get_or_none(id=tip_id).prefetch_related("sender", "claimed_by")
    if tip is None or tip.sender.erased_at is not None or tip.merged_into_id is not None:
        return None  # gone, erased, or merged into another tip (which holds its messages now)
    messages = await Message.filter(tip_id=tip.id).order_by("sent_at", "id")
    media = await MediaAsset.filter(tip_id=tip.id)
    parts = [message.text for message in messages if message.text]
    parts += [asset.filename for asset in media if asset.filename]
    parts += [str(m.content.get("address", "")) for m in messages if m.type == "location"]
    consent = await ConsentRecord.filter(tip_id=tip.id).order_by("-requested_at").first()
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
    )

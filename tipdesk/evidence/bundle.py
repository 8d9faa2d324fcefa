"""What a tip's evidence bundle holds: the files to pack and the facts of its manifest.

The manifest is what a legal department asks for when a photo is disputed: the tip, the
reader as the desk may still name them (masked number; nothing once they were erased), every
consent record word for word, the credit line, what the desk read from each file (EXIF,
verification facts), and the tip's audit trail. Files are listed as they are found now: an
original or variant missing from the store, and media the trail names that no longer exist
(erased with their reader, deleted, moved to another tip), are listed as gone, with the reason.
The checksums are added while the files are packed (bundle_stream.py), so each file is read once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from media_store.paths import MediaStore
from tipdesk.conversation.models import ConsentRecord
from tipdesk.media.serving import download_name
from tipdesk.tips.models import MediaAsset, Sender, Tip
from tipdesk.tips.presenting import consent_evidence, sender_summary

FORMAT = "tipdesk-evidence/1"


@dataclass(frozen=True)
class PackedFile:
    """One file of the store, as it goes into the zip."""

    name: str
    path: Path
    size: int
    asset_id: int
    # What the desk recorded when the original arrived, checked against the bytes when packed.
    recorded_sha256: str | None = None


@dataclass
class Bundle:
    tip_id: int
    manifest: dict[str, Any]
    files: list[PackedFile] = field(default_factory=list)


async def gather(tip: Tip, store: MediaStore) -> Bundle:
    """The bundle of `tip` without its audit trail, which the caller adds after recording
    the export itself."""
    sender = await Sender.get(id=tip.sender_id)
    records = await ConsentRecord.filter(tip_id=tip.id).order_by("requested_at", "id")
    bundle = Bundle(tip.id, {"format": FORMAT, "tip": _tip(tip), "reader": _reader(sender)})
    bundle.manifest["consent_records"] = await consent_evidence(records)
    bundle.manifest["credit"] = credit_line(records)
    assets = await MediaAsset.filter(tip_id=tip.id).order_by("id").prefetch_related("variants")
    bundle.manifest["media"] = [_medium(asset, store, bundle.files) for asset in assets]
    return bundle


async def gone_from_trail(
    trail: list[dict[str, Any]], tip_id: int, erased: bool
) -> list[dict[str, Any]]:
    """Media the trail names (a consent request lists the media it asked about) that this tip
    no longer holds: erased with the reader, deleted, or moved to another tip by a split."""
    named = sorted({i for event in trail for i in _media_ids(event["detail"])})
    moved = dict(await MediaAsset.filter(id__in=named).values_list("id", "tip_id"))
    gone = []
    for asset_id in named:
        where = moved.get(asset_id)
        if where == tip_id:
            continue
        if where is not None:
            gone.append({"id": asset_id, "gone": "moved", "tip_id": where})
        else:
            gone.append({"id": asset_id, "gone": "erased" if erased else "deleted"})
    return gone


def _media_ids(detail: object) -> list[int]:
    listed = detail.get("media") if isinstance(detail, dict) else None
    return [i for i in listed if isinstance(i, int)] if isinstance(listed, list) else []


def credit_line(records: list[ConsentRecord]) -> dict[str, Any]:
    """The credit as the latest consent record gives it (the rule of the tip's summary):
    a name with named consent, anonymous, or none without consent. An erased reader's credit
    name is gone from the record; the published story keeps it."""
    latest = records[-1] if records else None
    return {
        "state": latest.state.value if latest else "not_asked",
        "scope": latest.scope.value if latest and latest.scope else None,
        "name": latest.credit_name if latest else None,
    }


def _tip(tip: Tip) -> dict[str, Any]:
    return {
        "id": tip.id,
        "status": tip.status.value,
        "received_at": tip.first_message_at.isoformat(),
        "used_at": tip.used_at.isoformat() if tip.used_at else None,
        "published_url": tip.published_url,
        "desk": tip.desk,
        "tags": tip.tags,
    }


def _reader(sender: Sender) -> dict[str, Any]:
    """As the API shows a reader: the number masked, the name only while they are not erased
    (erasure clears both; the stub's row says when)."""
    summary = sender_summary(sender)
    return {
        "id": sender.id,
        "channel": sender.channel,
        "display_name": summary["display_name"] or None,
        "phone": summary["phone"],
        "erased_at": sender.erased_at.isoformat() if sender.erased_at else None,
    }


def _medium(asset: MediaAsset, store: MediaStore, files: list[PackedFile]) -> dict[str, Any]:
    medium: dict[str, Any] = {
        "id": asset.id,
        "kind": asset.kind.value,
        "state": asset.state.value,
        "received_at": asset.created_at.isoformat(),
        "type": asset.detected_mime or asset.declared_mime,
        "size": asset.size,
        "sha256": asset.sha256,
        "reader_file_name": asset.filename,
        "details": asset.details,
        "error": asset.error,
        "original": None,
        "variants": [],
        "gone": None,
    }
    if asset.sha256 is None:
        medium["gone"] = "never_arrived"
        return medium
    original = store.original(asset.sha256)
    if not original.is_file():
        medium["gone"] = "discarded"
        return medium
    name = f"originals/{asset.id}-{download_name(asset)}"
    files.append(
        PackedFile(name, original, original.stat().st_size, asset.id, recorded_sha256=asset.sha256)
    )
    medium["original"] = name
    for variant in sorted(asset.variants, key=lambda v: v.name):
        path = store.resolve_stored(variant.path)
        if not path.is_file():
            continue  # a rendition can be made again from the original; it is no evidence
        name = f"variants/{asset.id}/{variant.name}{path.suffix}"
        files.append(PackedFile(name, path, path.stat().st_size, asset.id))
        medium["variants"].append(
            {"name": variant.name, "file": name, "type": variant.mime, "width": variant.width,
             "height": variant.height, "duration": variant.duration}
        )  # fmt: skip
    return medium

"""Exporting a tip's evidence bundle: the action that records it, and the zip as a stream.

The export is recorded in the trail before the first byte leaves (`tip.exported`, with what
the bundle holds), so the bundle's own trail shows it and a download cut off halfway is still
on record. Files are read in chunks of `CHUNK`, hashed as they pass and handed on, so the
desk holds about one chunk per download whatever the size of a video; the manifests come last,
when every checksum is known. The HTML page is the web layer's (`render_page`): it speaks the
editor's language, which the domain does not know.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiofiles

from tipdesk import __version__
from tipdesk.audit.actions import AuditAction
from tipdesk.audit.trail import record
from tipdesk.clock import utcnow
from tipdesk.editors.models import Editor
from tipdesk.editors.permissions import may_export_evidence
from tipdesk.errors import Forbidden, NotFound
from tipdesk.evidence.bundle import Bundle, PackedFile, gather, gone_from_trail
from tipdesk.evidence.zip_stream import ZipStream
from tipdesk.media.states import media_store
from tipdesk.settings import Settings
from tipdesk.tips.models import Sender, Tip
from tipdesk.tips.presenting import tip_history

CHUNK = 1024 * 1024
MANIFEST_JSON = "manifest.json"
MANIFEST_HTML = "manifest.html"
RenderPage = Callable[[dict[str, Any]], str]


@dataclass(frozen=True)
class Export:
    bundle: Bundle
    moment: datetime

    @property
    def file_name(self) -> str:
        return f"tipdesk-tip-{self.bundle.tip_id}-{self.moment:%Y%m%d-%H%M%S}.zip"


async def exportable(tip_id: int, editor: Editor) -> Tip:
    """The tip, if it exists and this editor may export it; nothing is recorded."""
    if not may_export_evidence(editor):
        raise Forbidden("exporting evidence is for active editors", reason="export_active_editors")
    tip = await Tip.get_or_none(id=tip_id)
    if tip is None:
        raise NotFound("no such tip", reason="no_such_tip")
    return tip


async def export_tip(tip_id: int, editor: Editor, settings: Settings) -> Export:
    """The bundle of one tip, its export recorded in the tip's trail."""
    tip = await exportable(tip_id, editor)
    bundle = await gather(tip, media_store(settings))
    moment = utcnow()
    await record(
        AuditAction.TIP_EXPORTED, tip_id=tip.id, editor=editor,
        detail={"files": len(bundle.files), "bytes": sum(f.size for f in bundle.files)},
    )  # fmt: skip
    trail = await tip_history(tip.id)
    erased = await Sender.filter(id=tip.sender_id, erased_at__isnull=False).exists()
    bundle.manifest.update(
        exported_at=moment.isoformat(),
        exported_by={"id": editor.id, "display_name": editor.display_name},
        desk_version=__version__,
        gone=await gone_from_trail(trail, tip.id, erased),
        audit_trail=trail,
    )
    return Export(bundle, moment)


async def stream_export(
    export: Export, render_page: RenderPage, local_time: datetime
) -> AsyncIterator[bytes]:
    """The zip's bytes: the files, then `manifest.json` and `manifest.html` holding every
    file's SHA-256 (all but their own)."""
    archive = ZipStream(local_time)
    listed: list[dict[str, Any]] = []
    for packed in export.bundle.files:
        digest, size = hashlib.sha256(), 0
        with archive.entry(packed.name, packed.size) as target:
            async with aiofiles.open(packed.path, "rb") as source:
                while chunk := await source.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    target.write(chunk)
                    yield archive.take()
        listed.append(_listed(packed, digest.hexdigest(), size))
    manifest = {**export.bundle.manifest, "files": listed}
    archive.add(MANIFEST_JSON, json.dumps(manifest, ensure_ascii=False, indent=2).encode())
    archive.add(MANIFEST_HTML, render_page(manifest).encode())
    archive.close()
    yield archive.take()


def _listed(packed: PackedFile, sha256: str, size: int) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": packed.name, "media_id": packed.asset_id, "size": size, "sha256": sha256,
    }  # fmt: skip
    if packed.recorded_sha256 is not None:
        # The original's bytes against the checksum the desk took on arrival.
        entry["matches_recorded_sha256"] = sha256 == packed.recorded_sha256
    return entry

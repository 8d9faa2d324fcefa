"""The evidence bundle over HTTP: a reader's photo with EXIF, consent asked and given, the tip
used, then `GET /api/v1/tips/{id}/export` unzipped and checked against the bytes the reader
sent and the words the desk sent; an erased reader's bundle names nothing of them. Through the
real worker and the fake Graph API on a real port, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import zipfile
from collections.abc import AsyncIterator
from typing import Any

import pytest
from markupsafe import escape
from PIL import Image

from tests.conversation.reader_world import Reader, World, open_world
from tests.editorial_ui.sessions import log_in_as
from tests.editors_factory import PASSWORD, bearer
from tipdesk.audit.models import AuditEvent
from tipdesk.conversation.models import ConsentRecord
from tipdesk.editors.models import Editor, Role
from tipdesk.media.states import media_store
from tipdesk.tips.models import MediaAsset, Tip

ANNE = Reader("31612345678", "Anne Zonnebloem")
MANIFESTS = {"manifest.json", "manifest.html"}


@pytest.fixture
async def world(environ: dict[str, str], db: None) -> AsyncIterator[World]:
    async for opened in open_world(environ):
        yield opened


def exif_photo() -> bytes:
    """A real JPEG whose EXIF names a camera and a capture time."""
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0132] = "Fairphone", "FP5", "2026:12:03 07:41:12"
    buffer = io.BytesIO()
    Image.new("RGB", (96, 64), (200, 120, 40)).save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


async def photo_tip(world: World, data: bytes, reader: Reader = ANNE) -> Tip:
    media_id = world.fake.store_media(data, "image/jpeg")
    digest = base64.b64encode(hashlib.sha256(data).digest()).decode()
    image = {"mime_type": "image/jpeg", "sha256": digest, "id": media_id, "caption": "Brand!"}
    wamid = await world.send(reader, {"type": "image", "image": image})
    return await Tip.get(messages__external_id=wamid)


async def used_with_consent(world: World, tip: Tip, chief: dict[str, str]) -> ConsentRecord:
    """Consent asked through the API, given by a tap, the tip marked used."""
    asked = await world.http.post(f"/api/v1/tips/{tip.id}/consent-request", headers=chief)
    assert asked.status_code == 201, asked.text
    await world.settle()
    await world.tap(ANNE, f"consent:{asked.json()['id']}:named", "Ja, met naam")
    used = await world.http.post(
        f"/api/v1/tips/{tip.id}/status", headers=chief,
        json={"status": "used", "published_url": "https://news.example/brand"},
    )  # fmt: skip
    assert used.status_code == 200, used.text
    await world.settle()
    return await ConsentRecord.get(tip_id=tip.id)


async def export(world: World, tip_id: int, headers: dict[str, str]) -> zipfile.ZipFile:
    response = await world.http.get(f"/api/v1/tips/{tip_id}/export", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert re.fullmatch(
        rf'attachment; filename="tipdesk-tip-{tip_id}-\d{{8}}-\d{{6}}\.zip"',
        response.headers["content-disposition"],
    )
    assert response.headers["cache-control"] == "private, no-store"
    bundle = zipfile.ZipFile(io.BytesIO(response.content))
    assert bundle.testzip() is None  # every entry's CRC holds
    return bundle


def manifest_of(bundle: zipfile.ZipFile) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads(bundle.read("manifest.json"))
    return manifest


def assert_checksums_hold(bundle: zipfile.ZipFile, manifest: dict[str, Any]) -> None:
    """Every file but the manifests is listed once, with the SHA-256 and size of its bytes."""
    listed = {entry["name"]: entry for entry in manifest["files"]}
    assert set(listed) == set(bundle.namelist()) - MANIFESTS
    for name, entry in listed.items():
        data = bundle.read(name)
        assert (entry["sha256"], entry["size"]) == (hashlib.sha256(data).hexdigest(), len(data))


async def test_the_bundle_holds_the_files_their_checksums_and_the_consent_word_for_word(
    world: World,
) -> None:
    chief = await bearer("chef@desk.example", "Chef Koster", Role.CHIEF)
    sent = exif_photo()
    tip = await photo_tip(world, sent)
    record = await used_with_consent(world, tip, chief)
    question = next(
        m["body"]["interactive"]["body"]["text"]
        for m in world.sent_to(ANNE.wa_id) if m["body"].get("type") == "interactive"
    )  # fmt: skip

    bundle = await export(world, tip.id, chief)
    manifest = manifest_of(bundle)

    assert_checksums_hold(bundle, manifest)
    asset = await MediaAsset.get(tip_id=tip.id).prefetch_related("variants")
    (medium,) = manifest["media"]
    assert bundle.read(medium["original"]) == sent
    assert medium["original"].startswith(f"originals/{asset.id}-") and medium["gone"] is None
    original = next(f for f in manifest["files"] if f["name"] == medium["original"])
    assert original["sha256"] == asset.sha256 and original["matches_recorded_sha256"] is True
    assert {v["name"] for v in medium["variants"]} == {v.name for v in asset.variants} != set()
    assert medium["details"]["camera"] == "Fairphone FP5"
    assert medium["details"]["taken_at"] == "2026:12:03 07:41:12"

    (evidence,) = manifest["consent_records"]
    assert evidence["question"] == question == record.question_text  # what Anne was sent
    assert evidence["answer"] == "Ja, met naam" and evidence["state"] == "granted"
    assert evidence["request_external_id"] == record.request_external_id is not None
    assert evidence["answer_external_id"] == record.answer_external_id is not None
    assert evidence["requested_by"]["display_name"] == "Chef Koster"
    assert evidence["requested_at"] and evidence["answered_at"] and evidence["media"] == [asset.id]
    assert manifest["credit"] == {"state": "granted", "scope": "named", "name": "Anne Zonnebloem"}
    assert manifest["reader"]["phone"] != ANNE.wa_id and ANNE.wa_id not in json.dumps(manifest)

    actions = [event["action"] for event in manifest["audit_trail"]]
    assert actions[0] == "tip.created" and actions[-1] == "tip.exported"
    assert {"consent.requested", "consent.granted", "tip.status_changed"} <= set(actions)
    exported = await AuditEvent.get(action="tip.exported", tip_id=tip.id).prefetch_related("editor")
    assert exported.editor is not None and exported.editor.display_name == "Chef Koster"
    assert exported.detail == {"files": len(manifest["files"]), "bytes": sum(
        f["size"] for f in manifest["files"])}  # fmt: skip

    page = bundle.read("manifest.html").decode()
    assert f"Bewijsbundel tip #{tip.id}" in page and 'lang="nl"' in page
    assert str(escape(question)) in page and "Fairphone FP5" in page
    assert "03-12-2026 07:41" in page and original["sha256"] in page
    assert "<dt>Breedte (pixels)</dt><dd>96</dd>" in page  # the desk's own reading, named
    assert "bewijsbundel gedownload" in page and "Evidence" not in page
    # Self-contained: opened from disk it loads nothing and runs nothing.
    assert not re.search(r"<script|<link|<img|src=|url\(", page)


async def test_the_page_speaks_the_editors_language(world: World) -> None:
    dutch = await bearer("bram@desk.example", "Bram")
    english = await bearer("john@desk.example", "John")
    await Editor.filter(email="john@desk.example").update(language="en")
    tip = await photo_tip(world, exif_photo())

    dutch_page = (await export(world, tip.id, dutch)).read("manifest.html").decode()
    english_page = (await export(world, tip.id, english)).read("manifest.html").decode()

    assert 'lang="en"' in english_page and f"Evidence bundle tip #{tip.id}" in english_page
    assert "Files and checksums" in english_page and "Consent was never asked." in english_page
    for dutch_word in ("Bewijsbundel", "Toestemming", "Bestanden", "Geschiedenis"):
        assert dutch_word not in english_page, dutch_word
    assert "Nooit om toestemming gevraagd." in dutch_page and "Files and" not in dutch_page
    # Any editor may export (tipdesk/editors/permissions.py), and each export is on record.
    assert await AuditEvent.filter(action="tip.exported", tip_id=tip.id).count() == 2


async def test_an_erased_readers_bundle_names_nothing_of_them_and_lists_the_media_gone(
    world: World,
) -> None:
    chief = await bearer("chef@desk.example", "Chef", Role.CHIEF)
    tip = await photo_tip(world, exif_photo())
    await used_with_consent(world, tip, chief)
    asset = await MediaAsset.get(tip_id=tip.id)
    await world.text(ANNE, "VERWIJDER")
    await world.tap(ANNE, "erase:confirm", "Ja, wis alles")
    await world.settle()

    bundle = await export(world, tip.id, chief)
    manifest = manifest_of(bundle)

    assert set(bundle.namelist()) == MANIFESTS and manifest["files"] == []
    assert manifest["media"] == [] and manifest["gone"] == [{"id": asset.id, "gone": "erased"}]
    assert manifest["reader"]["erased_at"] and manifest["reader"]["display_name"] is None
    (evidence,) = manifest["consent_records"]
    assert evidence["answer"] == "Ja, met naam" and evidence["answer_external_id"]
    assert manifest["credit"]["name"] is None
    page = bundle.read("manifest.html").decode()
    assert f"#{asset.id} · gewist met de lezer" in page
    everything = b"".join(bundle.read(name) for name in bundle.namelist()).decode()
    for trace in (ANNE.wa_id, ANNE.wa_id[2:], ANNE.wa_id[-8:], "Zonnebloem", "Anne"):
        assert trace not in everything, trace


async def test_a_file_gone_from_the_store_is_listed_as_gone(world: World) -> None:
    editor = await bearer("bram@desk.example", "Bram")
    tip = await photo_tip(world, exif_photo())
    asset = await MediaAsset.get(tip_id=tip.id)
    assert asset.sha256 is not None
    media_store(world.settings).discard(asset.sha256)

    manifest = manifest_of(await export(world, tip.id, editor))

    assert manifest["files"] == [] and manifest["media"][0]["gone"] == "discarded"
    assert manifest["media"][0]["sha256"] == asset.sha256  # the record of what arrived stays


async def test_the_export_needs_an_editor_and_a_tip_and_takes_the_boards_session(
    world: World,
) -> None:
    tip = await photo_tip(world, exif_photo())
    refused = await world.http.get(f"/api/v1/tips/{tip.id}/export")
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthorized"
    editor = await bearer("bram@desk.example", "Bram")
    missing = await world.http.get("/api/v1/tips/999999/export", headers=editor)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    head = await world.http.head(f"/api/v1/tips/{tip.id}/export", headers=editor)
    assert head.status_code == 200 and head.headers["content-type"] == "application/zip"
    assert not await AuditEvent.filter(action="tip.exported").exists()  # HEAD took nothing out
    # The tip page's button is a plain link: the session cookie is enough for a GET.
    await log_in_as(world.http, "bram@desk.example", PASSWORD)
    page = await world.http.get(f"/tips/{tip.id}")
    assert f'href="/api/v1/tips/{tip.id}/export"' in page.text
    by_session = await world.http.get(f"/api/v1/tips/{tip.id}/export")
    assert by_session.status_code == 200
    assert isinstance(zipfile.ZipFile(io.BytesIO(by_session.content)).read("manifest.json"), bytes)


async def test_a_photo_split_off_to_another_tip_is_listed_as_moved(world: World) -> None:
    chief = await bearer("chef@desk.example", "Chef", Role.CHIEF)
    tip = await photo_tip(world, exif_photo())
    second = await photo_tip(world, exif_photo())  # a second photo joins the same tip
    assert second.id == tip.id
    asked = await world.http.post(f"/api/v1/tips/{tip.id}/consent-request", headers=chief)
    assert asked.status_code == 201, asked.text
    first, moving = await MediaAsset.filter(tip_id=tip.id).order_by("id").prefetch_related(
        "message"
    )  # fmt: skip
    split = await world.http.post(
        f"/api/v1/tips/{tip.id}/split", headers=chief,
        json={"external_id": moving.message.external_id},
    )  # fmt: skip
    assert split.status_code == 201, split.text

    manifest = manifest_of(await export(world, tip.id, chief))

    assert [medium["id"] for medium in manifest["media"]] == [first.id]
    new_tip = split.json()["id"]
    assert manifest["gone"] == [{"id": moving.id, "gone": "moved", "tip_id": new_tip}]

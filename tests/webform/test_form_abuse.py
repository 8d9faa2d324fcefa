"""What a stranger can throw at the public form: oversized and mislabelled files, floods from one
address, forged and stale forms, missing fields, bots, and other readers' links. Each gets a
clear answer and leaves nothing behind: no tip, no staged bytes."""

from __future__ import annotations

import asyncio
import os
import stat

from tests.conversation.reader_world import photo
from tests.webform.conftest import FormDesk
from tests.webform.test_tip_form import sent_tip
from tipdesk.tips.models import Direction, Message, Tip
from tipdesk.webform import form_tokens
from tipdesk.webform.models import WebformContact


def staged(desk: FormDesk) -> list[str]:
    folder = desk.settings.data_dir / "webform"
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


async def nothing_kept(desk: FormDesk) -> None:
    await desk.settle()
    assert await Tip.all().count() == 0
    assert await WebformContact.all().count() == 0
    assert staged(desk) == []


async def test_a_file_over_the_limit_is_refused_while_it_streams(form_desk: FormDesk) -> None:
    big = b"\xff\xd8\xff\xe0" + os.urandom(3 * 1024 * 1024)  # the test desk allows 2 MB
    response = await form_desk.submit({"message": "video"}, [("big.jpg", big, "image/jpeg")])
    assert response.status_code == 413
    assert "hoogstens 2 MB per bestand" in response.text
    await nothing_kept(form_desk)


async def test_a_file_is_what_its_bytes_say_not_what_its_name_says(form_desk: FormDesk) -> None:
    program = b"MZ\x90\x00\x03\x00\x00\x00" + bytes(range(256)) * 4  # a Windows program
    refused = await form_desk.submit({"message": "kijk"}, [("boom.jpg", program, "image/jpeg")])
    assert refused.status_code == 400
    assert "We herkennen boom.jpg niet als foto, video, geluid of document." in refused.text
    assert "kijk" in refused.text  # what the reader wrote is kept on the form
    await nothing_kept(form_desk)

    png = photo((200, 10, 10))
    script = b"#!/bin/sh\nrm -rf /\n"
    taken = await form_desk.submit(
        {}, [("verslag.pdf", png, "application/pdf"), ("boom.jpg", script, "image/jpeg")]
    )
    assert taken.status_code == 200
    await form_desk.settle()
    image = await Message.get(type="image")
    assert image.content["mime_type"] == "image/png"
    text = await Message.get(type="document")  # plain text, as WhatsApp's documents may be
    assert text.content["mime_type"] == "text/plain"


async def test_a_thousand_submissions_from_one_address_let_ten_in(form_desk: FormDesk) -> None:
    token = await form_desk.form_token()

    async def one(n: int) -> int:
        response = await form_desk.submit({"message": f"spam {n}"}, token=token)
        return response.status_code

    codes: list[int] = []
    for start in range(0, 1000, 100):
        codes += await asyncio.gather(*(one(n) for n in range(start, start + 100)))
    assert codes.count(200) == 10
    assert codes.count(429) == 990
    await form_desk.settle()
    assert await Tip.all().count() == 10
    busy = await form_desk.submit({"message": "nog een"}, token=token)
    assert "Er komen nu te veel tips van dit adres binnen" in busy.text


async def test_forged_stale_and_foreign_forms_are_refused(form_desk: FormDesk) -> None:
    forged = await form_desk.submit(
        {"message": "x"}, token="1700000000.00000000000000000000000000000000"
    )
    assert forged.status_code == 403
    long_ago = form_tokens.form_token(form_desk.settings.secret_key, now=1_000_000_000)
    stale = await form_desk.submit({"message": "mijn tip"}, token=long_ago)
    assert stale.status_code == 400
    assert "Het formulier stond te lang open" in stale.text and "mijn tip" in stale.text
    elsewhere = await form_desk.submit({"message": "x"}, headers={"origin": "https://evil.example"})
    assert elsewhere.status_code == 403
    await nothing_kept(form_desk)


async def test_missing_fields_are_named_and_what_was_written_stays(form_desk: FormDesk) -> None:
    empty = await form_desk.submit({"name": "Anne"})
    assert empty.status_code == 400 and "Schrijf iets of voeg een bestand toe." in empty.text
    assert 'value="Anne"' in empty.text
    unticked = await form_desk.submit({"message": "brand", "privacy": ""})
    assert "Vink aan dat je de privacyverklaring hebt gelezen." in unticked.text
    bad_mail = await form_desk.submit({"message": "brand", "email": "anne at home"})
    assert "Dat e-mailadres klopt niet" in bad_mail.text
    await nothing_kept(form_desk)


async def test_a_bot_that_fills_the_honeypot_is_thanked_and_forgotten(form_desk: FormDesk) -> None:
    response = await form_desk.submit(
        {"message": "cheap pills", "website": "http://spam.example"},
        [("x.png", photo((1, 2, 3)), "image/png")],
    )
    assert response.status_code == 200 and "Dank je wel!" in response.text
    await nothing_kept(form_desk)


async def test_too_many_files_or_a_broken_body_leave_nothing(form_desk: FormDesk) -> None:
    files = [(f"{n}.png", photo((n, n, n)), "image/png") for n in range(11)]
    many = await form_desk.submit({"message": "album"}, files)
    assert many.status_code == 413
    token = await form_desk.form_token()
    cut = (
        b'--b\r\nContent-Disposition: form-data; name="privacy"\r\n\r\nyes\r\n'
        b'--b\r\nContent-Disposition: form-data; name="files"; filename="a.png"\r\n'
        b"Content-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\n half a file"
    )
    broken = await form_desk.http.post(
        f"/tip?t={token}", content=cut, headers={"content-type": "multipart/form-data; boundary=b"}
    )
    assert broken.status_code == 400
    plain = await form_desk.http.post(f"/tip?t={token}", data={"message": "x", "privacy": "yes"})
    assert plain.status_code == 400
    await nothing_kept(form_desk)


async def test_staged_files_are_private_and_names_are_the_desks(form_desk: FormDesk) -> None:
    response = await form_desk.submit(
        {"message": "foto"}, [("../../etc/passwd\x00.png", photo((9, 9, 9)), "image/png")]
    )
    assert response.status_code == 200
    (name,) = staged(form_desk)
    mode = (form_desk.settings.data_dir / "webform" / name).stat().st_mode
    assert stat.S_IMODE(mode) == 0o600
    assert stat.S_IMODE((form_desk.settings.data_dir / "webform").stat().st_mode) == 0o700
    await form_desk.settle()
    message = await Message.get(type="image")
    filename = str(message.content["filename"])
    assert filename.startswith("passwd") and "/" not in filename and "\x00" not in filename


async def test_a_link_opens_only_its_own_conversation(form_desk: FormDesk) -> None:
    tip, link = await sent_tip(form_desk)
    token = link.removeprefix("/tip/c/")
    tampered = token[:-1] + ("0" if token[-1] != "0" else "1")
    assert (await form_desk.http.get(f"/tip/c/{tampered}")).status_code == 404
    assert (await form_desk.http.get("/tip/c/%2e%2e%2fadmin")).status_code == 404
    confirmation = await Message.get(direction=Direction.OUTBOUND, tip_id=tip.id)
    forged = await form_desk.http.post(
        f"{link}/answer", data={"question": confirmation.external_id, "choice": "consent:1:named"}
    )
    assert forged.status_code == 400  # the desk never asked that with those buttons


async def test_only_the_form_may_be_framed_and_only_where_the_desk_says(
    form_desk: FormDesk,
) -> None:
    _, link = await sent_tip(form_desk)
    form = await form_desk.http.get("/tip")
    assert "frame-ancestors 'none'" in form.headers["content-security-policy"]
    conversation = await form_desk.http.get(link)
    assert conversation.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in conversation.headers["content-security-policy"]


async def test_a_form_reader_who_erases_everything_leaves_no_way_to_reach_them(
    form_desk: FormDesk,
) -> None:
    _, link = await sent_tip(form_desk, email="anne@example.nl", phone="0612345678")
    nothing = {"files": ("", b"", "application/octet-stream")}
    await form_desk.http.post(f"{link}/write", data={"message": "wissen"}, files=nothing)
    await form_desk.settle()
    question = await Message.get(purpose="erase_question")
    await form_desk.http.post(
        f"{link}/answer", data={"question": question.external_id, "choice": "erase:confirm"}
    )
    await form_desk.settle()
    assert await WebformContact.all().count() == 0
    assert await Tip.all().count() == 0
    assert (await form_desk.http.get(link)).status_code == 404


async def test_the_purge_sweeps_staged_files_no_fetch_took(form_desk: FormDesk) -> None:
    from tipdesk.conversation.retention import purge

    folder = form_desk.settings.data_dir / "webform"
    folder.mkdir(parents=True, exist_ok=True)
    orphan, fresh = folder / ("a" * 32), folder / ("b" * 32)
    orphan.write_bytes(b"left by a crash")
    fresh.write_bytes(b"being sent right now")
    os.utime(orphan, (0, 0))
    await purge(form_desk.settings)
    assert not orphan.exists() and fresh.exists()

"""`/tip`: the public tip form, and `/tip/c/<link>`: a form reader's private conversation.

Everything a reader does here becomes a body of the web form channel (tipdesk/webform/channel.py)
in the desk's durable inbox, parsed by the same intake job as WhatsApp's webhooks: a tip from the
form is a tip like any other, and its reader hears from the desk through the same conversation
(confirmation, replies, the consent question), which they read on their private page.

The form works without script; it may be framed by the newsroom's own site (TIPDESK_FORM_EMBED),
the private conversation never (its buttons give consent). Each submission is checked in this
order, cheapest first: the form token, the Origin, the honeypot, the limit per address, then the
body is streamed to disk under the caps (tipdesk/webform/uploads.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from tortoise.expressions import Q

from editorial_ui.pages import render
from media_store.sniff import sniff
from tipdesk.channels.events import Reader
from tipdesk.client_address import client_address
from tipdesk.clock import utcnow
from tipdesk.conversation.form_contacts import contact_of, conversation_seen, remember_contact
from tipdesk.conversation.texts import LanguageTexts, reader_texts
from tipdesk.errors import BadRequest, Forbidden, NotFound, PayloadTooLarge, TipdeskError
from tipdesk.intake.inbox import Inbox
from tipdesk.settings import Settings
from tipdesk.tips.models import DeliveryState, Direction, Message, Sender, Tip
from tipdesk.webform import throttle
from tipdesk.webform.channel import answer_body, new_id, owns, seen_body, tip_body
from tipdesk.webform.form_tokens import form_token, token_problem
from tipdesk.webform.links import address_of, link_token
from tipdesk.webform.uploads import (
    FormLimits,
    FormReader,
    StagedFile,
    Submission,
    staging_folder,
)

log = logging.getLogger("tipdesk.webform")
LANGUAGES = ("nl", "en")
HONEYPOT = "website"
FILES_PER_TIP = 10
SHOWN_KINDS = {"image": "image", "video": "video", "audio": "audio", "document": "document"}
_EMAIL_LENGTH = 254
SENT = (DeliveryState.SENT, DeliveryState.DELIVERED, DeliveryState.READ, DeliveryState.PLAYED)


class FormRefused(TipdeskError):
    """A submission the reader can fix: shown on the form, in their language, with what they
    wrote kept."""

    status = 400

    def __init__(self, text_key: str, status: int = 400, **values: object) -> None:
        super().__init__(text_key)
        self.text_key = text_key
        self.status = status
        self.text_values = values


@dataclass(frozen=True)
class Page:
    language: str
    texts: LanguageTexts

    def text(self, key: str, **values: object) -> str:
        return self.texts.render(key, newsroom=self.texts.render("newsroom"), **values)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    if not settings.web_form:
        raise NotFound("the tip form is switched off", reason="tip_form_off")
    return settings


def _page(request: Request, settings: Settings) -> Page:
    wanted = request.query_params.get("lang") or _accepted(request)
    language = wanted if wanted in LANGUAGES else reader_texts(settings).default_language
    return Page(language, reader_texts(settings)[language])


def _accepted(request: Request) -> str:
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return ""


def _allow_framing(response: Response, settings: Settings) -> None:
    """The form may be framed by the origins the desk names (browsers heed CSP's
    frame-ancestors over X-Frame-Options); nothing else of the desk may be framed."""
    if settings.form_embed:
        response.headers["content-security-policy"] = (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            f"frame-ancestors 'self' {settings.form_embed}; base-uri 'none'; "
            "form-action 'self'; object-src 'none'"
        )


def _form_page(
    request: Request, settings: Settings, page: Page, *, status: int = 200, **context: Any
) -> Response:
    response = render(
        request, "tip_form.html", status=status, page=page, editor=None,
        form_token=form_token(settings.secret_key), honeypot=HONEYPOT,
        limit_mb=_limit_mb(settings), files_most=FILES_PER_TIP,
        privacy_url=settings.privacy_url, **context,
    )  # fmt: skip
    _allow_framing(response, settings)
    return response


async def form(request: Request) -> Response:
    settings = _settings(request)
    return _form_page(request, settings, _page(request, settings), fields={})


async def submit(request: Request) -> Response:
    settings = _settings(request)
    page = _page(request, settings)
    submission: Submission | None = None
    try:
        _check_origin(request, settings)
        expired = _token_expired(settings, request.query_params.get("t", ""))
        if not await throttle.allowed(_address_key(request, settings), throttle.TIPS_PER_ADDRESS):
            raise FormRefused("form_error_busy", status=429)
        reader = FormReader(_staging(settings), _limits(settings))
        submission = await reader.read(request.headers.get("content-type", ""), request.stream())
        if expired:
            # Read all the same: the form comes back with what the reader wrote.
            raise FormRefused("form_error_expired")
        if submission.text(HONEYPOT):
            reader.discard()
            log.info("web form: a submission filled the honeypot; kept nothing")
            return _thanks(request, settings, page, None)
        kinds = _check_files(submission)
        contact = _contact(submission, page)
        address = new_id()
        await remember_contact(address, **contact)
        text = submission.text("message")
        await _store(request, tip_body(_reader(submission, address, page), text, kinds, utcnow()))
    except FormRefused as refused:
        if submission is not None:
            _discard(settings, submission)
        fields = submission.fields if submission is not None else {}
        return _form_page(
            request, settings, page, status=refused.status, fields=fields,
            error=page.text(refused.text_key, **refused.text_values),
        )  # fmt: skip
    except PayloadTooLarge:
        return _form_page(
            request, settings, page, status=413, fields={},
            error=page.text("form_error_too_large", limit_mb=_limit_mb(settings)),
        )  # fmt: skip
    return _thanks(request, settings, page, address)


def _thanks(request: Request, settings: Settings, page: Page, address: str | None) -> Response:
    # A bot that filled the honeypot gets a page like anyone's, with a link that opens nothing.
    token = link_token(settings.secret_key, address or new_id())
    response = render(
        request, "tip_form_thanks.html", page=page, editor=None,
        link=f"{settings.public_url}/tip/c/{token}",
    )  # fmt: skip
    _allow_framing(response, settings)
    return response


def _check_origin(request: Request, settings: Settings) -> None:
    """Browsers name the page that posts; one on another site is not our form (an embedded
    form posts from its own frame, which is the desk's origin)."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return  # older browsers and privacy modes send none; the token still holds
    ours = urlsplit(settings.public_url)
    theirs = urlsplit(origin)
    if (theirs.scheme, theirs.netloc) != (ours.scheme, ours.netloc) and origin != _request_origin(
        request
    ):
        raise Forbidden("this form is posted from another site", reason="form_from_elsewhere")


def _request_origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


def _token_expired(settings: Settings, token: str) -> bool:
    problem = token_problem(settings.secret_key, token)
    if problem == "forged":
        raise Forbidden(
            "this form was not served by the desk; reload it and try again",
            reason="form_expired",
        )
    return problem == "expired"


def _address_key(request: Request, settings: Settings) -> str:
    address = client_address(request.scope, settings.trusted_proxies)
    return throttle.address_key(settings.secret_key, address)


def _limits(settings: Settings) -> FormLimits:
    return FormLimits(file_bytes=settings.media_max_bytes, files=FILES_PER_TIP)


def _limit_mb(settings: Settings) -> int:
    return settings.media_max_bytes // (1024 * 1024)


def _staging(settings: Settings) -> Path:
    return staging_folder(settings.data_dir)


def _discard(settings: Settings, submission: Submission) -> None:
    for staged in submission.files:
        (_staging(settings) / staged.name).unlink(missing_ok=True)


def _check_files(submission: Submission) -> list[tuple[str, str, str, str]]:
    if not submission.text("message") and not submission.files:
        raise FormRefused("form_error_empty")
    kinds = [_kind(staged) for staged in submission.files]
    if submission.text("privacy") != "yes":
        raise FormRefused("form_error_privacy")
    return kinds


def _contact(submission: Submission, page: Page) -> dict[str, Any]:
    email = submission.text("email")
    if email and (len(email) > _EMAIL_LENGTH or "@" not in email.strip("@") or " " in email):
        raise FormRefused("form_error_email")
    phone = "".join(ch for ch in submission.text("phone") if ch.isdigit() or ch == "+")[:32]
    return {"email": email or None, "phone": phone or None, "language": page.language}


def _reader(submission: Submission, address: str, page: Page) -> Reader:
    name = " ".join(submission.text("name").split())[:100]
    return Reader(phone=None, user_id=address, display_name=name, language=page.language)


async def _store(request: Request, body: bytes) -> None:
    inbox: Inbox = request.app.state.inbox
    await inbox.store(body)


# The private conversation.


async def _conversation_reader(request: Request, settings: Settings) -> Sender:
    address = address_of(settings.secret_key, request.path_params["link"])
    sender = await Sender.get_or_none(user_id=address) if address else None
    if sender is None or sender.erased_at is not None:
        raise NotFound("this link leads to no conversation", reason="no_such_conversation")
    return sender


async def conversation(request: Request) -> Response:
    settings = _settings(request)
    sender = await _conversation_reader(request, settings)
    return await _conversation_page(request, settings, sender)


async def _conversation_page(
    request: Request, settings: Settings, sender: Sender, error: str | None = None
) -> Response:
    contact = await contact_of(sender.user_id)
    page = await _reader_page(settings, sender)
    messages = await _thread(sender)
    unseen = [
        str(m.external_id)
        for m in messages
        if m.direction is Direction.OUTBOUND
        and m.delivery is not DeliveryState.READ
        and owns(m.external_id)
    ]
    if unseen:
        await _store(request, seen_body(unseen, utcnow()))
    if contact is not None:
        await conversation_seen(contact)
    tips = await Tip.filter(sender_id=sender.id).order_by("id").values_list("id", flat=True)
    response = render(
        request, "tip_thread.html", page=page, editor=None, messages=_shown(messages, settings),
        tips=list(tips), link=request.path_params["link"], waiting=not tips,
        notice=request.query_params.get("sent") == "1" and error is None, error=error,
        status=400 if error else 200,
    )  # fmt: skip
    return response


async def _thread(sender: Sender) -> list[Message]:
    # Queued, held and failed messages are not the reader's: they see what the desk has sent.
    return (
        await Message.filter(sender_id=sender.id)
        .filter(Q(direction=Direction.INBOUND) | Q(delivery__in=SENT))
        .order_by("sent_at", "id")
        .limit(500)
    )


def _shown(messages: list[Message], settings: Settings) -> list[dict[str, Any]]:
    answered = {m.quoted_id for m in messages if m.direction is Direction.INBOUND}
    shown: list[dict[str, Any]] = []
    for message in messages:
        outbound = (
            message.content.get("outbound") if message.direction is Direction.OUTBOUND else None
        )
        buttons = outbound.get("buttons") if isinstance(outbound, dict) else None
        shown.append(
            {
                "from_desk": message.direction is Direction.OUTBOUND,
                "text": message.text,
                "type": message.type,
                "filename": message.content.get("filename"),
                "at": _local(message.sent_at, settings),
                "id": message.external_id,
                "buttons": buttons if buttons and message.external_id not in answered else [],
            }
        )
    return shown


def _local(moment: datetime, settings: Settings) -> str:
    return moment.astimezone(settings.timezone).strftime("%d-%m-%Y %H:%M")


async def write_back(request: Request) -> Response:
    settings = _settings(request)
    sender = await _conversation_reader(request, settings)
    page = await _reader_page(settings, sender)
    reader: FormReader | None = None
    try:
        _check_origin(request, settings)
        if not await throttle.allowed(f"link:{sender.id}", throttle.MESSAGES_PER_LINK):
            raise FormRefused("form_error_busy", status=429)
        reader = FormReader(_staging(settings), _limits(settings))
        submission = await reader.read(request.headers.get("content-type", ""), request.stream())
        if not submission.text("message") and not submission.files:
            raise FormRefused("form_error_empty")
        kinds = [_kind(staged) for staged in submission.files]
    except FormRefused as refused:
        if reader is not None:
            reader.discard()
        error = page.text(refused.text_key, **refused.text_values)
        return await _conversation_page(request, settings, sender, error)
    except PayloadTooLarge:
        error = page.text("form_error_too_large", limit_mb=_limit_mb(settings))
        return await _conversation_page(request, settings, sender, error)
    reader_event = Reader(phone=None, user_id=str(sender.user_id), display_name=sender.display_name)
    await _store(request, tip_body(reader_event, submission.text("message"), kinds, utcnow()))
    return RedirectResponse(f"/tip/c/{request.path_params['link']}?sent=1", status_code=303)


async def _reader_page(settings: Settings, sender: Sender) -> Page:
    contact = await contact_of(sender.user_id)
    language = contact.language if contact else reader_texts(settings).default_language
    return Page(language, reader_texts(settings)[language])


def _kind(staged: StagedFile) -> tuple[str, str, str, str]:
    """A file's kind from its first bytes, never from its name or declared type."""
    found = sniff(staged.head)
    if found is None or found.family not in SHOWN_KINDS:
        raise FormRefused("form_error_file_type", filename=staged.filename)
    return (staged.name, SHOWN_KINDS[found.family], found.mime, staged.filename)


async def answer(request: Request) -> Response:
    """A tap on one of the desk's buttons (the consent question): the button's own id and title,
    as the desk sent them, never what the request claims they were."""
    settings = _settings(request)
    sender = await _conversation_reader(request, settings)
    _check_origin(request, settings)
    link = request.path_params["link"]
    if not await throttle.allowed(f"link:{sender.id}", throttle.MESSAGES_PER_LINK):
        page = await _reader_page(settings, sender)
        return await _conversation_page(request, settings, sender, page.text("form_error_busy"))
    async with request.form(max_files=0, max_fields=4, max_part_size=512) as fields:
        question_id, choice = str(fields.get("question", "")), str(fields.get("choice", ""))
    question = await Message.get_or_none(
        external_id=question_id, sender_id=sender.id, direction=Direction.OUTBOUND
    )
    outbound = question.content.get("outbound") if question is not None else None
    buttons = dict(outbound.get("buttons") or []) if isinstance(outbound, dict) else {}
    if question is None or choice not in buttons:
        raise BadRequest(
            "that is not one of the desk's questions to you", reason="no_such_question"
        )
    reader_event = Reader(phone=None, user_id=str(sender.user_id), display_name=sender.display_name)
    await _store(
        request, answer_body(reader_event, choice, str(buttons[choice]), question_id, utcnow())
    )
    return RedirectResponse(f"/tip/c/{link}?sent=1", status_code=303)


async def updates(request: Request) -> Response:
    """How many messages the reader's page would show: the page's script reloads on a change."""
    settings = _settings(request)
    sender = await _conversation_reader(request, settings)
    return JSONResponse({"messages": len(await _thread(sender))})


routes = [
    Route("/tip", form, methods=["GET"]),
    Route("/tip", submit, methods=["POST"]),
    Route("/tip/c/{link}", conversation, methods=["GET"]),
    Route("/tip/c/{link}/write", write_back, methods=["POST"]),
    Route("/tip/c/{link}/answer", answer, methods=["POST"]),
    Route("/tip/c/{link}/updates", updates, methods=["GET"]),
]

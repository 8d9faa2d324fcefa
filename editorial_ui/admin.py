"""`/admin` for admins: dead jobs (retry or discard), webhook errors, failed media, messages to
readers that failed, editors and tokens — the places where the desk tells a person that something
needs them. The forms for editors and tokens live in admin_accounts.py."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from editorial_ui import flash
from editorial_ui.flash import Notice
from editorial_ui.forms import form_fields
from editorial_ui.gates import editor_allowed
from editorial_ui.pages import render
from tipdesk.clock import utcnow
from tipdesk.desk import desk_job_kinds
from tipdesk.editors.dead_jobs import discard_dead_job, retry_dead_job
from tipdesk.editors.models import ApiToken, Editor, Role
from tipdesk.editors.permissions import may_administer
from tipdesk.errors import Forbidden, NotFound
from tipdesk.intake.models import WebhookError
from tipdesk.jobs.models import Job, JobState
from tipdesk.media.transcripts import transcription_status
from tipdesk.tips.models import DeliveryState, Direction, MediaAsset, MediaState, Message, Tip

SHOWN = 100


async def admin_or_login(request: Request) -> Editor | Response:
    return await editor_allowed(
        request, may_administer, Forbidden("only admins may open this page", reason="admins_only")
    )


async def overview(request: Request) -> Response:
    editor = await admin_or_login(request)
    if isinstance(editor, Response):
        return editor
    return await admin_page(request, editor, None)


async def admin_page(
    request: Request, editor: Editor, notice: Notice | None, secret: str | None = None
) -> Response:
    """The admin page; `secret` is a new password or token, shown this once."""
    failed_media = MediaAsset.filter(state=MediaState.FAILED).order_by("-updated_at")
    # Messages to readers that WhatsApp refused for good: the reason, not the text.
    failed_sends = Message.filter(
        direction=Direction.OUTBOUND, delivery=DeliveryState.FAILED
    ).order_by("-delivery_at", "-id")
    tokens = ApiToken.all().order_by("-created_at").prefetch_related("editor")
    return render(
        request, "admin.html", editor=editor,
        dead=await Job.filter(state=JobState.DEAD).order_by("-updated_at").limit(SHOWN),
        webhook_errors=await WebhookError.all().order_by("-created_at").limit(SHOWN),
        consent_alerts=await Tip.filter(consent_alert_at__isnull=False).order_by(
            "-consent_alert_at"
        ),
        failed_media=await failed_media.limit(SHOWN),
        transcripts=transcription_status(request.app.state.settings),
        failed_sends=await failed_sends.limit(SHOWN),
        editors=await Editor.all().order_by("display_name"),
        tokens=await tokens.limit(SHOWN), roles=[role.value for role in Role],
        flash_notice=notice, secret=secret, now=utcnow(),
    )  # fmt: skip


async def job_action(request: Request) -> Response:
    editor = await admin_or_login(request)
    if isinstance(editor, Response):
        return editor
    await form_fields(request, max_fields=5, max_bytes=4096)
    raw, action = request.path_params["id"], request.path_params["action"]
    if not raw.isdigit() or len(raw) > 18 or action not in ("retry", "discard"):
        raise NotFound("no such job", reason="no_such_page")
    job_id = int(raw)
    if action == "retry":
        done = await retry_dead_job(editor, job_id, desk_job_kinds(request.app.state.settings))
    else:
        done = await discard_dead_job(editor, job_id)
    flash.keep(request, Notice("flash.done") if done else Notice("flash.job_gone", kind="error"))
    return RedirectResponse("/admin", status_code=303)


routes = [
    Route("/admin", overview, methods=["GET"]),
    Route("/admin/jobs/{id}/{action}", job_action, methods=["POST"]),
]

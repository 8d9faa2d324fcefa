"""`GET /api/v1/tips/{id}/export`: a tip's evidence bundle as a zip, streamed.

For a token or the board's session (the tip page's button is a plain link). The bundle and the
audit record are the domain's (tipdesk/evidence/); this edge only picks the manifest page's
language, the editor's, and hands the stream to the response.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from editorial_ui.i18n import page_language
from editorial_ui.pages import render_document
from tipdesk.api.bodies import path_id
from tipdesk.editors.access import require_editor
from tipdesk.evidence.export import export_tip, exportable, stream_export
from tipdesk.settings import Settings

MANIFEST_PAGE = "evidence_manifest.html"
ZIP = "application/zip"
# Readers' media stay in no cache, like /media's.
HEADERS = {"cache-control": "private, no-store", "x-content-type-options": "nosniff"}


async def export(request: Request) -> Response:
    editor = await require_editor(request)
    settings: Settings = request.app.state.settings
    if request.method == "HEAD":
        # A look at the headers (a download manager's) takes nothing out, so records nothing.
        await exportable(path_id(request), editor)
        return Response(media_type=ZIP, headers=HEADERS)
    exported = await export_tip(path_id(request), editor, settings)
    language = page_language(request, editor)

    def page(manifest: dict[str, Any]) -> str:
        return render_document(MANIFEST_PAGE, language, settings.timezone, m=manifest)

    local = exported.moment.astimezone(settings.timezone)
    disposition = {"content-disposition": f'attachment; filename="{exported.file_name}"'}
    return StreamingResponse(
        stream_export(exported, page, local), media_type=ZIP, headers={**HEADERS, **disposition}
    )


routes = [Route("/api/v1/tips/{id}/export", export, methods=["GET"])]

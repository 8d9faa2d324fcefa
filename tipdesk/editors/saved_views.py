"""Board views: a name and a search query in the board's one language (search/query.py), so a
view is a link as well. Three are built in for everyone; each editor may save their own."""

from __future__ import annotations

from dataclasses import dataclass

from tipdesk.editors.models import Editor, SavedView
from tipdesk.errors import InvalidInput, NotFound

MAX_VIEWS = 20
MAX_NAME = 64
MAX_QUERY = 500


@dataclass(frozen=True)
class View:
    """`key` names a built-in view's words (the board translates it); an editor's own view has
    its `name` as the editor typed it, and its `id`."""

    query: str
    key: str | None = None
    name: str = ""
    id: int | None = None


def built_in_views(editor: Editor) -> list[View]:
    """Mine (the search index knows an editor by the part of the address before @), new tips
    with a video, and tips whose reader was asked for consent and has not answered."""
    login = editor.email.split("@")[0].lower()
    return [
        View(f"claimed:{login}", key="views.mine"),
        View("status:new media:video", key="views.new_video"),
        View("consent:requested", key="views.awaiting_consent"),
    ]


async def own_views(editor: Editor) -> list[View]:
    saved = await SavedView.filter(editor_id=editor.id).order_by("name", "id")
    return [View(view.query, name=view.name, id=view.id) for view in saved]


async def save_view(editor: Editor, name: str, query: str) -> View:
    """A view of this editor's; the same name again replaces that view's query."""
    name, query = " ".join(name.split()), " ".join(query.split())
    if not 1 <= len(name) <= MAX_NAME:
        raise InvalidInput(
            f"a view needs a name of 1 to {MAX_NAME} characters",
            reason="view_name_length",
            values={"limit": MAX_NAME},
        )
    if not 1 <= len(query) <= MAX_QUERY:
        raise InvalidInput("a view needs a search or a filter to save", reason="view_empty")
    existing = await SavedView.filter(editor_id=editor.id, name=name).first()
    if existing is not None:
        await SavedView.filter(id=existing.id).update(query=query)
        return View(query, name=name, id=existing.id)
    if await SavedView.filter(editor_id=editor.id).count() >= MAX_VIEWS:
        raise InvalidInput(
            f"an editor may keep at most {MAX_VIEWS} views",
            reason="too_many_views",
            values={"limit": MAX_VIEWS},
        )
    view = await SavedView.create(editor_id=editor.id, name=name, query=query)
    return View(query, name=name, id=view.id)


async def delete_view(editor: Editor, view_id: int) -> None:
    """Only the editor's own: another editor's view id is as unknown as a missing one."""
    if not await SavedView.filter(id=view_id, editor_id=editor.id).delete():
        raise NotFound("no such view", reason="no_such_view")

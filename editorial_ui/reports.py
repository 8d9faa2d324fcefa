"""`/reports` for desk chiefs and admins: the period picker, SVG charts, tables, and
`/reports.csv?table=NAME&since=&until=` with the very rows the page shows."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil
from typing import Any
from urllib.parse import quote, urlencode

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from editorial_ui import charts
from editorial_ui.pages import render
from tipdesk.editors.access import current_editor
from tipdesk.editors.models import Editor
from tipdesk.editors.permissions import may_see_reports
from tipdesk.errors import Forbidden, InvalidInput
from tipdesk.reports.period import PRESETS, Period, parse_period, preset
from tipdesk.reports.report import build_report
from tipdesk.reports.tables import TABLE_NAMES, Table, table, tables
from tipdesk.settings import Settings

DAYS_NL = ("ma", "di", "wo", "do", "vr", "za", "zo")
PRESET_LABELS = {"today": "Vandaag", "7d": "7 dagen", "30d": "30 dagen"}


@dataclass(frozen=True)
class Section:
    title: str
    chart: Markup | None
    tables: list[Table]
    folded: bool = False


async def _chief(request: Request) -> Editor | Response:
    editor = await current_editor(request)
    if editor is None:
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    if not may_see_reports(editor):
        raise Forbidden("reports are for desk chiefs and admins")
    return editor


def _period(request: Request, settings: Settings) -> Period:
    params = request.query_params
    name = params.get("period", "")
    if name in PRESETS:
        return preset(name, settings.timezone)
    since, until = params.get("since") or None, params.get("until") or None
    return parse_period(since, until, settings.timezone)


async def page(request: Request) -> Response:
    editor = await _chief(request)
    if isinstance(editor, Response):
        return editor
    settings: Settings = request.app.state.settings
    params = request.query_params
    picked = {"since": params.get("since", "")[:10], "until": params.get("until", "")[:10]}
    context: dict[str, Any] = {"editor": editor, "presets": PRESET_LABELS, "picked": picked}
    try:
        period = _period(request, settings)
    except InvalidInput as exc:
        return render(request, "reports.html", status=400, notice=exc.message, **context)
    report = await build_report(period, settings.opening_hours)
    query = urlencode({"since": period.since.isoformat(), "until": period.until.isoformat()})
    context["picked"] = {"since": period.since.isoformat(), "until": period.until.isoformat()}
    return render(
        request, "reports.html", report=report, sections=_sections(report), query=query,
        notice=report.get("notice", ""), duration=duration, legend=charts.legend("hatch-legend"),
        **context,
    )  # fmt: skip


async def csv_export(request: Request) -> Response:
    editor = await _chief(request)
    if isinstance(editor, Response):
        return editor
    name = request.query_params.get("table", "")
    if name not in TABLE_NAMES:
        raise InvalidInput(f"table must be one of: {', '.join(TABLE_NAMES)}")
    settings: Settings = request.app.state.settings
    period = _period(request, settings)
    found = table(await build_report(period, settings.opening_hours), name)
    if found is None:  # pragma: no cover - every name in TABLE_NAMES is a table
        raise InvalidInput(f"no table {name}")
    filename = f"tipdesk-{name}-{period.since}-{period.until}.csv"
    return Response(
        found.csv(), media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}"',
                 "cache-control": "no-store"},
    )  # fmt: skip


def duration(seconds: int | None) -> str:
    """`1 u 05 min`, `4 min 10 s`, `—` for no value."""
    if seconds is None:
        return "—"
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    if hours >= 48:
        return f"{hours // 24} d {hours % 24} u"
    if hours:
        return f"{hours} u {minutes:02d} min"
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def _sections(report: dict[str, Any]) -> list[Section]:
    by_name = {t.name: t for t in tables(report)}
    now, before = report["figures"], report["previous"]
    return [
        Section("Totalen", None, [by_name["totals"]]),
        Section("Tips per dag", _daily(now["tips"], before["tips"], "tips per dag"),
                [by_name["daily"]], folded=True),
        Section("Berichten van lezers per dag",
                _daily(now["messages"]["in"], before["messages"]["in"], "berichten per dag"), []),
        Section("Tips per uur van de dag", _hourly(now, before), [by_name["hourly"]], True),
        Section("Drukste uren (tips per weekdag en uur)",
                charts.heatmap(now["tips"]["heatmap"], DAYS_NL, "tips per weekdag en uur"),
                [by_name["heatmap"]], folded=True),
        Section("Reactietijden", None, [by_name["response"]]),
        *(Section(by_name[n].title, _bars(by_name[n], n), [by_name[n]]) for n in (
            "media", "desks", "numbers", "funnel", "statuses", "consent", "readers",
            "failed_messages",
            "dead_jobs")),
    ]  # fmt: skip


def _daily(now: dict[str, Any], before: dict[str, Any], label: str) -> Markup:
    days = list(now["per_day"])
    old = list(before["per_day"].values())
    points = [
        (day[8:10] + "-" + day[5:7], now["per_day"][day], old[n]) for n, day in enumerate(days)
    ]
    return charts.columns(points, label, f"hatch-{label[:4]}", every=ceil(len(points) / 16))


def _hourly(now: dict[str, Any], before: dict[str, Any]) -> Markup:
    points = [(f"{h:02d}", now["tips"]["per_hour"][h], before["tips"]["per_hour"][h])
              for h in range(24)]  # fmt: skip
    return charts.columns(points, "tips per uur van de dag", "hatch-hour")


def _bars(found: Table, name: str) -> Markup:
    """Bars from a table's label, current and previous columns (the media table: tips)."""
    previous = found.columns.index("previous_tips" if name == "media" else "previous")
    points = [
        (str(row[0]), int(row[1] or 0), int(row[previous] or 0))
        for row in found.rows
        if isinstance(row[1], int)  # not the funnel's share used, a fraction
    ]
    return charts.bars(points, found.title, f"hatch-{name}")


routes = [
    Route("/reports", page, methods=["GET"]),
    Route("/reports.csv", csv_export, methods=["GET"]),
]

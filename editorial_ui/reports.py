"""`/reports` for desk chiefs and admins: the period picker, SVG charts, tables, and
`/reports.csv?table=NAME&since=&until=` with the very rows the page shows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from math import ceil
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from editorial_ui import charts, flash
from editorial_ui.gates import editor_allowed
from editorial_ui.i18n import Translate, label, page_language, translator
from editorial_ui.pages import render
from editorial_ui.report_labels import ShownTable, shown
from tipdesk.editors.models import Editor
from tipdesk.editors.permissions import may_see_reports
from tipdesk.errors import Forbidden, InvalidInput
from tipdesk.reports.period import PRESETS, Period, parse_period, preset
from tipdesk.reports.report import build_report
from tipdesk.reports.tables import TABLE_NAMES, Table, table, tables
from tipdesk.settings import Settings

PRESETS_SHOWN = ("today", "7d", "30d")


@dataclass(frozen=True)
class Section:
    title: str
    chart: Markup | None
    tables: list[ShownTable]
    folded: bool = False
    hint: str = ""


async def _chief(request: Request) -> Editor | Response:
    return await editor_allowed(
        request,
        may_see_reports,
        Forbidden("reports are for desk chiefs and admins", reason="chiefs_only"),
    )


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
    context: dict[str, Any] = {"editor": editor, "presets": PRESETS_SHOWN, "picked": picked}
    try:
        period = _period(request, settings)
    except InvalidInput as exc:
        notice = flash.refusal(exc)
        return render(request, "reports.html", status=400, flash_notice=notice, **context)
    report = await build_report(period, settings.opening_hours)
    language = page_language(request, editor)
    query = urlencode({"since": period.since.isoformat(), "until": period.until.isoformat()})
    context["picked"] = {"since": period.since.isoformat(), "until": period.until.isoformat()}
    return render(
        request, "reports.html", report=report, sections=_sections(report, language), query=query,
        nothing=bool(report.get("notice")), duration=_durations(translator(language)),
        legend=charts.legend("hatch-legend", chart_words(language)), **context,
    )  # fmt: skip


async def csv_export(request: Request) -> Response:
    editor = await _chief(request)
    if isinstance(editor, Response):
        return editor
    name = request.query_params.get("table", "")
    if name not in TABLE_NAMES:
        raise InvalidInput(
            f"table must be one of: {', '.join(TABLE_NAMES)}", reason="no_such_table"
        )
    settings: Settings = request.app.state.settings
    period = _period(request, settings)
    found = table(await build_report(period, settings.opening_hours), name)
    if found is None:  # pragma: no cover - every name in TABLE_NAMES is a table
        raise InvalidInput(f"no table {name}", reason="no_such_table")
    filename = f"tipdesk-{name}-{period.since}-{period.until}.csv"
    return Response(
        found.csv(), media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}"',
                 "cache-control": "no-store"},
    )  # fmt: skip


def duration(seconds: int | None, t: Translate, *, business: bool = False) -> str:
    """`1 u 05 min`, `4 min 10 s`; `—` where nothing was measured, which in opening hours
    includes a median of 0 s: every wait fell outside them, and 0 s would read as instant."""
    if seconds is None or (business and seconds == 0):
        return "—"
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    if hours >= 48:
        return t("reports.days_hours", d=hours // 24, h=hours % 24)
    if hours:
        return t("reports.hours", h=hours, m=f"{minutes:02d}")
    return (
        t("reports.minutes", m=minutes, s=f"{secs:02d}")
        if minutes
        else t("reports.seconds", s=secs)
    )


def _durations(t: Translate) -> Callable[..., str]:
    def shown(seconds: int | None, business: bool = False) -> str:
        return duration(seconds, t, business=business)

    return shown


def chart_words(language: str) -> charts.ChartWords:
    t = translator(language)
    return charts.ChartWords(
        t("chart.now"), t("chart.previous"), t("reports.previous"), t("chart.legend")
    )


def _sections(report: dict[str, Any], language: str) -> list[Section]:
    t, codes, words = translator(language), label(language), chart_words(language)
    by_name = {found.name: shown(found, t, codes) for found in tables(report)}
    raw = {found.name: found for found in tables(report)}
    now, before = report["figures"], report["previous"]
    return [
        Section(t("section.totals"), None, [by_name["totals"]]),
        Section(t("section.daily"), _daily(now["tips"], before["tips"], t("chart.daily"), words),
                [by_name["daily"]], folded=True),
        Section(t("section.messages_daily"), _daily(now["messages"]["in"],
                before["messages"]["in"], t("chart.messages_daily"), words), []),
        Section(t("section.hourly"), _hourly(now, before, t("chart.hourly"), words),
                [by_name["hourly"]], True),
        Section(t("section.heatmap"), charts.heatmap(now["tips"]["heatmap"],
                tuple(t("weekdays").split()), t("chart.heatmap")),
                [by_name["heatmap"]], folded=True),
        Section(t("section.response"), None, [by_name["response"]]),
        *(Section(by_name[n].title, _bars(raw[n], by_name[n], n, words), [by_name[n]]) for n in (
            "media", "desks", "numbers", "funnel", "statuses", "consent", "readers",
            "failed_messages",
            "dead_jobs")),
        Section(t("section.satisfaction"), None, [by_name[n] for n in (
            "satisfaction", "satisfaction_weeks", "satisfaction_desks",
            "satisfaction_comments")], hint=t("reports.satisfaction_hint")),
    ]  # fmt: skip


def _daily(
    now: dict[str, Any], before: dict[str, Any], label: str, words: charts.ChartWords
) -> Markup:
    days = list(now["per_day"])
    old = list(before["per_day"].values())
    points = [
        (day[8:10] + "-" + day[5:7], now["per_day"][day], old[n]) for n, day in enumerate(days)
    ]
    every = ceil(len(points) / 16)
    return charts.columns(points, label, f"hatch-{label[:4]}", every, words)


def _hourly(
    now: dict[str, Any], before: dict[str, Any], label: str, words: charts.ChartWords
) -> Markup:
    points = [(f"{h:02d}", now["tips"]["per_hour"][h], before["tips"]["per_hour"][h])
              for h in range(24)]  # fmt: skip
    return charts.columns(points, label, "hatch-hour", words=words)


def _bars(found: Table, shown: ShownTable, name: str, words: charts.ChartWords) -> Markup:
    """Bars from a table's label, current and previous columns (the media table: tips)."""
    previous = found.columns.index("previous_tips" if name == "media" else "previous")
    points = [
        (str(label), int(row[1] or 0), int(row[previous] or 0))
        for row, (label, *_) in zip(found.rows, shown.rows, strict=True)
        if isinstance(row[1], int)  # not the funnel's share used, a fraction
    ]
    return charts.bars(points, shown.title, f"hatch-{name}", words)


routes = [
    Route("/reports", page, methods=["GET"]),
    Route("/reports.csv", csv_export, methods=["GET"]),
]

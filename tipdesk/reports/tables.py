"""Every table of the reports page, built once from a report: the page shows them, the CSV
export writes them, so both always carry the same figures."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

Cell = str | int | float | None
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.columns)
        writer.writerows((spreadsheet_safe(cell) for cell in row) for row in self.rows)
        return out.getvalue()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: Cell) -> Cell:
    """A text cell a spreadsheet would run as a formula (`=HYPERLINK(…)` from a desk name or an
    error code) gets a leading apostrophe, which shows the text as typed (OWASP's advice for CSV
    injection). Numbers stay numbers."""
    if cell is None:
        return ""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def tables(report: dict[str, Any]) -> list[Table]:
    now, before = report["figures"], report["previous"]
    return [
        _totals(now, before),
        _daily(now, before),
        _hourly(now, before),
        _heatmap(now),
        _media(now, before),
        _compare("desks", "Tips per desk", "desk", now["tips"]["by_desk"],
                 before["tips"]["by_desk"]),
        _compare("numbers", "Tips per WhatsApp-nummer", "number", now["tips"]["by_number"],
                 before["tips"]["by_number"], empty="hoofdnummer"),
        _response(now, before),
        _compare("funnel", "Uitkomst", "stage", now["funnel"], before["funnel"]),
        _compare("statuses", "Status nu", "status", now["statuses"], before["statuses"]),
        _compare("consent", "Toestemming", "answer", now["consent"], before["consent"]),
        _compare("readers", "Lezers", "readers", now["readers"], before["readers"]),
        _compare("failed_messages", "Mislukte berichten aan lezers", "error_code",
                 now["failed_messages"], before["failed_messages"]),
        _compare("dead_jobs", "Vastgelopen taken", "kind", now["dead_jobs"], before["dead_jobs"]),
        *satisfaction_tables(report),
    ]  # fmt: skip


def table(report: dict[str, Any], name: str) -> Table | None:
    return next((t for t in tables(report) if t.name == name), None)


def _compare(
    name: str,
    title: str,
    label: str,
    now: dict[str, Any],
    before: dict[str, Any],
    empty: str = "(none)",
) -> Table:
    keys = list(now) + [k for k in before if k not in now]
    rows = tuple((key or empty, now.get(key, 0), before.get(key, 0)) for key in keys)
    return Table(name, title, (label, "count", "previous"), rows)


def _totals(now: dict[str, Any], before: dict[str, Any]) -> Table:
    def values(f: dict[str, Any]) -> list[int]:
        return [f["tips"]["total"], f["messages"]["in"]["total"], f["messages"]["out"]]

    names = ("tips", "messages_in", "messages_out")
    rows = tuple(zip(names, values(now), values(before), strict=True))
    return Table("totals", "Totalen", ("figure", "count", "previous"), rows)


def _daily(now: dict[str, Any], before: dict[str, Any]) -> Table:
    days, tips, messages = _days(now)
    old_days, old_tips, old_messages = _days(before)
    rows = tuple(zip(days, tips, messages, old_days, old_tips, old_messages, strict=True))
    columns = ("day", "tips", "messages_in", "previous_day", "previous_tips",
               "previous_messages_in")  # fmt: skip
    return Table("daily", "Per dag", columns, rows)


def _days(f: dict[str, Any]) -> tuple[list[str], list[int], list[int]]:
    days = list(f["tips"]["per_day"])
    return days, list(f["tips"]["per_day"].values()), list(f["messages"]["in"]["per_day"].values())


def _hourly(now: dict[str, Any], before: dict[str, Any]) -> Table:
    columns = ("hour", "tips", "messages_in", "previous_tips", "previous_messages_in")
    series = (now["tips"], now["messages"]["in"], before["tips"], before["messages"]["in"])
    rows = tuple((hour, *(s["per_hour"][hour] for s in series)) for hour in range(24))
    return Table("hourly", "Per uur van de dag", columns, rows)


def _heatmap(now: dict[str, Any]) -> Table:
    columns = ("weekday", *(f"{hour:02d}" for hour in range(24)))
    rows = tuple((day, *now["tips"]["heatmap"][n]) for n, day in enumerate(WEEKDAYS))
    return Table("heatmap", "Tips per weekdag en uur", columns, rows)


def _media(now: dict[str, Any], before: dict[str, Any]) -> Table:
    columns = ("kind", "tips", "items", "previous_tips", "previous_items")
    kinds: Iterable[str] = now["tips"]["by_media"]
    rows = tuple(
        (kind, now["tips"]["by_media"][kind]["tips"], now["tips"]["by_media"][kind]["items"],
         before["tips"]["by_media"][kind]["tips"], before["tips"]["by_media"][kind]["items"])
        for kind in kinds
    )  # fmt: skip
    return Table("media", "Tips per soort media", columns, rows)


def _response(now: dict[str, Any], before: dict[str, Any]) -> Table:
    columns = ("measure", "clock", "median_s", "p90_s", "counted", "without",
               "previous_median_s", "previous_p90_s", "previous_counted")  # fmt: skip
    rows = []
    for measure in ("first_reply", "claim"):
        for clock in ("overall", "business"):
            a, b = now["response"][measure], before["response"][measure]
            rows.append((
                measure, clock, a[clock]["median_s"], a[clock]["p90_s"], a["counted"],
                a["without"], b[clock]["median_s"], b[clock]["p90_s"], b["counted"],
            ))  # fmt: skip
    return Table("response", "Reactietijden (seconden)", columns, tuple(rows))


SATISFACTION_FIGURES = ("asked", "answered", "good", "bad", "share_good", "comments")


def satisfaction_tables(report: dict[str, Any]) -> list[Table]:
    now, before = report["figures"]["satisfaction"], report["previous"]["satisfaction"]
    totals = tuple((f, now[f], before[f]) for f in SATISFACTION_FIGURES)
    columns = SATISFACTION_FIGURES
    weeks = tuple((week, *(c[f] for f in columns)) for week, c in now["by_week"].items())
    by_desk = now["by_desk"].items()
    desks = tuple((desk or "(none)", *(c[f] for f in columns)) for desk, c in by_desk)
    said = tuple(
        (c["at"], c["desk"] or "(none)", c["score"], c["tip_id"], c["comment"])
        for c in report.get("satisfaction_comments", [])
    )
    return [
        Table("satisfaction", "Tevredenheid", ("figure", "count", "previous"), totals),
        Table("satisfaction_weeks", "Tevredenheid per week", ("week", *columns), weeks),
        Table("satisfaction_desks", "Tevredenheid per redactie", ("desk", *columns), desks),
        Table("satisfaction_comments", "Opmerkingen van lezers",
              ("day", "desk", "score", "tip", "comment"), said),
    ]  # fmt: skip


TABLE_NAMES = (
    "totals", "daily", "hourly", "heatmap", "media", "desks", "numbers", "response", "funnel",
    "statuses",
    "consent", "readers", "failed_messages", "dead_jobs", "satisfaction", "satisfaction_weeks",
    "satisfaction_desks", "satisfaction_comments",
)  # fmt: skip

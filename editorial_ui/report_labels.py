"""The reports page in words: table titles, column headers and row labels for the codes the
report tables carry (the CSV export keeps the codes, for spreadsheets and scripts)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from editorial_ui.labels import Words
from tipdesk.reports.tables import Cell, Table

# fmt: off
TITLES: dict[str, Words] = {
    "totals": ("Totalen", "Totals"),
    "daily": ("Per dag", "Per day"),
    "hourly": ("Per uur van de dag", "Per hour of the day"),
    "heatmap": ("Tips per weekdag en uur", "Tips per weekday and hour"),
    "media": ("Tips per soort media", "Tips per kind of media"),
    "desks": ("Tips per redactie", "Tips per desk"),
    "numbers": ("Tips per WhatsApp-nummer", "Tips per WhatsApp number"),
    "response": ("Reactietijden (seconden)", "Response times (seconds)"),
    "funnel": ("Uitkomst", "Outcome"),
    "statuses": ("Status nu", "Status now"),
    "consent": ("Toestemming", "Consent"),
    "readers": ("Lezers", "Readers"),
    "failed_messages": ("Mislukte berichten aan lezers", "Failed messages to readers"),
    "dead_jobs": ("Vastgelopen taken", "Stuck jobs"),
    "satisfaction": ("Tevredenheid", "Satisfaction"),
    "satisfaction_weeks": ("Tevredenheid per week", "Satisfaction per week"),
    "satisfaction_desks": ("Tevredenheid per redactie", "Satisfaction per desk"),
    "satisfaction_comments": ("Opmerkingen van lezers", "Readers' comments"),
}
COLUMNS: dict[str, Words] = {
    "figure": ("cijfer", "figure"),
    "count": ("aantal", "count"),
    "previous": ("vorige periode", "previous period"),
    "day": ("dag", "day"),
    "tips": ("tips", "tips"),
    "messages_in": ("berichten van lezers", "reader messages"),
    "previous_day": ("dag vorige periode", "day, previous period"),
    "previous_tips": ("tips vorige periode", "tips, previous period"),
    "previous_messages_in": ("berichten vorige periode", "messages, previous period"),
    "hour": ("uur", "hour"),
    "weekday": ("weekdag", "weekday"),
    "kind": ("soort", "kind"),
    "items": ("bestanden", "files"),
    "previous_items": ("bestanden vorige periode", "files, previous period"),
    "measure": ("meting", "measure"),
    "clock": ("klok", "clock"),
    "median_s": ("mediaan (s)", "median (s)"),
    "p90_s": ("90e percentiel (s)", "90th percentile (s)"),
    "counted": ("geteld", "counted"),
    "without": ("zonder", "without"),
    "previous_median_s": ("mediaan vorige periode (s)", "median, previous period (s)"),
    "previous_p90_s": ("90e percentiel vorige periode (s)", "90th percentile, previous period (s)"),
    "previous_counted": ("geteld vorige periode", "counted, previous period"),
    "desk": ("redactie", "desk"),
    "number": ("nummer", "number"),
    "stage": ("stap", "stage"),
    "status": ("status", "status"),
    "answer": ("antwoord", "answer"),
    "readers": ("lezers", "readers"),
    "error_code": ("foutcode", "error code"),
    "week": ("week", "week"),
    "asked": ("gevraagd", "asked"),
    "answered": ("beantwoord", "answered"),
    "good": ("👍 goed", "👍 good"),
    "bad": ("👎 kan beter", "👎 could be better"),
    "share_good": ("deel positief", "share positive"),
    "comments": ("opmerkingen", "comments"),
    "score": ("antwoord", "answer"),
    "tip": ("tip", "tip"),
    "comment": ("opmerking", "comment"),
}
ROWS: dict[str, Words] = {
    "tips": ("tips", "tips"),
    "messages_in": ("berichten van lezers", "messages from readers"),
    "messages_out": ("berichten aan lezers", "messages to readers"),
    "received": ("binnengekomen", "received"),
    "share_used": ("deel gebruikt", "share used"),
    "answered": ("beantwoord", "answered"),
    "good": ("👍 goed", "👍 good"),
    "bad": ("👎 kan beter", "👎 could be better"),
    "share_good": ("deel positief", "share positive"),
    "comments": ("met opmerking", "with a comment"),
    "asked": ("gevraagd", "asked"),
    "granted_named": ("gegeven, met naam", "given, with name"),
    "granted_anonymous": ("gegeven, anoniem", "given, anonymous"),
    "refused": ("geweigerd", "refused"),
    "revoked": ("ingetrokken", "withdrawn"),
    "no_answer": ("geen antwoord", "no answer"),
    "writing": ("schreven", "writing"),
    "new": ("nieuw", "new"),
    "returning": ("terugkerend", "returning"),
    "unreachable": ("onbereikbaar geworden", "became unreachable"),
    "opted_out": ("STOP gestuurd", "sent STOP"),
    "blocked": ("geblokkeerd", "blocked"),
    "erased": ("gewist", "erased"),
    "first_reply": ("eerste antwoord", "first reply"),
    "claim": ("geclaimd", "claimed"),
    "overall": ("klok", "clock"),
    "business": ("openingstijd", "opening hours"),
    "(none)": ("(geen)", "(none)"),
    "hoofdnummer": ("hoofdnummer", "main number"),
    "mon": ("ma", "Mon"),
    "tue": ("di", "Tue"),
    "wed": ("wo", "Wed"),
    "thu": ("do", "Thu"),
    "fri": ("vr", "Fri"),
    "sat": ("za", "Sat"),
    "sun": ("zo", "Sun"),
}
REPORT_LABELS: dict[str, Words] = {
    **{f"table.{k}": v for k, v in TITLES.items()},
    **{f"col.{k}": v for k, v in COLUMNS.items()},
    **{f"row.{k}": v for k, v in ROWS.items()},
}
# fmt: on
# The first column names a code of this kind; the rest are figures.
ROW_KINDS = {"statuses": "status", "media": "media", "funnel": "status"}


@dataclass(frozen=True)
class ShownTable:
    name: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


def shown(table: Table, t: Callable[..., str], label: Any) -> ShownTable:
    kind = ROW_KINDS.get(table.name, "row")
    rows = tuple(_row(_words_in(table, row, label), kind, label) for row in table.rows)
    columns = tuple(label("col", column) for column in table.columns)
    return ShownTable(table.name, t(f"table.{table.name}"), columns, rows)


def _words_in(table: Table, row: tuple[Cell, ...], label: Any) -> tuple[Cell, ...]:
    """Shares as percentages and answers in words, in the columns that carry them."""
    cells = list(row)
    for n, column in enumerate(table.columns):
        if n and column == "share_good":
            cells[n] = _percent(cells[n])
        elif column == "score" and isinstance(cells[n], str):
            cells[n] = label("row", cells[n])
    return tuple(cells)


def _row(row: tuple[Cell, ...], kind: str, label: Any) -> tuple[Cell, ...]:
    first, *rest = row
    words = label(kind, first, None) if isinstance(first, str) else first
    if words == first and isinstance(first, str) and kind != "row":
        words = label("row", first)
    if first in ("share_used", "share_good"):
        rest = [_percent(cell) for cell in rest]
    clock = [label("row", rest[0])] if rest and rest[0] in ("overall", "business") else rest[:1]
    return (words, *clock, *rest[1:])


def _percent(cell: Cell) -> Cell:
    return "—" if cell is None else f"{float(cell) * 100:.1f}%"

"""`/reports` and `/reports.csv` over HTTP with a session: who sees them, what they show, and
that every CSV parses and carries the figures of the page and of the API."""

from __future__ import annotations

import csv
import html
import io
import re

import httpx
import pytest

from editorial_ui.i18n import translator
from editorial_ui.reports import duration
from tests.reports.history import build_history
from tipdesk.editors.accounts import create_editor
from tipdesk.editors.models import Role
from tipdesk.reports.tables import TABLE_NAMES, Table

pytestmark = pytest.mark.usefixtures("app")
PASSWORD = "correct horse battery"
PERIOD = "since=2026-10-23&until=2026-10-26"


async def logged_in(client: httpx.AsyncClient, role: Role) -> None:
    email = f"{role.value}@desk.example"
    await create_editor(email, f"Een {role.value}", role, PASSWORD)
    page = await client.get("/login")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match
    form = {"csrf_token": match.group(1), "email": email, "password": PASSWORD}
    assert (await client.post("/login", data=form)).status_code == 303


async def test_anonymous_readers_are_sent_to_the_login(client: httpx.AsyncClient) -> None:
    for path in ("/reports", "/reports.csv?table=funnel"):
        response = await client.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=/reports")


async def test_editors_get_403_and_no_link(client: httpx.AsyncClient) -> None:
    await logged_in(client, Role.EDITOR)
    assert "/reports" not in (await client.get("/board")).text
    for path in ("/reports", "/reports.csv?table=funnel"):
        response = await client.get(path)
        assert response.status_code == 403 and "Dat mag je niet." in response.text


@pytest.mark.parametrize("role", [Role.CHIEF, Role.ADMIN])
async def test_chiefs_and_admins_see_charts_and_tables(
    client: httpx.AsyncClient, role: Role
) -> None:
    await build_history()
    await logged_in(client, role)
    assert 'href="/reports"' in (await client.get("/board")).text
    page = await client.get(f"/reports?{PERIOD}")
    assert page.status_code == 200
    text = page.text
    assert text.count("<svg") >= 10 and "<script" not in text
    assert "<title>vr 16:00–17:00: 1</title>" in text  # the heat-map cell of Friday 16:50
    assert "<title>zo 02:00–03:00: 2</title>" in text  # 02:30 CEST and 02:30 CET
    assert "1 min 00 s" in text  # median first reply in business time
    assert "16.7%" in text  # share used
    # The desk's own way of writing a day, never ISO (the form's fields keep ISO: that is theirs).
    assert "23-10-2026 t/m 26-10-2026 (4 dagen, Europe/Amsterdam)" in text
    for name in TABLE_NAMES:
        assert f"/reports.csv?table={name}&amp;{PERIOD.replace('&', '&amp;')}" in text


@pytest.mark.parametrize("period", ["today", "7d", "30d"])
async def test_the_presets_and_an_empty_period(client: httpx.AsyncClient, period: str) -> None:
    await logged_in(client, Role.CHIEF)
    page = await client.get(f"/reports?period={period}")
    assert page.status_code == 200
    assert "Geen tips en geen berichten van lezers in deze periode." in page.text


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        ("since=2026-10-26&until=2026-10-23", "De periode eindigt (2026-10-23) voordat"),
        ("since=1990-01-01&until=2026-01-01", "langer dan vijf jaar"),
        ("since=yesterday", "Een datum schrijf je als 2026-11-23."),
        ("since=%3Cscript%3Ealert(1)%3C/script%3E", "Een datum schrijf je als"),
        ("period=%3Cb%3E&since=2026-02-30", "Een datum schrijf je als"),
    ],
)
async def test_bad_periods_give_a_notice_on_the_page(
    client: httpx.AsyncClient, query: str, notice: str
) -> None:
    await logged_in(client, Role.CHIEF)
    page = await client.get(f"/reports?{query}")
    assert page.status_code == 400
    assert notice in html.unescape(page.text) and 'class="flash flash-error"' in page.text
    assert "<script>alert" not in page.text and "<b>" not in page.text


async def test_csv_errors_are_400(client: httpx.AsyncClient) -> None:
    await logged_in(client, Role.CHIEF)
    assert (await client.get("/reports.csv?table=nope")).status_code == 400
    assert (await client.get("/reports.csv")).status_code == 400
    bad = await client.get("/reports.csv?table=funnel&since=2026-10-26&until=2026-10-01")
    assert bad.status_code == 400


def cells(page: str, caption: str) -> list[list[str]]:
    """A table of the page, as its rows of cell texts (header first)."""
    start = page.index(f'<caption class="visually-hidden">{caption}</caption>')
    block = page[start : page.index("</table>", start)]
    rows = re.findall(r"<tr>(.*?)</tr>", block, re.S)
    return [[html.unescape(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r)] for r in rows]


def assert_same_figures(rows: list[list[str]], shown: list[list[str]], name: str) -> None:
    """The page names the CSV's codes in words (headers, row labels); every figure is the same."""
    assert [len(row) for row in rows] == [len(row) for row in shown], name
    assert rows[0] != shown[0], name  # the page's headers are words, the CSV's codes
    for row, on_page in zip(rows[1:], shown[1:], strict=True):
        if row[0] == "share_used":  # a percentage on the page
            continue
        figures = [n for n, cell in enumerate(row) if n and cell.lstrip("-").isdigit()]
        assert [row[n] for n in figures] == [on_page[n] for n in figures], name


async def test_every_csv_parses_and_matches_the_page_and_the_api(
    client: httpx.AsyncClient,
) -> None:
    await build_history()
    await logged_in(client, Role.CHIEF)
    page = (await client.get(f"/reports?{PERIOD}")).text
    api = (await client.get(f"/api/v1/reports?{PERIOD}")).json()
    for name in TABLE_NAMES:
        response = await client.get(f"/reports.csv?table={name}&{PERIOD}")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        assert (
            f"tipdesk-{name}-2026-10-23-2026-10-26.csv" in response.headers["content-disposition"]
        )
        rows = list(csv.reader(io.StringIO(response.text)))
        caption = re.search(rf"table={name}&amp;[^\"]*\" download>CSV: ([^<]+)</a>", page)
        assert caption, name
        assert_same_figures(rows, cells(page, html.unescape(caption.group(1))), name)
    funnel = {r[0]: r[1] for r in csv.reader(io.StringIO(
        (await client.get(f"/reports.csv?table=funnel&{PERIOD}")).text))}  # fmt: skip
    assert funnel == {k: str(v) for k, v in {"stage": "count", **api["figures"]["funnel"]}.items()}
    response_rows = list(csv.DictReader(io.StringIO(
        (await client.get(f"/reports.csv?table=response&{PERIOD}")).text)))  # fmt: skip
    first = api["figures"]["response"]["first_reply"]
    assert response_rows[1]["median_s"] == str(first["business"]["median_s"]) == "60"
    assert response_rows[0]["p90_s"] == str(first["overall"]["p90_s"]) == "235200"


def test_csv_cells_a_spreadsheet_would_run_are_shown_as_text() -> None:
    hostile = ('=HYPERLINK("https://evil.example")', "+31 6", "-sport", "@SUM(A1)", "\tx", "\rx")
    table = Table("desks", "Tips per desk", ("desk", "count"), tuple((h, -3) for h in hostile))
    rows = list(csv.reader(io.StringIO(table.csv())))
    assert [row[0] for row in rows[1:]] == ["'" + h for h in hostile]
    assert {row[1] for row in rows[1:]} == {"-3"}  # numbers stay numbers
    plain = Table("desks", "t", ("desk", "count"), (("regio-noord", 1), (None, 2)))
    assert plain.csv() == "desk,count\r\nregio-noord,1\r\n,2\r\n"


@pytest.mark.parametrize(
    ("seconds", "business", "language", "shown"),
    [
        (None, False, "nl", "—"),
        (0, True, "nl", "—"),  # every wait fell outside opening hours: nothing measured
        (0, False, "nl", "0 s"),
        (250, True, "nl", "4 min 10 s"),
        (3900, False, "nl", "1 u 05 min"),
        (3900, False, "en", "1 h 05 min"),
        (50 * 3600, False, "en", "2 d 2 h"),
    ],
)
def test_durations_read_in_the_page_language_and_nothing_measured_is_a_dash(
    seconds: int | None, business: bool, language: str, shown: str
) -> None:
    assert duration(seconds, translator(language), business=business) == shown

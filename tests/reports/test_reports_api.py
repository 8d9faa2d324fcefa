"""Who may read reports, and what the API answers to empty, reversed, absurd and hostile
periods: a 400 with a clear message, never a 5xx."""

from __future__ import annotations

import httpx
import pytest

from tests.reports.test_figures import bearer
from tipdesk.editors.models import Role

pytestmark = pytest.mark.usefixtures("app")


async def test_reports_need_a_login(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/reports")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


async def test_editors_may_not_read_reports(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/reports", headers=await bearer(Role.EDITOR))
    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "forbidden", "message": "reports are for desk chiefs and admins",
        "reason": "chiefs_only",
    }  # fmt: skip


@pytest.mark.parametrize("role", [Role.CHIEF, Role.ADMIN])
async def test_chiefs_and_admins_read_an_empty_period(
    client: httpx.AsyncClient, role: Role
) -> None:
    response = await client.get(
        "/api/v1/reports?since=2026-01-01&until=2026-01-31", headers=await bearer(role)
    )
    assert response.status_code == 200
    body = response.json()
    assert body["notice"] == "No tips and no reader messages in this period."
    assert body["figures"]["tips"]["total"] == 0 and len(body["figures"]["tips"]["per_day"]) == 31
    assert body["figures"]["funnel"]["share_used"] is None
    assert body["figures"]["response"]["first_reply"]["overall"]["median_s"] is None


async def test_without_dates_the_last_seven_days(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/v1/reports", headers=await bearer(Role.CHIEF))).json()
    assert body["period"]["days"] == 7


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("since=2026-10-26&until=2026-10-23", "the period ends (2026-10-23) before it starts"),
        ("since=2019-01-01&until=2026-01-01", "longer than five years"),
        ("since=1999-12-31&until=2000-01-02", "between 2000-01-01 and next year"),
        ("since=2026-13-01", "since must be a date like 2026-11-23"),
        ("until=26-10-2026", "until must be a date like 2026-11-23"),
        ("since=2026-10-01T00:00", "since must be a date"),
        ("since=%27%3B+DROP+TABLE+tips%3B--", "since must be a date"),
        ("since=%00%00%00%00%00%00%00%00%00%00", "since must be a date"),
        ("since=" + "9" * 5000, "since must be a date"),
        ("since=+2026-10-1", "since must be a date"),
        ("since=9999-12-31&until=9999-12-31", "between 2000-01-01 and next year"),
        ("since=0001-01-01&until=0001-01-01", "between 2000-01-01 and next year"),
        ("until=0001-01-01", "between 2000-01-01 and next year"),
        ("since=9999-12-31", "before it starts"),
    ],
)
async def test_bad_periods_are_400_with_a_message(
    client: httpx.AsyncClient, query: str, message: str
) -> None:
    response = await client.get(f"/api/v1/reports?{query}", headers=await bearer(Role.CHIEF))
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_input" and message in error["message"]


async def test_the_openapi_document_lists_reports(client: httpx.AsyncClient) -> None:
    document = (await client.get("/api/v1/openapi.json", headers=await bearer(Role.EDITOR))).json()
    assert set(document["paths"]["/api/v1/reports"]["get"]["responses"]) >= {"200", "400", "403"}

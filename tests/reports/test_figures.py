"""Every figure of a known history, through `GET /api/v1/reports`, on SQLite and PostgreSQL:
across the DST change of 2026-10-25 and the 17:00 closing of the desk."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.reports.history import build_history, reader, tip
from tipdesk.editors.accounts import create_editor, create_token
from tipdesk.editors.models import Role

pytestmark = pytest.mark.usefixtures("app")
PERIOD = "/api/v1/reports?since=2026-10-23&until=2026-10-26"
ZERO_HOURS = [0] * 24


async def bearer(role: Role, email: str = "chief@desk.example") -> dict[str, str]:
    await create_editor(email, "Chef", role, "long enough password")
    return {"authorization": f"Bearer {await create_token(email, 'tests')}"}


def hours(**counts: int) -> list[int]:
    found = list(ZERO_HOURS)
    for hour, n in counts.items():
        found[int(hour.removeprefix("h"))] = n
    return found


@pytest.fixture
async def report(client: httpx.AsyncClient) -> dict[str, Any]:
    await build_history()
    response = await client.get(PERIOD, headers=await bearer(Role.CHIEF))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_period_is_whole_local_days_across_dst(report: dict[str, Any]) -> None:
    assert report["period"] == {
        "since": "2026-10-23", "until": "2026-10-26", "days": 4,
        "timezone": "Europe/Amsterdam",
        "start": "2026-10-22T22:00:00+00:00", "end": "2026-10-26T23:00:00+00:00",
    }  # fmt: skip
    assert report["previous_period"]["since"] == "2026-10-19"
    assert report["previous_period"]["until"] == "2026-10-22"
    assert "notice" not in report


def test_tips_and_messages_per_day_hour_and_weekday(report: dict[str, Any]) -> None:
    tips = report["figures"]["tips"]
    assert tips["total"] == 6
    assert tips["per_day"] == {"2026-10-23": 1, "2026-10-24": 0, "2026-10-25": 2, "2026-10-26": 3}
    assert tips["per_hour"] == hours(h2=2, h16=2, h17=1, h23=1)
    heatmap = [list(ZERO_HOURS) for _ in range(7)]
    heatmap[4][16], heatmap[6][2] = 1, 2
    heatmap[0][16] = heatmap[0][17] = heatmap[0][23] = 1
    assert tips["heatmap"] == heatmap
    messages = report["figures"]["messages"]
    assert messages["in"]["total"] == 11 and messages["out"] == 8
    assert messages["in"]["per_hour"] == hours(h2=6, h16=3, h17=1, h23=1)
    assert messages["in"]["per_day"] == {
        "2026-10-23": 2, "2026-10-24": 0, "2026-10-25": 6, "2026-10-26": 3,
    }  # fmt: skip
    before = report["previous"]
    assert before["tips"]["per_day"] == {
        "2026-10-19": 0, "2026-10-20": 0, "2026-10-21": 0, "2026-10-22": 1,
    }  # fmt: skip
    assert before["tips"]["per_hour"] == hours(h12=1)
    assert before["messages"]["out"] == 2


def test_media_kinds_and_desks(report: dict[str, Any]) -> None:
    media = report["figures"]["tips"]["by_media"]
    assert media["image"] == {"tips": 2, "items": 2}
    assert media["video"] == {"tips": 1, "items": 2}
    assert media["text_only"] == {"tips": 4, "items": 0}
    assert all(media[k] == {"tips": 0, "items": 0} for k in ("audio", "voice", "document"))
    assert report["figures"]["tips"]["by_desk"] == {"news": 3, "sport": 2, "": 1}
    assert report["previous"]["tips"]["by_desk"] == {"news": 1}
    assert report["previous"]["tips"]["by_media"]["text_only"] == {"tips": 1, "items": 0}


def test_time_to_first_reply_and_to_claim(report: dict[str, Any]) -> None:
    response = report["figures"]["response"]
    assert response["first_reply"] == {
        "tips": 6, "counted": 4, "without": 2,
        "overall": {"median_s": 1800, "p90_s": 235200},
        "business": {"median_s": 60, "p90_s": 3600},
    }  # fmt: skip
    assert response["claim"] == {
        "tips": 6, "counted": 4, "without": 2,
        "overall": {"median_s": 300, "p90_s": 108000},
        "business": {"median_s": 0, "p90_s": 300},
    }  # fmt: skip
    before = report["previous"]["response"]
    assert before["first_reply"]["overall"] == {"median_s": 1800, "p90_s": 1800}
    assert before["first_reply"]["business"] == {"median_s": 1800, "p90_s": 1800}
    assert before["claim"] == {
        "tips": 1, "counted": 0, "without": 1,
        "overall": {"median_s": None, "p90_s": None},
        "business": {"median_s": None, "p90_s": None},
    }  # fmt: skip


def test_funnel_and_statuses(report: dict[str, Any]) -> None:
    assert report["figures"]["funnel"] == {
        "received": 6, "in_review": 5, "verified": 2, "used": 1, "rejected": 1,
        "share_used": 0.1667,
    }  # fmt: skip
    assert report["figures"]["statuses"] == {
        "new": 2, "in_review": 1, "verified": 1, "used": 1, "rejected": 1, "archived": 0,
    }  # fmt: skip
    assert list(report["figures"]["tips"]["by_desk"]) == ["news", "sport", ""]
    assert report["previous"]["funnel"] == {
        "received": 1, "in_review": 1, "verified": 0, "used": 0, "rejected": 0, "share_used": 0.0,
    }  # fmt: skip


def test_consent_readers_delivery_and_jobs(report: dict[str, Any]) -> None:
    now, before = report["figures"], report["previous"]
    assert now["consent"] == {
        "asked": 5, "granted_named": 1, "granted_anonymous": 1, "refused": 1, "revoked": 1,
        "no_answer": 1,
    }  # fmt: skip
    assert before["consent"]["asked"] == 1 and before["consent"]["no_answer"] == 1
    assert now["readers"] == {
        "writing": 4, "new": 2, "returning": 2, "unreachable": 1, "opted_out": 1, "blocked": 0,
        "erased": 0,
    }  # fmt: skip
    assert before["readers"] == {
        "writing": 1, "new": 1, "returning": 0, "unreachable": 0, "opted_out": 0, "blocked": 1,
        "erased": 0,
    }  # fmt: skip
    assert now["failed_messages"] == {"131026": 1, "unknown": 1}
    assert before["failed_messages"] == {"131047": 1}
    assert now["dead_jobs"] == {"conversation.send": 1, "media.fetch": 1}
    assert before["dead_jobs"] == {"search.index": 1}


async def test_no_desk_and_an_empty_desk_count_together(client: httpx.AsyncClient) -> None:
    """Only rows written outside the desk's actions have an empty desk name; one group used to
    replace the other."""
    sender = await reader("31600000009", "2026-10-01 08:00")
    await tip(sender, "2026-10-23 10:00", desk=None)
    await tip(sender, "2026-10-23 11:00", desk="")
    response = await client.get(PERIOD, headers=await bearer(Role.CHIEF))
    assert response.json()["figures"]["tips"]["by_desk"] == {"": 2}

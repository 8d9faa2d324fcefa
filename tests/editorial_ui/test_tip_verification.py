"""Capture facts as the tip page shows them, from the details the pipelines store, including
what cameras, editors and forgers write into them."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from editorial_ui.tip_verification import capture_time, facts
from media_store.capture_facts import capture_details, container_tags

DESK = ZoneInfo("Europe/Amsterdam")
RECEIVED = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def test_times_in_the_desk_zone_whatever_clock_wrote_them() -> None:
    assert facts({"taken_at": "2026:12:03 07:41:12"}, RECEIVED, DESK)["taken"] == "03-12-2026 07:41"
    noted = {"taken_at": "2026:12:03 07:41:12", "taken_offset": "-05:00"}
    assert facts(noted, RECEIVED, DESK)["taken"] == "03-12-2026 13:41"
    video = {"taken_at": "2026-07-01T18:45:03+00:00"}
    assert facts(video, RECEIVED, DESK)["taken"] == "01-07-2026 20:45"
    assert facts({"taken_at": "0000:00:00 00:00:00"}, RECEIVED, DESK)["taken"] == (
        "0000:00:00 00:00:00"
    ), "not a time: shown as the camera wrote it, never an error"
    assert capture_time({"taken_at": "garbage", "taken_offset": "+99:99"}, DESK) is None


def test_warnings_for_old_and_edited_media() -> None:
    old = facts({"taken_at": "2026:11:20 10:00:00"}, RECEIVED, DESK)
    assert old["warnings"] == [("tip.taken_long_before", {"days": 13})]
    fresh = facts({"taken_at": "2026:12:02 10:00:00"}, RECEIVED, DESK)
    assert fresh["warnings"] == []
    edited = facts({"software": "Snapseed 2.0"}, RECEIVED, DESK)
    assert edited["warnings"] == [("tip.edited_with", {"program": "Snapseed 2.0"})]
    phone = {"software": "Android UP1A", "taken_at": "2026:12:03 07:41:12",
             "modified_at": "2026:12:03 07:41:12"}  # fmt: skip
    assert facts(phone, RECEIVED, DESK)["warnings"] == []
    resaved = {**phone, "modified_at": "2026:12:03 09:00:00"}
    assert facts(resaved, RECEIVED, DESK)["warnings"] == [("tip.saved_after_capture", {})]


def test_gps_gets_a_map_link_and_bad_positions_none() -> None:
    shown = facts({"gps": {"latitude": 52.0907, "longitude": 5.1214}}, None, DESK)
    assert shown["map"].startswith("https://www.openstreetmap.org/?mlat=52.090700&mlon=5.121400")
    assert "map" not in facts({"gps": {"latitude": "52", "longitude": None}}, None, DESK)


def test_hostile_container_tags_become_nothing() -> None:
    probe = "\n".join([
        "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'x.mov':",
        "  Metadata:",
        "    creation_time   : 1904-01-01T00:00:00.000000Z",
        "    com.apple.quicktime.location.ISO6709: +99.0000+500.0000/",
        "    com.apple.quicktime.model: " + "A" * 5000,
        "  Duration: 00:00:02.00, start: 0.000000, bitrate: 143 kb/s",
        "    Metadata:",
        "      creation_time   : 2026-11-20T18:45:03.000000Z",
    ])  # fmt: skip
    tags = container_tags(probe)
    assert "creation_time" in tags and len(tags["com.apple.quicktime.model"]) == 128
    details = capture_details(tags)
    assert "taken_at" not in details, "QuickTime's epoch is an unset clock, not a capture time"
    assert "gps" not in details and len(details["camera"]) == 128
    assert capture_details({"creation_time": "not a date", "location": "nowhere"}) == {}

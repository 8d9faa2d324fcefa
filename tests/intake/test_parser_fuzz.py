"""Property: whatever JSON arrives inside the envelope, parsing returns; it never raises."""

from __future__ import annotations

import contextlib
import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.intake.conftest import FIXTURES, PHONE_NUMBER_ID
from tipdesk.whatsapp.content import DESCRIBERS
from tipdesk.whatsapp.inbound import (
    EnvelopeError,
    InboundMessage,
    StatusUpdate,
    load_envelope,
    parse_notification,
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=25,
)
FIXTURE_PAYLOADS = [json.loads(p.read_text()) for p in sorted(FIXTURES.glob("*.json"))]
MESSAGE_KEYS = [
    "id",
    "from",
    "from_user_id",
    "timestamp",
    "type",
    "context",
    "errors",
    "referral",
    "text",
    "image",
    "audio",
    "video",
    "document",
    "sticker",
    "location",
    "contacts",
    "interactive",
    "button",
    "reaction",
    "system",
    "unsupported",
    "order",
]


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, child in node.items():
            found += paths(child, (*prefix, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            found += paths(child, (*prefix, index))
    return found


def replace(node: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    parent = node
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return node


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(FIXTURE_PAYLOADS), st.data(), json_values)
def test_any_value_anywhere_in_a_real_payload_parses_without_raising(
    payload: dict[str, Any], data: st.DataObject, value: Any
) -> None:
    mutated = copy.deepcopy(payload)
    candidates = [p for p in paths(mutated) if len(p) > 2]
    path = data.draw(st.sampled_from(candidates))
    mutated = replace(mutated, path, value)
    result = parse_notification(mutated, {PHONE_NUMBER_ID})
    for item in result.messages:
        assert isinstance(item, InboundMessage) and item.external_id and item.sent_at.tzinfo
    for item in result.statuses:
        assert isinstance(item, StatusUpdate)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(MESSAGE_KEYS), json_values, max_size=8))
def test_random_messages_parse_or_become_violations(message: dict[str, Any]) -> None:
    envelope = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "metadata": {"phone_number_id": PHONE_NUMBER_ID},
                            "messages": [message],
                        },
                    }
                ]
            }
        ],
    }
    result = parse_notification(envelope, {PHONE_NUMBER_ID})
    assert len(result.messages) + len(result.violations) == 1


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(DESCRIBERS)), json_values, json_values)
def test_every_type_describer_takes_any_payload(kind: str, payload: Any, item: Any) -> None:
    text, content = DESCRIBERS[kind](
        payload if isinstance(payload, dict) else {}, item if isinstance(item, dict) else {}
    )
    assert isinstance(text, str) and isinstance(content, dict)
    json.dumps(content)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_arbitrary_bytes_are_either_an_envelope_or_an_envelope_error(body: bytes) -> None:
    with contextlib.suppress(EnvelopeError):
        load_envelope(body)

from __future__ import annotations

import pytest

from tipdesk.whatsapp.signature import sign, signature_matches

SECRET = "test-app-secret"


def test_contract_vector_for_an_empty_notification() -> None:
    body = b'{"object":"whatsapp_business_account","entry":[]}'
    expected = "sha256=c84a394cc475525991e78ff16e430b02e47f953877d2af0ade26956ce6f384dc"
    assert sign(SECRET, body) == expected
    assert signature_matches(SECRET, body, expected)


def test_contract_vector_for_escaped_unicode_is_over_the_raw_bytes() -> None:
    escaped = b'{"t":"caf\\u00e9 \\ud83d\\udc4d"}'
    expected = "sha256=c9f861344e3b07176e3d57358397abc027808c1894252c127761ce5186a8ff50"
    assert signature_matches(SECRET, escaped, expected)
    reencoded = '{"t":"café 👍"}'.encode()
    assert not signature_matches(SECRET, reencoded, expected)
    assert sign(SECRET, reencoded).endswith(
        "6adda38e1c5541ce33aa65bfbb27ae5b7c18f9c631d4c45d47b5d19d889add28"
    )


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "sha256=",
        "c84a394cc475525991e78ff16e430b02e47f953877d2af0ade26956ce6f384dc",
        "sha1=c84a394cc475525991e78ff16e430b02e47f953877d2af0ade26956ce6f384dc",
        "sha256=c84a394cc475525991e78ff16e430b02e47f953877d2af0ade26956ce6f384dd",
        "sha256=ü" * 3,
    ],
)
def test_missing_or_wrong_signatures_do_not_match(header: str | None) -> None:
    body = b'{"object":"whatsapp_business_account","entry":[]}'
    assert not signature_matches(SECRET, body, header)


def test_another_secret_does_not_match() -> None:
    body = b"{}"
    assert not signature_matches("other-secret", body, sign(SECRET, body))

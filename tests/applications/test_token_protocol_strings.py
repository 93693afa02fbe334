"""Protocol strings on POST /oauth/token: only the characters the RFCs name separate or surround
anything. Scope tokens are separated by the space character U+0020 and nothing else (RFC 6749
section 3.3); the Authorization header is `scheme 1*SP credentials` inside optional SP/HTAB
(RFC 9110 sections 5.5 and 11.4, RFC 7617); the media type ends at `;` or OWS (RFC 9110 section
8.3.1). Python's wider idea of whitespace (U+00A0, U+0085, U+2003, U+3000, ...) separates
nothing: a request that relies on it is refused, never reinterpreted (issue 9 item 5)."""

import json
from urllib.parse import urlencode

import jwt
import pytest

from tests.applications.test_token_endpoint import ORDERS, credentials
from tests.conftest import basic_header


def invalid_scope(character: str) -> dict:
    return {
        "error": "invalid_scope",
        "error_description": f"Invalid scope: U+{ord(character):04X} is not allowed. Scopes are "
        'separated by spaces (U+0020) and hold printable ASCII characters other than " and \\.',
    }


def assert_no_token(response, status: int) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert "access_token" not in response.json()


# --- scope: RFC 6749 section 3.3 -------------------------------------------------------------

NOT_SEPARATORS = [
    "\u00a0",  # no-break space: str.split() splits on it
    "\u0085",  # next line (C1): str.split() splits on it
    "\u2003",  # em space
    "\u3000",  # ideographic space
    "\u200b",  # zero-width space: not whitespace to Python either, still no scope character
    "\u2028",  # line separator
]


@pytest.mark.parametrize("separator", NOT_SEPARATORS)
@pytest.mark.parametrize("as_json", [False, True], ids=["form", "json"])
def test_only_u0020_separates_scopes(post_token, granted_client, separator, as_json):
    scope = f"read:orders{separator}read:orders"

    response = post_token(credentials(granted_client, scope=scope), as_json=as_json)

    assert_no_token(response, 400)
    assert response.json() == invalid_scope(separator)


@pytest.mark.parametrize("character", ['"', "\\", "é", "\u00a0"])
def test_a_scope_holding_a_character_outside_scope_token_is_invalid(
    post_token, granted_client, character
):
    # scope-token = 1*( %x21 / %x23-5B / %x5D-7E ): even alone, these are no scope.
    response = post_token(credentials(granted_client, scope=f"read:orders {character}"))

    assert_no_token(response, 400)
    assert response.json() == invalid_scope(character)


def test_a_scope_of_only_a_no_break_space_is_not_blank(post_token, granted_client):
    # Blank (absent, or spaces only) asks for every granted scope; U+00A0 is not blank.
    response = post_token(credentials(granted_client, scope="\u00a0"))

    assert_no_token(response, 400)
    assert response.json() == invalid_scope("\u00a0")


def test_spaces_around_and_between_scopes_are_separators(post_token, granted_client):
    response = post_token(credentials(granted_client, scope=" read:orders  write:orders "))

    assert response.status_code == 200
    assert response.json()["scope"] == "read:orders write:orders"


def test_a_tab_is_a_control_character_refused_as_a_malformed_request(post_token, granted_client):
    response = post_token(credentials(granted_client, scope="read:orders\twrite:orders"))

    assert_no_token(response, 400)
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "Parameter 'scope' contains control characters or invalid Unicode.",
    }


def test_a_malformed_scope_is_refused_before_the_client_is_authenticated(
    post_token, granted_client
):
    # Syntax first, like a missing parameter: the answer says nothing about the client.
    response = post_token(
        credentials(granted_client, client_secret="wrong", scope="read:orders\u00a0x")
    )

    assert_no_token(response, 400)
    assert response.json() == invalid_scope("\u00a0")


def test_a_granted_scope_is_still_granted_when_asked_for_properly(post_token, granted_client):
    response = post_token(credentials(granted_client, scope="read:orders"))

    assert response.status_code == 200
    claims = jwt.decode(response.json()["access_token"], options={"verify_signature": False})
    assert claims["scope"] == "read:orders"


# --- the Authorization header: RFC 9110 section 11.4, RFC 7617 -------------------------------


def basic_credentials(client) -> str:
    return basic_header(client.client_id, client.secret).removeprefix("Basic ")


def post_with_authorization(post_token, authorization: str):
    return post_token(
        {"grant_type": "client_credentials", "audience": ORDERS}, authorization=authorization
    )


@pytest.mark.parametrize(
    "template",
    [
        "Basic {}",
        "basic {}",
        "Basic   {}",  # 1*SP
        " Basic {} ",  # OWS around the field value (RFC 9110 section 5.5)
        "\tBasic {}\t",
    ],
    ids=["canonical", "lowercase", "several-spaces", "ows-spaces", "ows-tabs"],
)
def test_basic_headers_the_rfcs_allow(post_token, granted_client, template):
    response = post_with_authorization(
        post_token, template.format(basic_credentials(granted_client))
    )

    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    "template",
    [
        "Basic \u00a0{}",
        "Basic {}\u00a0",
        "Basic {}\u3000",
        "Basic\u00a0{}",
        "Basic\t{}",
        "Basic \u0085{}",
    ],
    ids=[
        "nbsp-before",
        "nbsp-after",
        "ideographic-after",
        "nbsp-separator",
        "tab-separator",
        "nel",
    ],
)
def test_basic_headers_with_other_whitespace_are_malformed(post_token, granted_client, template):
    response = post_with_authorization(
        post_token, template.format(basic_credentials(granted_client))
    )

    assert_no_token(response, 400)
    assert response.json()["error"] == "invalid_request"
    assert "WWW-Authenticate" not in response


def test_a_basic_header_with_nbsp_before_the_credentials_says_it_is_malformed(
    post_token, granted_client
):
    response = post_with_authorization(
        post_token, "Basic \u00a0" + basic_credentials(granted_client)
    )

    assert response.json() == {
        "error": "invalid_request",
        "error_description": "The Basic authorization header is malformed.",
    }


def test_an_authorization_scheme_that_is_not_a_token_is_malformed(post_token, granted_client):
    # "Bearer\u00a0x" is no scheme at all (RFC 9110 section 5.6.2 token), not an unknown one.
    response = post_token(credentials(granted_client), authorization="Bearer\u00a0abc")

    assert_no_token(response, 400)
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "The Authorization header is malformed.",
    }


def test_another_scheme_with_its_credentials_is_still_ignored(post_token, granted_client):
    response = post_token(credentials(granted_client), authorization="Bearer  abc.def.ghi")

    assert response.status_code == 200


def test_an_empty_authorization_header_is_absent(post_token, granted_client):
    response = post_token(credentials(granted_client), authorization=" ")

    assert response.status_code == 200


# --- the media type: RFC 9110 section 8.3.1 -----------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded ; charset=utf-8",
        "Application/X-WWW-Form-Urlencoded;charset=UTF-8",
        " application/x-www-form-urlencoded\t",
    ],
)
def test_form_media_types_the_rfcs_allow(client, granted_client, content_type):
    response = client.post(
        "/oauth/token", urlencode(credentials(granted_client)), content_type=content_type
    )

    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    "content_type",
    [
        "application/x-www-form-urlencoded\u00a0",
        "\u00a0application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded\u0085; charset=utf-8",
    ],
)
def test_a_media_type_padded_with_other_whitespace_is_unsupported(
    client, granted_client, content_type
):
    response = client.post(
        "/oauth/token", urlencode(credentials(granted_client)), content_type=content_type
    )

    assert_no_token(response, 400)
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "Content-Type must be application/x-www-form-urlencoded or "
        "application/json.",
    }


def test_a_json_media_type_padded_with_nbsp_is_unsupported(client, granted_client):
    response = client.post(
        "/oauth/token",
        json.dumps(credentials(granted_client)),
        content_type="application/json\u00a0",
    )

    assert_no_token(response, 400)
    assert response.json()["error"] == "invalid_request"

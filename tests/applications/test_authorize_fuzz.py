"""Property-based fuzzing of the front channel: whatever /authorize, /u/login, /u/consent
and the logout endpoints receive (random values, control characters, bad UTF-8, repeats,
huge values), the answer is a page or a redirect, never a 5xx; and a redirect only ever goes
to a registered callback or to Gatehouse's own pages."""

from urllib.parse import quote_from_bytes

from django.test import Client as HttpClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .front_channel import WEB_CALLBACK
from .front_channel_fixtures import *  # noqa: F403

FUZZ = settings(
    max_examples=80,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
NAMES = [
    "client_id",
    "redirect_uri",
    "response_type",
    "response_mode",
    "state",
    "nonce",
    "scope",
    "audience",
    "resource",
    "prompt",
    "max_age",
    "code_challenge",
    "code_challenge_method",
    "organization",
    "auth0Client",
]
values = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "code",
            "none",
            "login",
            "form_post",
            "web_message",
            "fragment",
            "S256",
            "plain",
            "0",
            "-1",
        ]
    ),
    st.binary(max_size=40).map(lambda raw: raw.decode("latin-1")),
    st.just("x" * 5000),
)
raw_values = st.one_of(st.binary(max_size=60), st.just(b"%ff%fe\x00"))


def encode(pairs) -> str:
    return "&".join(
        quote_from_bytes(name.encode()) + "=" + quote_from_bytes(value) for name, value in pairs
    )


def assert_safe(response, allowed_prefixes: tuple[str, ...]) -> None:
    assert response.status_code < 500, response.content[:300]
    if response.status_code == 302:
        assert response["Location"].startswith(allowed_prefixes), response["Location"]


@FUZZ
@given(
    replaced=st.dictionaries(st.sampled_from(NAMES), values, max_size=6),
    extra=st.lists(st.tuples(st.sampled_from(NAMES), raw_values), max_size=3),
)
def test_authorize_never_fails(client, web_app, signed_in, replaced, extra):
    # Signed in, so valid requests go as far as a code (or the consent page).
    base = {
        "client_id": web_app.client_id,
        "redirect_uri": WEB_CALLBACK,
        "response_type": "code",
        "state": "s",
        "scope": "openid",
    }
    base.update(replaced)
    pairs = [(k, v.encode("utf-8", "surrogatepass")) for k, v in base.items()] + list(extra)
    response = client.get("/authorize?" + encode(pairs))
    assert_safe(response, (WEB_CALLBACK + "?", WEB_CALLBACK + "#", "/u/login?", "/u/consent?"))
    if response.status_code == 400:
        assert "Oops!, something went wrong" in response.content.decode()
    post = client.post(
        "/authorize", encode(pairs), content_type="application/x-www-form-urlencoded"
    )
    assert_safe(post, (WEB_CALLBACK + "?", WEB_CALLBACK + "#", "/u/login?", "/u/consent?"))


@FUZZ
@given(
    page=st.sampled_from(["/u/login", "/u/consent", "/u/logout", "/v2/logout", "/oidc/logout"]),
    fields=st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "state",
                    "username",
                    "password",
                    "action",
                    "request",
                    "client_id",
                    "returnTo",
                    "id_token_hint",
                    "logout_hint",
                    "post_logout_redirect_uri",
                ]
            ),
            raw_values,
        ),
        max_size=6,
    ),
    method=st.sampled_from(["get", "post"]),
)
def test_pages_never_fail(web_app, page, fields, method):
    client = HttpClient()
    body = encode(fields)
    if method == "get":
        response = client.get(f"{page}?{body}")
    else:
        response = client.post(page, body, content_type="application/x-www-form-urlencoded")
    assert_safe(response, ("https://app.example.com/",))

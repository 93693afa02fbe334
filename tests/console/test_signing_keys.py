"""The Signing Keys page: states, rotate, revoke (previous keys only), the timeline."""

import datetime as dt
import re

import pytest

from applications import oauth
from keys import signing, timeline
from keys.models import KeyState, SigningKey

from .conftest import HISTORY_RESTORE, HTMX, assert_full_page, assert_partial, html

pytestmark = pytest.mark.django_db


def _state_of(body: str, kid: str) -> str:
    match = re.search(rf'<tr id="key-{re.escape(kid)}" data-state="(\w+)">', body)
    assert match, kid
    return match.group(1)


def test_page_lists_keys_with_state_and_certificates(staff_client, tenant):
    current = SigningKey.objects.get(state=KeyState.CURRENT)
    upcoming = SigningKey.objects.get(state=KeyState.NEXT)
    body = assert_full_page(staff_client.get("/signing-keys/"))
    assert_partial(staff_client.get("/signing-keys/", headers=HTMX))
    assert_full_page(staff_client.get("/signing-keys/", headers=HISTORY_RESTORE))
    assert '<span class="badge badge-key-current">Current</span>' in body
    assert '<span class="badge badge-key-next">Next</span>' in body
    assert _state_of(body, current.kid) == "current" and _state_of(body, upcoming.kid) == "next"
    assert current.thumbprint in body
    assert f'href="/signing-keys/{current.kid}/certificate.pem"' in body
    assert ">Revoke</button>" not in body  # nothing is revocable before a rotation
    assert body.count('<g class="timeline-row"') == 2


def test_rotate_promotes_next_and_publishes_a_new_next(staff_client, tenant):
    old_current = SigningKey.objects.get(state=KeyState.CURRENT)
    upcoming = SigningKey.objects.get(state=KeyState.NEXT)
    assert staff_client.get("/signing-keys/rotate/").status_code == 405
    response = staff_client.post("/signing-keys/rotate/")
    assert response.status_code == 302 and response["Location"] == "/signing-keys/"
    body = html(staff_client.get("/signing-keys/"))
    assert f"Rotated. New tokens are signed with {upcoming.kid}" in body
    assert _state_of(body, upcoming.kid) == "current"
    assert _state_of(body, old_current.kid) == "previous"
    assert SigningKey.objects.filter(state=KeyState.NEXT).exclude(pk=upcoming.pk).count() == 1
    assert body.count(">Revoke</button>") == 1
    assert "Tokens signed with this key stop verifying at once" in body
    assert body.count('<g class="timeline-row"') == 3


def test_revoke_previous_key_stops_its_tokens(staff_client, granted_client, orders_api):
    token = oauth.issue_token(granted_client.client_id, orders_api.identifier).access_token
    old_kid = signing.current_kid()
    staff_client.post("/signing-keys/rotate/")
    assert signing.verify(token, audience=orders_api.identifier)["aud"] == orders_api.identifier
    response = staff_client.post(f"/signing-keys/{old_kid}/revoke/", headers=HTMX, follow=True)
    body = assert_partial(response)
    assert f"Key {old_kid} revoked." in body
    assert _state_of(body, old_kid) == "revoked"
    assert 'class="revoked-mark"' in body
    with pytest.raises(signing.InvalidToken):
        signing.verify(token, audience=orders_api.identifier)
    jwks = staff_client.get("/.well-known/jwks.json").json()
    assert old_kid not in [key["kid"] for key in jwks["keys"]]


@pytest.mark.parametrize(
    ("state", "message"),
    [
        (KeyState.CURRENT, "The current signing key cannot be revoked; rotate first."),
        (
            KeyState.NEXT,
            "The next signing key cannot be revoked; only a previous key can be revoked.",
        ),
    ],
)
def test_current_and_next_keys_cannot_be_revoked_here(staff_client, tenant, state, message):
    key = SigningKey.objects.get(state=state)
    before = list(SigningKey.objects.order_by("pk").values())
    response = staff_client.post(f"/signing-keys/{key.kid}/revoke/")
    assert response.status_code == 302 and response["Location"] == "/signing-keys/"
    assert message in html(staff_client.get("/signing-keys/"))
    assert list(SigningKey.objects.order_by("pk").values()) == before
    assert staff_client.post("/signing-keys/not-a-kid/revoke/").status_code == 404


def test_timeline_draws_each_state_a_key_went_through(staff_client, tenant):
    first = SigningKey.objects.get(state=KeyState.CURRENT)
    staff_client.post("/signing-keys/rotate/")
    staff_client.post(f"/signing-keys/{first.kid}/revoke/")
    body = html(staff_client.get("/signing-keys/"))
    svg = body[body.index('<figure class="timeline">') : body.index("</figure>")]
    row = svg[svg.index(f'data-kid="{first.kid}"') :].split("</g>")[0]
    # The first key was current from bootstrap, then previous, then revoked.
    assert 'class="bar bar-current"' in row and 'class="bar bar-previous"' in row
    assert 'class="bar bar-next"' not in row
    assert 'class="revoked-mark"' in row
    assert 'role="img" aria-labelledby="timeline-caption"' in svg


def test_timeline_geometry_for_a_next_key_revoked_before_it_signed():
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    hour = dt.timedelta(hours=1)
    bootstrap = SigningKey(kid="a", state=KeyState.CURRENT, created_at=start, current_since=start)
    replaced = SigningKey(
        kid="b", state=KeyState.REVOKED, created_at=start, revoked_at=start + 2 * hour
    )
    picture = timeline.build([replaced, bootstrap], now=start + 4 * hour)
    assert [row.kid for row in picture.rows] == ["a", "b"]
    (signing_bar,) = picture.rows[0].bars
    assert signing_bar.state == KeyState.CURRENT and signing_bar.end is None
    (next_bar,) = picture.rows[1].bars
    assert next_bar.state == KeyState.NEXT and next_bar.end == start + 2 * hour
    # Half of the time span, so half of the drawing width.
    assert next_bar.width == pytest.approx(signing_bar.width / 2, abs=0.2)
    assert picture.rows[1].revoked_x == pytest.approx(next_bar.x + next_bar.width, abs=0.2)

"""The JWKS is kept in process memory (keys/signing.py): no query per request, a key change
made by another process reaches it within CURRENT_KEY_RECHECK_SECONDS (the bound rotations of
the signing key are noticed in), and this process's own rotations and revocations at once.
Serving the last good copy while the database is down is proved on PostgreSQL in
tests/test_outage.py."""

import time

from keys import signing
from keys.models import KeyState, SigningKey


def test_the_jwks_is_served_from_memory_without_a_query(client, tenant, django_assert_num_queries):
    first = client.get("/.well-known/jwks.json")

    with django_assert_num_queries(0):
        again = client.get("/.well-known/jwks.json")

    assert again.status_code == 200
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]


def test_a_change_made_by_another_process_reaches_the_jwks_within_the_bound(client, tenant):
    before = client.get("/.well-known/jwks.json")
    upcoming = SigningKey.objects.get(state=KeyState.NEXT)
    # What another process's revocation leaves in the database, without this process's
    # signing module knowing.
    SigningKey.objects.filter(pk=upcoming.pk).update(state=KeyState.REVOKED)

    assert client.get("/.well-known/jwks.json").content == before.content  # still cached
    time.sleep(signing.CURRENT_KEY_RECHECK_SECONDS)
    after = client.get("/.well-known/jwks.json")

    assert [key["kid"] for key in after.json()["keys"]] == [
        SigningKey.objects.get(state=KeyState.CURRENT).kid
    ]
    assert after["ETag"] != before["ETag"]


def test_keys_made_in_this_process_are_published_at_once(client, db):
    assert client.get("/.well-known/jwks.json").json() == {"keys": []}

    signing.ensure_keys()

    assert len(client.get("/.well-known/jwks.json").json()["keys"]) == 2

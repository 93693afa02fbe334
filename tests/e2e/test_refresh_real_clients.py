"""Refresh tokens with a real relying party: Node's openid-client v6 `refreshTokenGrant`
(tests/e2e/openid_client_flow.mjs) against the live server, as a public client (a SPA's
settings: rotating, with an overlap period). The browser SDK's version is in test_spa_js.py."""

from apis import resource_servers
from applications.models import AppType

from .end_user import AUDIENCE, OpenIdClient, Person, create_browser_client, verify_rs256

CALLBACK = "https://spa.example/callback"
SCOPE = "openid profile read:stock offline_access"


def test_openid_client_refresh_token_grant_rotates(gatehouse, inventory, ada):
    resource_servers.update_api(inventory, allow_offline_access=True)
    app = create_browser_client("Refreshing SPA", AppType.SPA, callbacks=[CALLBACK])
    rp = OpenIdClient(
        issuer=gatehouse + "/",
        client_id=app.client_id,
        auth="none",
        redirect_uri=CALLBACK,
        scope=SCOPE,
        audience=AUDIENCE,
        refreshes=2,
        replay_first_refresh_token=True,
    )
    try:
        journey = Person().authorize(rp.authorization_url, CALLBACK)
        result = rp.finish(journey.callback)
    finally:
        rp.close()

    first = result["tokens"]
    assert first["refresh_token"]
    assert first["scope"] == SCOPE
    one, two = result["refreshes"]
    # Rotation: each refresh answers a new access token and a new refresh token.
    tokens = [first["refresh_token"], one["refresh_token"], two["refresh_token"]]
    assert len(set(tokens)) == 3
    assert len({first["access_token"], one["access_token"], two["access_token"]}) == 3
    for refreshed in (one, two):
        assert refreshed["token_type"] == "bearer"  # oauth4webapi lower-cases it
        assert refreshed["scope"] == SCOPE
        claims = verify_rs256(gatehouse, refreshed["access_token"], AUDIENCE)
        assert claims["sub"] == ada.user_id
        assert claims["gty"] == "refresh_token"
        assert claims["azp"] == app.client_id
        # A new ID token, checked by openid-client, without a nonce (OIDC Core section 12.2).
        assert refreshed["id_token_claims"]["sub"] == ada.user_id
        assert "nonce" not in refreshed["id_token_claims"]
    # The first token is two generations old: its reuse is refused (and revokes the family).
    assert result["replay"]["error"] == "invalid_grant", result["replay"]
    assert result["replay"]["status"] == 403

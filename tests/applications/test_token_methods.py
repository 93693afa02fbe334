"""/oauth/token is POST only (RFC 6749 section 3.2); OPTIONS is the CORS preflight
(tests/applications/test_cors.py), and an origin nobody registered reads nothing (README)."""

import pytest


@pytest.mark.parametrize("method", ["GET", "HEAD", "PUT", "DELETE"])
def test_other_methods_are_a_json_405_that_allows_post(client, tenant, method):
    response = client.generic(
        method,
        "/oauth/token",
        headers={"Origin": "https://spa.example", "Access-Control-Request-Method": "POST"},
    )

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response["Content-Type"] == "application/json"
    assert "Access-Control-Allow-Origin" not in response
    if method != "HEAD":
        assert response.json() == {
            "error": "invalid_request",
            "error_description": "Use POST for /oauth/token.",
        }

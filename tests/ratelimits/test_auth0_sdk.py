"""What Auth0's official Python SDK (auth0-python 6) makes of Gatehouse's 429s, over real
HTTP: the authentication client raises RateLimitError with `reset_at` read from
X-RateLimit-Reset; the management client raises TooManyRequestsError with Auth0's body."""

from urllib.parse import urlsplit

import httpx
import pytest
from auth0.authentication import GetToken
from auth0.authentication.exceptions import RateLimitError
from auth0.management import Auth0
from auth0.management.errors import TooManyRequestsError
from django.conf import settings

from applications import clients


@pytest.mark.django_db(transaction=True)
def test_the_sdk_sees_rate_limit_errors(live_server, tenant, orders_api, limits):
    limits(TOKEN_PER_CLIENT="1/3600", TOKEN_PER_IP="100/3600", MANAGEMENT_API_PER_TOKEN="1/3600")
    worker, secret = clients.create_application(name="Worker")
    clients.authorize(worker, tenant, ["read:resource_servers"])
    get_token = GetToken(
        urlsplit(live_server.url).netloc, worker.client_id, client_secret=secret, protocol="http"
    )
    token = get_token.client_credentials(audience=settings.MANAGEMENT_API_IDENTIFIER)

    with pytest.raises(RateLimitError) as refused:
        get_token.client_credentials(audience=settings.MANAGEMENT_API_IDENTIFIER)

    assert refused.value.status_code == 429
    assert refused.value.error_code == "too_many_requests"
    assert refused.value.reset_at == int(refused.value.headers["x-ratelimit-reset"])
    assert refused.value.reset_at % 3600 == 0

    # Its own HTTP client, closed before the live server's test ends: a keep-alive
    # connection left open would be served by a thread that outlives the test.
    with httpx.Client() as http:
        mgmt = Auth0(
            base_url=live_server.url + "/api/v2",
            token=token["access_token"],
            max_retries=0,
            httpx_client=http,
        )
        mgmt.resource_servers.list()
        with pytest.raises(TooManyRequestsError) as too_many:
            mgmt.resource_servers.list()

    assert too_many.value.status_code == 429
    assert too_many.value.body["errorCode"] == "too_many_requests"
    assert too_many.value.headers["x-ratelimit-remaining"] == "0"
    assert secret not in str(refused.value) and secret not in str(too_many.value)

"""auth0-python's Management `Logs` client reads Gatehouse's logs from the live server:
search (sent as `search`), paging until an empty page, sort, fields, get by id, and its errors."""

import datetime as dt
from urllib.parse import urlsplit

import pytest
from auth0.authentication import GetToken
from auth0.management import Auth0
from auth0.management.errors import BadRequestError, ForbiddenError, NotFoundError
from django.conf import settings

from applications import clients
from logs import types
from logs.events import record

T0 = dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC)


def sdk(live_server, tenant, scopes: list[str], name: str) -> Auth0:
    application, secret = clients.create_application(name=name)
    clients.authorize(application, tenant, scopes)
    token = GetToken(
        urlsplit(live_server.url).netloc,
        application.client_id,
        client_secret=secret,
        protocol="http",
    ).client_credentials(audience=settings.MANAGEMENT_API_IDENTIFIER)["access_token"]
    return Auth0(base_url=live_server.url + "/api/v2", token=token, max_retries=0)


@pytest.mark.django_db(transaction=True)
def test_the_auth0_python_logs_client_reads_them(live_server, tenant):
    made = [
        record(
            types.SUCCESS_LOGIN if minute % 2 else types.FAILED_LOGIN_PASSWORD,
            date=T0 + dt.timedelta(minutes=minute),
            user_id="auth0|0123456789abcdef01234567",
            user_name="ann@example.com",
            client_id="w" * 32,
            client_name="Web shop",
            description=f"attempt {minute}",
        )
        for minute in range(7)
    ]
    mgmt = sdk(live_server, tenant, ["read:logs"], "Log exporter")

    # The SDK asks with include_totals=true and pages until a page is empty.
    listed = list(mgmt.logs.list(per_page=3, search="user_id:auth0|0123456789abcdef01234567"))
    assert [log.log_id for log in listed] == [event.log_id for event in reversed(made)]
    first = listed[0]
    assert (first.type, first.description, first.client_name) == ("fp", "attempt 6", "Web shop")
    assert first.date == "2026-11-02T08:06:00.000Z"
    assert first.is_mobile is False

    oldest = next(iter(mgmt.logs.list(sort="date:1", per_page=1, fields="log_id,type")))
    assert (oldest.log_id, oldest.type, oldest.description) == (made[0].log_id, "fp", None)

    fetched = mgmt.logs.get(made[3].log_id)
    assert (fetched.log_id, fetched.type, fetched.user_name) == (
        made[3].log_id,
        "s",
        "ann@example.com",
    )

    with pytest.raises(NotFoundError) as missing:
        mgmt.logs.get("90020211201185132572079310688835925971249")
    assert missing.value.body["errorCode"] == "inexistent_log"
    with pytest.raises(BadRequestError) as bad:
        list(mgmt.logs.list(search="password:hunter2"))
    assert "Unsupported field: password" in bad.value.body["message"]
    assert "hunter2" not in bad.value.body["message"]  # the field is named, not its value

    outsider = sdk(live_server, tenant, ["read:users"], "Not a log reader")
    with pytest.raises(ForbiddenError):
        list(outsider.logs.list())

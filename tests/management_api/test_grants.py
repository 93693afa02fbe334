"""/api/v2/grants: users' grants in Auth0's shape (AUTH0_USER_FLOWS.md section 2.5), listed
by user, client and audience, deleted one by one or all of a user's."""

from datetime import timedelta

import pytest
from django.utils import timezone

from applications import clients, user_grants
from applications.models import OpaqueAccessToken, UserGrant
from tests.management_api.conftest import Mgmt
from users.models import User

pytestmark = pytest.mark.django_db

USERINFO = "http://127.0.0.1:8000/userinfo"
ORDERS = "https://orders.example/api"


@pytest.fixture
def people(db):
    # Users made directly; users.directory (issue 10, section 1) is not on this branch yet.
    return (
        User.objects.create(email="ada@example.com", password="!"),
        User.objects.create(email="bob@example.com", password="!"),
    )


@pytest.fixture
def grants(tenant, people):
    web, _ = clients.create_application(name="Web", app_type="regular_web")
    spa, _ = clients.create_application(name="SPA", app_type="spa")
    ada, bob = people
    return {
        "ada_web": user_grants.record(ada, web, ORDERS, ["read:orders", "openid"]),
        "ada_spa": user_grants.record(ada, spa, USERINFO, ["openid", "profile"]),
        "bob_web": user_grants.record(bob, web, USERINFO, []),
    }


def shape(grant: UserGrant) -> dict:
    return {
        "id": grant.id,
        "clientID": grant.application.client_id,
        "user_id": f"auth0|{grant.user_id}",
        "audience": grant.audience,
        "scope": grant.scopes,
    }


def test_list_in_auth0s_shape_with_filters(mgmt: Mgmt, grants):
    ada_web, ada_spa, bob_web = grants["ada_web"], grants["ada_spa"], grants["bob_web"]
    response = mgmt.get("/grants")
    assert response.status_code == 200
    assert response.json() == [shape(ada_web), shape(ada_spa), shape(bob_web)]
    assert shape(ada_web)["scope"] == ["read:orders", "openid"]
    ada = ada_web.user.user_id
    assert mgmt.get(f"/grants?user_id={ada.replace('|', '%7C')}").json() == [
        shape(ada_web),
        shape(ada_spa),
    ]
    web = ada_web.application.client_id
    assert mgmt.get(f"/grants?client_id={web}").json() == [shape(ada_web), shape(bob_web)]
    assert mgmt.get(f"/grants?audience={USERINFO}").json() == [shape(ada_spa), shape(bob_web)]
    assert mgmt.get(f"/grants?user_id={ada}&client_id={web}&audience={ORDERS}").json() == [
        shape(ada_web)
    ]
    # Ids of another shape name no user here: nothing matches, nothing fails.
    assert mgmt.get("/grants?user_id=google-oauth2|123").json() == []
    assert mgmt.get(f"/grants?user_id={ada_web.user_id}").json() == []


def test_paging_with_totals(mgmt: Mgmt, grants):
    body = mgmt.get("/grants?include_totals=true&per_page=2&page=1").json()
    assert body == {"total": 3, "start": 2, "limit": 2, "grants": [shape(grants["bob_web"])]}
    assert mgmt.get("/grants?per_page=2&page=5").json() == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "per_page=101",
            "Query validation error: 'Value 101 is greater than maximum 100' on "
            "property per_page (Number of results per page. Defaults to 50.).",
        ),
        ("fields=id", "Query validation error: 'Additional properties not allowed: fields'."),
    ],
)
def test_bad_queries_are_400(mgmt: Mgmt, grants, query, message):
    response = mgmt.get(f"/grants?{query}")
    assert response.status_code == 400
    assert response.json() == {
        "statusCode": 400,
        "error": "Bad Request",
        "message": message,
        "errorCode": "invalid_query_string",
    }


def test_delete_one_revokes_its_userinfo_tokens(mgmt: Mgmt, grants):
    grant = grants["ada_spa"]
    now = timezone.now()
    OpaqueAccessToken.objects.create(
        digest="d" * 64,
        application=grant.application,
        user=grant.user,
        created_at=now,
        expires_at=now + timedelta(hours=1),
    )
    response = mgmt.delete(f"/grants/{grant.id}")
    assert (response.status_code, response.content) == (204, b"")
    assert not UserGrant.objects.filter(pk=grant.pk).exists()
    assert not OpaqueAccessToken.objects.exists()
    assert UserGrant.objects.count() == 2
    again = mgmt.delete(f"/grants/{grant.id}")
    assert again.status_code == 404
    assert again.json() == {
        "statusCode": 404,
        "error": "Not Found",
        "message": "The grant does not exist.",
        "errorCode": "inexistent_grant",
    }


def test_delete_by_user_takes_only_that_users_grants(mgmt: Mgmt, grants, people):
    ada, bob = people
    response = mgmt.delete(f"/grants?user_id={ada.user_id.replace('|', '%7C')}")
    assert (response.status_code, response.content) == (204, b"")
    assert list(UserGrant.objects.values_list("user_id", flat=True)) == [bob.id]
    # A user without grants, or no such user: 204 all the same.
    assert mgmt.delete(f"/grants?user_id={ada.user_id}").status_code == 204
    assert mgmt.delete("/grants?user_id=auth0|ffffffffffffffffffffffff").status_code == 204
    assert UserGrant.objects.count() == 1


def test_delete_without_user_id_is_400_and_deletes_nothing(mgmt: Mgmt, grants):
    response = mgmt.delete("/grants")
    assert response.status_code == 400
    assert response.json() == {
        "statusCode": 400,
        "error": "Bad Request",
        "message": "Query validation error: 'Missing required property: user_id'.",
        "errorCode": "invalid_query_string",
    }
    assert mgmt.delete("/grants?client_id=x").status_code == 400
    assert UserGrant.objects.count() == 3


def test_wrong_methods_and_hostile_ids(mgmt: Mgmt, grants):
    assert mgmt.post("/grants", {}).status_code == 405
    assert mgmt.get(f"/grants/{grants['ada_web'].id}").status_code == 405
    too_long = mgmt.delete("/grants/" + "a" * 65)
    assert too_long.status_code == 400
    assert too_long.json()["errorCode"] == "invalid_uri"
    assert mgmt.delete("/grants/%00").status_code == 400
    assert UserGrant.objects.count() == 3

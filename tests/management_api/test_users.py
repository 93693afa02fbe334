"""/api/v2/users and /api/v2/users-by-email: Auth0's shapes and errors (AUTH0_USER_FLOWS.md
sections 7.1 and 7.2), strict input (a refused request writes nothing), and no password or
hash in any response."""

import hashlib
import json
import logging
import re

import pytest

from users import sessions
from users.models import Session, User

from .conftest import Mgmt

CONNECTION = "Username-Password-Authentication"
PASSWORD = "Correct-Horse-9"
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
NOT_FOUND = {
    "statusCode": 404,
    "error": "Not Found",
    "message": "The user does not exist.",
    "errorCode": "inexistent_user",
}
EXISTS = {
    "statusCode": 409,
    "error": "Conflict",
    "message": "The user already exists.",
    "errorCode": "auth0_idp_error",
}
WEAK = {
    "statusCode": 400,
    "error": "Bad Request",
    "message": "PasswordStrengthError: Password is too weak",
    "errorCode": "invalid_password",
}


def new_user(mgmt: Mgmt, email: str = "chuck@example.com", **fields) -> dict:
    body = {"connection": CONNECTION, "email": email, "password": PASSWORD, **fields}
    response = mgmt.post("/users", body)
    assert response.status_code == 201, response.content
    return response.json()


def path_of(user: dict) -> str:
    return "/users/" + user["user_id"].replace("|", "%7C")


def assert_no_password(response, *secrets: str) -> None:
    body = response.content.decode()
    assert '"password"' not in body
    for hashed in User.objects.values_list("password", flat=True):
        assert hashed not in body
    assert "argon2" not in body
    for secret in secrets:
        assert secret not in body


# --- create -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_returns_201_with_auth0_defaults_and_no_password(mgmt: Mgmt):
    response = mgmt.post(
        "/users", {"connection": CONNECTION, "email": "Chuck@Example.com", "password": PASSWORD}
    )
    assert response.status_code == 201
    user = response.json()
    assert_no_password(response, PASSWORD)
    bare = user["user_id"].removeprefix("auth0|")
    assert re.fullmatch(r"[0-9a-f]{24}", bare)
    digest = hashlib.md5(b"chuck@example.com").hexdigest()
    assert TIMESTAMP.match(user.pop("created_at"))
    assert TIMESTAMP.match(user.pop("updated_at"))
    assert user == {
        "user_id": f"auth0|{bare}",
        "email": "chuck@example.com",
        "email_verified": False,
        "name": "chuck@example.com",
        "nickname": "chuck",
        "picture": f"https://s.gravatar.com/avatar/{digest}?s=480&r=pg"
        "&d=https%3A%2F%2Fcdn.auth0.com%2Favatars%2Fch.png",
        "identities": [
            {"connection": CONNECTION, "user_id": bare, "provider": "auth0", "isSocial": False}
        ],
        "blocked": False,
        "app_metadata": {},
        "user_metadata": {},
    }
    stored = User.objects.get()
    assert stored.password.startswith("argon2")
    assert PASSWORD not in stored.password


@pytest.mark.django_db
def test_create_with_every_field(mgmt: Mgmt):
    user = new_user(
        mgmt,
        "jane@example.com",
        user_id="0123456789abcdef01234567",
        username="jane",
        email_verified=True,
        verify_email=False,
        blocked=True,
        given_name="Jane",
        family_name="Doe",
        name="Jane Doe",
        nickname="jd",
        picture="https://pics.example/jane.png",
        app_metadata={"plan": "gold"},
        user_metadata={"theme": "dark", "n": [1, 2.5, None, True]},
    )
    assert user["user_id"] == "auth0|0123456789abcdef01234567"
    for key, value in {
        "username": "jane",
        "email_verified": True,
        "blocked": True,
        "given_name": "Jane",
        "family_name": "Doe",
        "name": "Jane Doe",
        "nickname": "jd",
        "picture": "https://pics.example/jane.png",
        "app_metadata": {"plan": "gold"},
        "user_metadata": {"theme": "dark", "n": [1, 2.5, None, True]},
    }.items():
        assert user[key] == value, key


@pytest.mark.django_db
@pytest.mark.parametrize(
    "duplicate",
    [
        {"email": "CHUCK@example.com"},
        {"email": "other@example.com", "username": "chuck"},
        {"email": "other@example.com", "user_id": "auth0|0123456789abcdef01234567"},
    ],
)
def test_a_duplicate_is_409_and_writes_nothing(mgmt: Mgmt, duplicate):
    new_user(mgmt, username="chuck", user_id="0123456789abcdef01234567")
    body = {"connection": CONNECTION, "password": PASSWORD, **duplicate}
    response = mgmt.post("/users", body)
    assert response.status_code == 409
    assert response.json() == EXISTS
    assert User.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("password", ["short1A", "alllowercase1", "ALLUPPER!!", "abcdefgh"])
def test_a_weak_password_is_auth0s_400_and_writes_nothing(mgmt: Mgmt, password):
    response = mgmt.post(
        "/users", {"connection": CONNECTION, "email": "a@example.com", "password": password}
    )
    assert response.status_code == 400
    assert response.json() == WEAK
    assert User.objects.count() == 0


def payload_error(detail: str, path: str = "", description: str = "") -> str:
    text = f"Payload validation error: '{detail}'"
    if path:
        text += f" on property {path}"
        if description:
            text += f" ({description})"
    return text + "."


BAD_CREATE = [
    ({"email": "a@example.com", "password": PASSWORD}, "Missing required property: connection"),
    ({"connection": CONNECTION, "password": PASSWORD}, "Missing required property: email"),
    ({"connection": CONNECTION, "email": "a@example.com"}, "Missing required property: password"),
    ({"connection": "google-oauth2"}, 'No enum match for: "google-oauth2"'),
    ({"email": "not-an-email"}, "Enter a valid email address."),
    ({"email": "a@example.com\u0000"}, "String contains characters"),
    ({"email": 42}, "Expected type string but found type integer"),
    ({"password": "\ud800Aa1aaaaa"}, "String contains characters"),
    ({"password": "Aa1!" * 40}, "String is too long (160 chars), maximum 128"),
    ({"username": "with space"}, "String does not match pattern"),
    ({"username": ""}, "String is too short (0 chars), minimum 1"),
    ({"username": None}, "Expected type string but found type null"),
    ({"name": "x" * 301}, "String is too long (301 chars), maximum 300"),
    ({"nickname": "a\u0000b"}, "String contains characters"),
    ({"given_name": ["Jane"]}, "Expected type string but found type array"),
    ({"picture": "not a url"}, "Enter a valid URL."),
    ({"email_verified": "yes"}, "Expected type boolean but found type string"),
    ({"blocked": 1}, "Expected type boolean but found type integer"),
    ({"app_metadata": []}, "Expected type object but found type array"),
    ({"app_metadata": {"a.b": 1}}, "Invalid key 'a.b'"),
    ({"user_metadata": {"k": "a\u0000b"}}, "Strings may not hold NUL"),
    ({"user_metadata": {"k\u0000": 1}}, "Invalid key"),
    ({"user_id": "auth0|xyz"}, "String does not match pattern"),
    ({"user_id": "google|0123456789abcdef01234567"}, "String does not match pattern"),
    ({"role": "admin"}, "Additional properties not allowed: role"),
    ({"phone_number": "+15555550100"}, "Additional properties not allowed: phone_number"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("change", "detail"), BAD_CREATE)
def test_bad_create_input_is_a_precise_400_and_writes_nothing(mgmt: Mgmt, change, detail):
    base = {"connection": CONNECTION, "email": "a@example.com", "password": PASSWORD}
    # The "Missing" cases are whole bodies; the others change one field of a valid body.
    body = change if detail.startswith("Missing") else {**base, **change}
    response = mgmt.post("/users", body)
    assert response.status_code == 400, response.content
    error = response.json()
    assert error["errorCode"] == "invalid_body"
    assert error["message"].startswith("Payload validation error: '")
    assert detail in error["message"]
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_metadata_numbers_too_large_for_json_are_refused(mgmt: Mgmt):
    body = {"connection": CONNECTION, "email": "a@example.com", "password": PASSWORD}
    raw = json.dumps(body)[:-1] + ', "app_metadata": {"x": 1e999}}'
    response = mgmt.post("/users", raw=raw)
    assert response.status_code == 400
    assert response.json()["message"] == payload_error("Numbers must be finite.", "app_metadata")
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_a_form_encoded_create_works(mgmt: Mgmt):
    response = mgmt.post(
        "/users",
        raw=f"connection={CONNECTION}&email=form%40example.com&password={PASSWORD}"
        "&email_verified=true",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 201
    assert response.json()["email_verified"] is True


# --- read ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_get_by_url_encoded_id_and_field_selection(mgmt: Mgmt):
    user = new_user(mgmt)
    response = mgmt.get(path_of(user))
    assert response.status_code == 200
    assert response.json() == user
    only = mgmt.get(path_of(user) + "?fields=email,%20user_id&include_fields=true")
    assert only.json() == {"email": user["email"], "user_id": user["user_id"]}
    without = mgmt.get(path_of(user) + "?fields=identities,picture&include_fields=false")
    assert set(without.json()) == set(user) - {"identities", "picture"}
    assert mgmt.get("/users/" + user["user_id"]).status_code == 200  # an unencoded |


@pytest.mark.django_db
@pytest.mark.parametrize(
    "user_id",
    [
        "auth0%7C0123456789abcdef01234567",
        "auth0%7Cxyz",
        "google-oauth2%7C1234",
        "0123456789abcdef0123456",
        "..%2F..%2Fclients",
        "auth0%7C0123456789ABCDEF01234567",
        "%20",
        "%ED%A0%80",
    ],
)
def test_unknown_ids_are_auth0s_404(mgmt: Mgmt, user_id):
    for method in ("GET", "PATCH"):
        response = mgmt.call(method, f"/users/{user_id}", {"name": "x"})
        assert response.status_code == 404, (method, user_id)
        assert response.json() == NOT_FOUND
    assert mgmt.delete(f"/users/{user_id}").status_code == 204


@pytest.mark.django_db
@pytest.mark.parametrize("user_id", ["auth0%7Ca%00b", "x" * 65])
def test_ids_that_cannot_be_ids_are_400_invalid_uri(mgmt: Mgmt, user_id):
    for method in ("GET", "PATCH", "DELETE"):
        response = mgmt.call(method, f"/users/{user_id}", {"name": "x"})
        assert response.status_code == 400, (method, user_id)
        assert response.json()["errorCode"] == "invalid_uri"


# --- update -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_patch_merges_metadata_by_top_level_key(mgmt: Mgmt):
    user = new_user(mgmt, app_metadata={"plan": "gold", "roles": ["a"]}, user_metadata={"x": 1})
    response = mgmt.patch(
        path_of(user),
        {"app_metadata": {"roles": ["b"], "plan": None, "new": {"deep": True}}, "name": "Chuck"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["app_metadata"] == {"roles": ["b"], "new": {"deep": True}}
    assert body["user_metadata"] == {"x": 1}
    assert body["name"] == "Chuck"
    assert body["updated_at"] >= user["updated_at"]
    cleared = mgmt.patch(path_of(user), {"user_metadata": {}}).json()
    assert cleared["user_metadata"] == {}
    assert cleared["app_metadata"] == {"roles": ["b"], "new": {"deep": True}}
    assert mgmt.get(path_of(user)).json()["app_metadata"] == body["app_metadata"]


@pytest.mark.django_db
def test_patch_nulls_empty_fields_and_remove_the_username(mgmt: Mgmt):
    user = new_user(mgmt, username="chuck", given_name="Chuck")
    body = mgmt.patch(path_of(user), {"username": None, "given_name": None}).json()
    assert "username" not in body and "given_name" not in body
    # The username is free again.
    assert new_user(mgmt, "other@example.com", username="chuck")["username"] == "chuck"


@pytest.mark.django_db
def test_blocking_ends_every_session(mgmt: Mgmt):
    user = new_user(mgmt)
    stored = User.objects.get()
    sessions.start(stored)
    sessions.start(stored)
    response = mgmt.patch(path_of(user), {"blocked": True})
    assert response.status_code == 200
    assert response.json()["blocked"] is True
    assert Session.objects.count() == 0
    assert mgmt.patch(path_of(user), {"blocked": False}).json()["blocked"] is False


@pytest.mark.django_db
def test_a_password_change_needs_the_connection_and_ends_sessions(mgmt: Mgmt):
    user = new_user(mgmt)
    stored = User.objects.get()
    _, secret = sessions.start(stored)
    refused = mgmt.patch(path_of(user), {"password": "New-Password-1"})
    assert refused.status_code == 400
    assert refused.json()["message"] == payload_error(
        "Missing required property: connection", "connection"
    )
    weak = mgmt.patch(path_of(user), {"password": "weak", "connection": CONNECTION})
    assert weak.json() == WEAK
    assert User.objects.get().password == stored.password
    assert sessions.find(secret) is not None
    response = mgmt.patch(path_of(user), {"password": "New-Password-1", "connection": CONNECTION})
    assert response.status_code == 200
    body = response.json()
    assert TIMESTAMP.match(body["last_password_reset"])
    assert_no_password(response, "New-Password-1")
    assert sessions.find(secret) is None
    from users import passwords

    assert passwords.verify(User.objects.get(), "New-Password-1")
    assert not passwords.verify(User.objects.get(), PASSWORD)


@pytest.mark.django_db
def test_a_new_email_is_unverified_unless_said_otherwise(mgmt: Mgmt):
    user = new_user(mgmt, email_verified=True)
    same = mgmt.patch(path_of(user), {"email": "CHUCK@example.com"}).json()
    assert same["email_verified"] is True  # the same address, in other case
    moved = mgmt.patch(path_of(user), {"email": "new@example.com"}).json()
    assert (moved["email"], moved["email_verified"]) == ("new@example.com", False)
    both = mgmt.patch(path_of(user), {"email": "b@example.com", "email_verified": True}).json()
    assert (both["email"], both["email_verified"]) == ("b@example.com", True)


@pytest.mark.django_db
def test_patch_to_a_taken_email_is_409_and_changes_nothing(mgmt: Mgmt):
    new_user(mgmt, "taken@example.com")
    user = new_user(mgmt)
    response = mgmt.patch(path_of(user), {"email": "Taken@Example.com", "name": "Renamed"})
    assert response.status_code == 409
    assert response.json() == EXISTS
    assert mgmt.get(path_of(user)).json() == user


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "detail"),
    [
        ({"user_id": "0123456789abcdef01234567"}, "Additional properties not allowed: user_id"),
        ({"created_at": "2020-01-01"}, "Additional properties not allowed: created_at"),
        ({"email": "nope"}, "Enter a valid email address."),
        ({"email": None}, "Expected type string but found type null"),
        ({"blocked": None}, "Expected type boolean but found type null"),
        ({"app_metadata": None}, "Expected type object but found type null"),
        ({"app_metadata": {"a": {"b.c": 1}}}, "Invalid key 'b.c'"),
        ({"picture": "javascript:alert(1)"}, "Enter a valid URL."),
        ({"connection": "other"}, 'No enum match for: "other"'),
    ],
)
def test_bad_patch_input_is_a_precise_400_and_changes_nothing(mgmt: Mgmt, change, detail):
    user = new_user(mgmt)
    response = mgmt.patch(path_of(user), {"name": "Renamed", **change})
    assert response.status_code == 400, response.content
    assert response.json()["errorCode"] == "invalid_body"
    assert detail in response.json()["message"]
    assert mgmt.get(path_of(user)).json() == user


@pytest.mark.django_db
def test_an_empty_patch_changes_nothing(mgmt: Mgmt):
    user = new_user(mgmt)
    response = mgmt.patch(path_of(user))
    assert response.status_code == 200
    assert response.json() == user


# --- delete -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_delete_is_204_and_takes_the_sessions(mgmt: Mgmt):
    user = new_user(mgmt)
    sessions.start(User.objects.get())
    response = mgmt.delete(path_of(user))
    assert response.status_code == 204
    assert response.content == b""
    assert mgmt.get(path_of(user)).json() == NOT_FOUND
    assert (User.objects.count(), Session.objects.count()) == (0, 0)
    assert mgmt.delete(path_of(user)).status_code == 204


# --- list and search ----------------------------------------------------------------------


@pytest.fixture
def people(mgmt: Mgmt) -> dict[str, dict]:
    return {
        "ann": new_user(mgmt, "ann@example.com", username="ann", name="Ann Smith"),
        "bob": new_user(mgmt, "bob@example.org", name="Bob Jones", email_verified=True),
        "anna": new_user(mgmt, "anna@example.org", nickname="Nan", blocked=True),
    }


def ids(response) -> list[str]:
    body = response.json()
    users = body["users"] if isinstance(body, dict) else body
    return [user["user_id"] for user in users]


@pytest.mark.django_db
def test_list_is_a_bare_array_or_auth0s_totals(mgmt: Mgmt, people):
    listed = mgmt.get("/users")
    assert listed.status_code == 200
    assert ids(listed) == [people[n]["user_id"] for n in ("ann", "bob", "anna")]
    assert_no_password(listed, PASSWORD)
    page = mgmt.get("/users?include_totals=true&per_page=2&page=1").json()
    assert page == {
        "start": 2,
        "limit": 2,
        "length": 1,
        "users": [people["anna"]],
        "total": 3,
    }
    past = mgmt.get("/users?include_totals=true&per_page=2&page=5").json()
    assert (past["users"], past["length"], past["total"]) == ([], 0, 3)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ('email:"ann@example.com"', ["ann"]),
        ('email:"ANN@example.com"', ["ann"]),
        ("email:ann@example.com", ["ann"]),
        ('email:"ann*"', ["ann", "anna"]),
        ("email:ann*", ["ann", "anna"]),
        ('username:"ann"', ["ann"]),
        ('name:"bob jones"', ["bob"]),
        ("name:Bob*", ["bob"]),
        ('nickname:"nan"', ["anna"]),
        ("email_verified:true", ["bob"]),
        ("blocked:true", ["anna"]),
        ("blocked:false AND email:*example.org", None),
        ('email:"ann*" AND blocked:false', ["ann"]),
        ('email:"bob@example.org" OR username:"ann"', ["ann", "bob"]),
        ('(email:ann* OR name:"bob jones") AND blocked:false', ["ann", "bob"]),
        ('email:"nobody@example.com"', []),
        ('identities.connection:"Username-Password-Authentication"', ["ann", "bob", "anna"]),
        ('identities.connection:"google-oauth2"', []),
        ('user_id:"auth0|0123456789abcdef01234567"', []),
        ('user_id:"google|1"', []),
        ("", ["ann", "bob", "anna"]),
    ],
)
def test_search_v3_queries(mgmt: Mgmt, people, q, expected):
    from urllib.parse import urlencode

    response = mgmt.get("/users?" + urlencode({"q": q, "search_engine": "v3"}))
    if expected is None:
        assert response.status_code == 400
        return
    assert response.status_code == 200, response.content
    assert sorted(ids(response)) == sorted(people[name]["user_id"] for name in expected)


@pytest.mark.django_db
def test_search_by_user_id(mgmt: Mgmt, people):
    from urllib.parse import quote

    q = quote(f'user_id:"{people["bob"]["user_id"]}"')
    assert ids(mgmt.get(f"/users?q={q}")) == [people["bob"]["user_id"]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("q", "detail"),
    [
        ("ann", "Each term needs a field"),
        ('password:"x"', "Unsupported field 'password'"),
        ('app_metadata.plan:"gold"', "Unsupported field 'app_metadata.plan'"),
        ('email:"ann', "Unbalanced quote"),
        ('email:"a" email:"b"', "Put AND or OR between terms"),
        ("NOT email:a", "Negation"),
        ("-email:a", "Negation"),
        ("email:*ann", "Only a trailing * is supported"),
        ("email:a?n", "Only a trailing * is supported"),
        ("blocked:yes", "blocked is true or false"),
        ("user_id:auth0*", "user_id takes exact ids only"),
        ("(email:a OR email:b", "Unbalanced parentheses"),
        ("email:a)", "Unbalanced parentheses"),
        ("email:a AND", "The query ends where a term was expected"),
        ("email:", "The term has no value"),
        (" OR ".join(["email:a"] * 51), "At most 50 terms"),
        ("(" * 400 + "email:a" + ")" * 400, "Parentheses nest at most 10 deep"),
    ],
)
def test_unsupported_queries_are_a_precise_400(mgmt: Mgmt, people, q, detail):
    from urllib.parse import urlencode

    response = mgmt.get("/users?" + urlencode({"q": q}))
    assert response.status_code == 400, q
    error = response.json()
    assert error["errorCode"] == "invalid_query_string"
    assert error["message"].startswith("Query validation error: '")
    assert detail in error["message"], error["message"]
    assert error["message"].endswith(" on property q.")


@pytest.mark.django_db
def test_sort(mgmt: Mgmt, people):
    by_email = ids(mgmt.get("/users?sort=email:1"))
    assert by_email == [people[n]["user_id"] for n in ("ann", "anna", "bob")]
    assert ids(mgmt.get("/users?sort=email:-1")) == by_email[::-1]
    assert ids(mgmt.get("/users?sort=created_at:-1"))[0] == people["anna"]["user_id"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "per_page=101",
        "per_page=0",
        "page=-1",
        "sort=password:1",
        "sort=email:2",
        "search_engine=v1",
        "include_totals=maybe",
        "q=a%00b",
        "unknown=1",
    ],
)
def test_bad_list_parameters_are_400(mgmt: Mgmt, people, query):
    response = mgmt.get(f"/users?{query}")
    assert response.status_code == 400, query
    assert response.json()["errorCode"] == "invalid_query_string"


# --- users-by-email -----------------------------------------------------------------------


@pytest.mark.django_db
def test_users_by_email(mgmt: Mgmt, people):
    found = mgmt.get("/users-by-email?email=ANN%40example.com")
    assert found.status_code == 200
    assert found.json() == [people["ann"]]
    assert mgmt.get("/users-by-email?email=none%40example.com").json() == []
    assert mgmt.get("/users-by-email?email=ann%40example.com&fields=email").json() == [
        {"email": "ann@example.com"}
    ]
    missing = mgmt.get("/users-by-email")
    assert missing.status_code == 400
    assert missing.json()["message"] == (
        "Query validation error: 'Missing required property: email' on property email."
    )
    assert mgmt.get("/users-by-email?email=a%00b").status_code == 400


# --- scopes and secrets -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "scope"),
    [
        ("GET", "/users", "read:users"),
        ("POST", "/users", "create:users"),
        ("GET", "/users/auth0%7C0123456789abcdef01234567", "read:users"),
        ("PATCH", "/users/auth0%7C0123456789abcdef01234567", "update:users"),
        ("DELETE", "/users/auth0%7C0123456789abcdef01234567", "delete:users"),
        ("GET", "/users-by-email?email=a%40b.c", "read:users"),
    ],
)
def test_each_endpoint_needs_its_scope(client, tenant, method, path, scope):
    from .conftest import ALL_SCOPES, management_token

    without = Mgmt(client, management_token(tenant, [s for s in ALL_SCOPES if s != scope]))
    body = {"connection": CONNECTION, "email": "a@example.com", "password": PASSWORD}
    response = without.call(method, path, body)
    assert response.status_code == 403
    assert response.json()["message"] == f"Insufficient scope, expected any of: {scope}"
    assert User.objects.count() == 0
    alone = Mgmt(client, management_token(tenant, [scope], name="Scoped")).call(method, path, body)
    assert alone.status_code not in (401, 403)
    assert Mgmt(client, None).call(method, path, body).status_code == 401


@pytest.mark.django_db
def test_no_password_reaches_a_log(mgmt: Mgmt, caplog):
    caplog.set_level(logging.DEBUG)
    user = new_user(mgmt)
    mgmt.patch(path_of(user), {"password": "Other-Secret-7", "connection": CONNECTION})
    mgmt.post("/users", {"connection": CONNECTION, "email": "b@example.com", "password": "weak"})
    hashed = User.objects.get().password
    for secret in (PASSWORD, "Other-Secret-7", hashed):
        assert secret not in caplog.text


# --- auth0-python ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_round_trip_with_the_auth0_python_sdk(live_server, tenant):
    from auth0.management import Auth0
    from auth0.management.errors import BadRequestError, ConflictError, NotFoundError

    from .conftest import ALL_SCOPES, management_token

    mgmt = Auth0(
        base_url=live_server.url + "/api/v2",
        token=management_token(tenant, ALL_SCOPES),
        max_retries=0,
    )
    created = mgmt.users.create(
        connection=CONNECTION,
        email="Chuck@Example.com",
        password=PASSWORD,
        username="chuck",
        user_metadata={"theme": "dark"},
    )
    assert created.user_id.startswith("auth0|")
    assert (created.email, created.username, created.nickname) == (
        "chuck@example.com",
        "chuck",
        "chuck",
    )
    assert created.identities[0].connection == CONNECTION
    fetched = mgmt.users.get(created.user_id)  # the SDK encodes | as %7C
    assert fetched.email == "chuck@example.com"
    updated = mgmt.users.update(
        created.user_id, user_metadata={"lang": "fr"}, app_metadata={"plan": "gold"}
    )
    assert updated.user_metadata == {"theme": "dark", "lang": "fr"}
    blocked = mgmt.users.update(created.user_id, blocked=True)
    assert blocked.blocked is True
    for n in range(3):
        mgmt.users.create(connection=CONNECTION, email=f"user{n}@example.org", password=PASSWORD)
    everyone = [user.email for user in mgmt.users.list(per_page=2)]  # pages until empty
    assert sorted(everyone) == sorted(
        ["chuck@example.com", "user0@example.org", "user1@example.org", "user2@example.org"]
    )
    found = list(mgmt.users.list(q='email:"user1@example.org"', search_engine="v3"))
    assert [user.email for user in found] == ["user1@example.org"]
    by_email = mgmt.users.list_users_by_email(email="CHUCK@example.com")
    assert [user.user_id for user in by_email] == [created.user_id]
    with pytest.raises(ConflictError) as conflict:
        mgmt.users.create(connection=CONNECTION, email="chuck@example.com", password=PASSWORD)
    assert conflict.value.body == EXISTS
    with pytest.raises(BadRequestError) as weak:
        mgmt.users.create(connection=CONNECTION, email="new@example.com", password="weak")
    assert weak.value.body["message"] == "PasswordStrengthError: Password is too weak"
    mgmt.users.delete(created.user_id)
    with pytest.raises(NotFoundError) as missing:
        mgmt.users.get(created.user_id)
    assert missing.value.body == NOT_FOUND

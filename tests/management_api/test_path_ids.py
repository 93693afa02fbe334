"""Path ids of the Management API: a well-formed id that does not exist is Auth0's 404
`inexistent_...` (DELETE: 204), whatever our own id format; only a string that cannot be any
id at all (empty, over the length bound, NUL) is a 400 invalid_uri, so the database is never
asked about it. AUTH0_COMPAT.md sections 1 and 3."""

from dataclasses import dataclass

import pytest

from apis.models import Api
from applications.models import Application, ClientGrant
from keys.models import SigningKey
from tests.management_api.conftest import Mgmt

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Resource:
    """One kind of path id: where it goes, and Auth0's 404 for it."""

    name: str
    base: str
    message: str
    error_code: str
    description: str
    max_length: int

    def not_found(self) -> dict[str, object]:
        return {
            "statusCode": 404,
            "error": "Not Found",
            "message": self.message,
            "errorCode": self.error_code,
        }


RESOURCE_SERVER = Resource(
    "id",
    "/resource-servers/",
    "The resource server does not exist",
    "inexistent_resource_server",
    "The id or the URL-encoded identifier of the resource server.",
    600,
)
CLIENT = Resource(
    "id",
    "/clients/",
    "The client does not exist",
    "inexistent_client",
    "ID of the client.",
    64,
)
GRANT = Resource(
    "id",
    "/client-grants/",
    "The grant does not exist.",
    "inexistent_client_grant",
    "ID of the client grant.",
    64,
)
SIGNING_KEY = Resource(
    "kid",
    "/keys/signing/",
    "Signing key not found",
    "inexistent_signing_key",
    "Key id of the key.",
    64,
)

# Ids in a format other than the one Gatehouse issues: Auth0's own formats with another
# shape or length, other servers' ids, and odd but storable text.
OTHER_FORMATS = {
    RESOURCE_SERVER: ["0" * 24, "rs_5f2b1c", "api.example.com", "x" * 600],
    CLIENT: [
        "aB3-dE_fG7hIjK9lMnO1pQr2StU4vWx5",  # 32 characters, base64url rather than alphanumeric
        "A" * 32,
        "short",
        "client.with.dots@example",
        "x" * 64,
    ],
    GRANT: [
        "cgr_" + "A" * 24,  # Auth0's prefix, another length
        "cgr_ab-cd_ef",
        "grant_0000000000000000",
        "0000000000000000",
        "x" * 64,
    ],
    SIGNING_KEY: [
        "tMQzailSAdaW4nojXxES9",  # a real Auth0 kid: 21 characters
        "A" * 43,
        "-starts-with-a-dash",
        "a.b~c%20d",
        "x" * 64,
    ],
}
WELL_FORMED = [(resource, ref) for resource, refs in OTHER_FORMATS.items() for ref in refs]


def table() -> dict[str, list[dict]]:
    """Every row of every table a path id can reach, to prove nothing was written."""
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Api, Application, ClientGrant, SigningKey)
    }


def _ids(value: object) -> str:
    return value.base.strip("/") if isinstance(value, Resource) else str(value)[:24]


@pytest.mark.parametrize(("resource", "ref"), WELL_FORMED, ids=_ids)
def test_get_of_a_well_formed_missing_id_is_404(mgmt: Mgmt, granted_client, resource, ref):
    response = mgmt.get(resource.base + ref)
    assert response.status_code == 404
    assert response.json() == resource.not_found()


WRITES = {
    RESOURCE_SERVER: [("PATCH", "", {"name": "Renamed"})],
    CLIENT: [("PATCH", "", {"name": "Renamed"}), ("POST", "/rotate-secret", None)],
    GRANT: [("PATCH", "", {"scope": []})],
    SIGNING_KEY: [("PUT", "/revoke", None)],
}
WELL_FORMED_WRITES = [
    (resource, method, suffix, body, ref)
    for resource, refs in OTHER_FORMATS.items()
    for method, suffix, body in WRITES[resource]
    for ref in refs
]


@pytest.mark.parametrize(
    ("resource", "method", "suffix", "body", "ref"), WELL_FORMED_WRITES, ids=_ids
)
def test_a_write_to_a_well_formed_missing_id_is_404_and_writes_nothing(
    mgmt: Mgmt, granted_client, resource, method, suffix, body, ref
):
    before = table()
    response = mgmt.call(method, resource.base + ref + suffix, body)
    assert response.status_code == 404
    assert response.json() == resource.not_found()
    assert table() == before


@pytest.mark.parametrize(
    ("resource", "ref"), [(r, ref) for r, ref in WELL_FORMED if r is not SIGNING_KEY], ids=_ids
)
def test_delete_of_a_well_formed_missing_id_is_204_and_deletes_nothing(
    mgmt: Mgmt, granted_client, resource, ref
):
    before = table()
    response = mgmt.delete(resource.base + ref)
    assert (response.status_code, response.content) == (204, b"")
    assert table() == before


NUL = "String contains characters that are not allowed (NUL or lone surrogates)"
METHODS = {
    RESOURCE_SERVER: ["GET", "PATCH", "DELETE"],
    CLIENT: ["GET", "PATCH", "DELETE", "POST /rotate-secret"],
    GRANT: ["GET", "PATCH", "DELETE"],
    SIGNING_KEY: ["GET", "PUT /revoke"],
}
UNUSABLE = [
    (resource, method, ref, detail)
    for resource in OTHER_FORMATS
    for method in METHODS[resource]
    for ref, detail in [
        (
            "x" * (resource.max_length + 1),
            f"String is too long ({resource.max_length + 1} chars), maximum {resource.max_length}",
        ),
        ("a%00b", NUL),
    ]
]


@pytest.mark.parametrize(("resource", "method", "ref", "detail"), UNUSABLE, ids=_ids)
def test_an_id_that_cannot_be_any_id_is_invalid_uri_and_writes_nothing(
    mgmt: Mgmt, granted_client, resource, method, ref, detail
):
    verb, _, suffix = method.partition(" ")
    before = table()
    response = mgmt.call(verb, resource.base + ref + suffix, {} if verb == "PATCH" else None)
    assert response.status_code == 400
    assert response.json() == {
        "statusCode": 400,
        "error": "Bad Request",
        "message": (
            f"Path validation error: '{detail}' on property {resource.name} "
            f"({resource.description})."
        ),
        "errorCode": "invalid_uri",
    }
    assert table() == before

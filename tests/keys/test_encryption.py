"""Encryption at rest: what a raw read of the database shows, and re-encryption under a new
key-encryption key (KEY_ENCRYPTION_KEYS, MultiFernet)."""

import io

import jwt
import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from apis import resource_servers
from apis.models import Api
from applications import oauth
from applications.models import Application
from keys import signing, vault
from keys.models import KeyState, SigningKey
from tests.conftest import private_key_strings


def raw_table(model) -> str:
    """Every column of every row, as the database returns it, in one string."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
        return "\n".join(repr(row) for row in cursor.fetchall())


def private_pems() -> list[str]:
    return [vault.decrypt(key.encrypted_private_key).decode() for key in SigningKey.objects.all()]


def test_raw_signing_key_rows_hold_no_private_key(tenant):
    raw = raw_table(SigningKey)
    pems = private_pems()

    # The plaintext exists (so the checks below could fail) and is not in the table.
    assert len(pems) == 2 and all("-----BEGIN PRIVATE KEY-----" in pem for pem in pems)
    for marker in private_key_strings(with_ciphertext=False):
        assert marker not in raw
    assert "BEGIN CERTIFICATE" in raw  # public material is stored as is


def test_raw_api_rows_hold_no_hs256_secret(hs256_api):
    raw = raw_table(Api)

    assert hs256_api.api.identifier in raw
    assert hs256_api.secret not in raw
    assert resource_servers.reveal_signing_secret(hs256_api.api) == hs256_api.secret


def test_raw_application_rows_hold_no_client_secret(m2m_client):
    raw = raw_table(Application)

    assert m2m_client.client_id in raw
    assert m2m_client.secret not in raw


@pytest.fixture
def restore_vault():
    yield
    vault.clear_cache()
    signing.forget_cached_keys()


def use_keys(*keys: str):
    vault.clear_cache()
    signing.forget_cached_keys()
    return override_settings(KEY_ENCRYPTION_KEYS=list(keys))


def test_reencrypt_under_a_new_key_then_drop_the_old_one(granted_client, hs256_api, restore_vault):
    old_key = settings.KEY_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    before_keys = raw_table(SigningKey)

    with use_keys(new_key):
        # Without the old key nothing opens: proof that the stored secrets need re-encryption.
        with pytest.raises(vault.UndecryptableSecret):
            resource_servers.reveal_signing_secret(hs256_api.api)

    with use_keys(new_key, old_key):
        call_command("reencrypt_secrets", stdout=io.StringIO())

    with use_keys(new_key):
        assert raw_table(SigningKey) != before_keys
        api = Api.objects.get(pk=hs256_api.api.pk)
        assert resource_servers.reveal_signing_secret(api) == hs256_api.secret
        token = oauth.issue_token(granted_client.client_id, "https://orders.example/api")
        assert signing.verify(token.access_token, audience="https://orders.example/api")
        # Every stored private key (next and previous ones too) opens under the new key alone.
        assert len(private_pems()) == SigningKey.objects.count()
        kid = jwt.get_unverified_header(token.access_token)["kid"]
        assert kid == SigningKey.objects.get(state=KeyState.CURRENT).kid


def test_reencrypt_refuses_when_a_secret_cannot_be_opened(hs256_api, restore_vault):
    before = raw_table(SigningKey), raw_table(Api)

    with use_keys(Fernet.generate_key().decode()), pytest.raises(CommandError, match="nothing"):
        call_command("reencrypt_secrets")

    assert (raw_table(SigningKey), raw_table(Api)) == before


def test_signing_fails_loudly_under_the_wrong_key(tenant, restore_vault):
    with use_keys(Fernet.generate_key().decode()), pytest.raises(vault.UndecryptableSecret):
        signing.sign_rs256({"iss": "x"})

"""The domain rules of an application's browser settings (applications/clients.py and
Application.clean): URL lists, HS256 and the readable secret, first party fixed, CORS
origins."""

import pytest
from django.core.exceptions import ValidationError

from applications import clients
from applications.models import Application
from keys import vault

pytestmark = pytest.mark.django_db


def web(**fields) -> tuple[Application, str]:
    return clients.create_application(name="Web", app_type="regular_web", **fields)


def stored(application: Application) -> Application:
    return Application.objects.get(pk=application.pk)


def test_url_lists_are_checked_and_nothing_is_written(tenant):
    with pytest.raises(ValidationError) as refused:
        web(callbacks=["https://ok.example.com/cb", "https://x.example.com/cb#frag"])
    assert refused.value.message_dict == {
        "callbacks": [
            'Allowed Callback URL "https://x.example.com/cb#frag" must not contain a fragment (#).'
        ]
    }
    with pytest.raises(ValidationError) as too_many:
        web(web_origins=[f"https://{n}.example.com" for n in range(101)])
    assert too_many.value.message_dict == {
        "web_origins": ["At most 100 Allowed Web Origins, not 101."]
    }
    with pytest.raises(ValidationError) as twice:
        web(allowed_logout_urls=["https://a.example.com/", "https://a.example.com/"])
    assert twice.value.message_dict == {
        "allowed_logout_urls": ['Allowed Logout URL "https://a.example.com/" is listed twice.']
    }
    assert not Application.objects.filter(name="Web").exists()


def test_hs256_keeps_the_secret_readable_only_while_it_signs(tenant):
    application, secret = web(id_token_alg="HS256")
    assert vault.decrypt(stored(application).encrypted_secret).decode() == secret

    renamed = clients.update_application(application, name="Renamed")
    assert renamed.encrypted_secret == stored(application).encrypted_secret != ""
    rotated = clients.rotate_client_secret(stored(application))
    assert vault.decrypt(stored(application).encrypted_secret).decode() == rotated

    clients.update_application(application, id_token_alg="RS256")
    assert stored(application).encrypted_secret == ""
    clients.rotate_client_secret(stored(application))
    assert stored(application).encrypted_secret == ""


def test_switching_to_hs256_needs_a_rotation_in_the_same_change(tenant):
    application, old_secret = web()
    with pytest.raises(ValidationError) as refused:
        clients.update_application(application, name="Renamed", id_token_alg="HS256")
    assert refused.value.message_dict == {"id_token_alg": [clients.HS256_NEEDS_A_READABLE_SECRET]}
    assert stored(application).name == "Web"

    switched, secret = clients.update_and_rotate_secret(application, id_token_alg="HS256")
    assert secret != old_secret
    assert vault.decrypt(stored(application).encrypted_secret).decode() == secret
    assert switched.id_token_alg == "HS256"


def test_a_failed_change_does_not_rotate(tenant):
    application, _ = web()
    before = Application.objects.values().get(pk=application.pk)
    with pytest.raises(ValidationError):
        clients.update_and_rotate_secret(
            application, id_token_alg="HS256", callbacks=["https://user@x.example.com/"]
        )
    assert Application.objects.values().get(pk=application.pk) == before


def test_public_clients_cannot_use_hs256(tenant):
    with pytest.raises(ValidationError) as refused:
        clients.create_application(name="SPA", app_type="spa", id_token_alg="HS256")
    assert list(refused.value.message_dict) == ["id_token_alg"]
    application, _ = web(id_token_alg="HS256")
    with pytest.raises(ValidationError):
        clients.update_application(
            application,
            app_type="spa",
            token_endpoint_auth_method="none",
            grant_types=["authorization_code"],
        )
    assert stored(application).app_type == "regular_web"


def test_is_first_party_is_fixed_at_creation(tenant):
    application, _ = web(is_first_party=False)
    assert stored(application).is_first_party is False
    with pytest.raises(TypeError):
        clients.update_application(application, is_first_party=True)


def test_cors_origins_are_allowed_origins_then_the_callbacks_origins(tenant):
    application, _ = web(
        callbacks=[
            "https://App.example.com/cb",
            "https://app.example.com/other",
            "com.example.app://callback",
            "http://127.0.0.1:8080/cb",
        ],
        allowed_origins=["https://admin.example.com"],
    )
    assert application.cors_origins == [
        "https://admin.example.com",
        "https://app.example.com",
        "http://127.0.0.1:8080",
    ]
    assert web()[0].cors_origins == []

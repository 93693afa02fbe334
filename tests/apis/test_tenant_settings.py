"""The tenant's settings (apis/tenant_settings.py): one row, the default audience an existing
API or none; reading writes nothing; deleting the default API clears the setting."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apis import resource_servers, tenant_settings
from apis.models import Api, TenantSettings

ORDERS = "https://orders.example/api"


def test_before_anything_is_set_there_is_no_default_and_no_row(db):
    settings = TenantSettings.objects.current()

    assert settings.default_audience is None
    assert settings.to_dict() == {"default_audience": ""}
    assert not TenantSettings.objects.exists()


def test_setting_the_default_audience_to_an_api(orders_api):
    updated = tenant_settings.update(default_audience=ORDERS)

    assert updated.to_dict() == {"default_audience": ORDERS}
    assert TenantSettings.objects.current().default_audience == orders_api
    assert TenantSettings.objects.count() == 1


def test_the_system_api_may_be_the_default(tenant):
    updated = tenant_settings.update(default_audience=tenant.identifier)

    assert updated.to_dict() == {"default_audience": tenant.identifier}


def test_an_empty_string_clears_it(orders_api):
    tenant_settings.update(default_audience=ORDERS)

    cleared = tenant_settings.update(default_audience="")

    assert cleared.to_dict() == {"default_audience": ""}
    assert TenantSettings.objects.count() == 1


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("https://nope.example/", 'No API has the identifier "https://nope.example/".'),
        # Identifiers match exactly: no trimming, no case folding, U+00A0 is no space.
        (ORDERS + " ", 'No API has the identifier "https://orders.example/api ".'),
        ("\u00a0" + ORDERS, 'No API has the identifier "\\u00a0https://orders.example/api".'),
        (ORDERS.upper(), 'No API has the identifier "HTTPS://ORDERS.EXAMPLE/API".'),
    ],
)
def test_an_identifier_no_api_has_is_refused_and_nothing_is_written(orders_api, value, message):
    with pytest.raises(ValidationError) as excinfo:
        tenant_settings.update(default_audience=value)

    assert excinfo.value.message_dict == {"default_audience": [message]}
    assert not TenantSettings.objects.exists()


def test_a_refusal_keeps_the_previous_default(orders_api):
    tenant_settings.update(default_audience=ORDERS)

    with pytest.raises(ValidationError):
        tenant_settings.update(default_audience="https://nope.example/")

    assert TenantSettings.objects.current().to_dict() == {"default_audience": ORDERS}


def test_deleting_the_default_api_clears_the_setting(orders_api):
    tenant_settings.update(default_audience=ORDERS)

    resource_servers.delete_api(orders_api)

    assert TenantSettings.objects.current().to_dict() == {"default_audience": ""}
    assert TenantSettings.objects.count() == 1


def test_deleting_the_default_api_any_other_way_clears_it_too(orders_api):
    # The admin and plain ORM deletes go around apis/resource_servers.py: the model says so.
    tenant_settings.update(default_audience=ORDERS)

    Api.objects.filter(pk=orders_api.pk).delete()

    assert TenantSettings.objects.current().default_audience is None


def test_deleting_another_api_leaves_the_default(orders_api, hs256_api):
    tenant_settings.update(default_audience=ORDERS)

    resource_servers.delete_api(hs256_api.api)

    assert TenantSettings.objects.current().to_dict() == {"default_audience": ORDERS}


def test_there_is_only_ever_one_row(db):
    TenantSettings.objects.create()

    with pytest.raises(IntegrityError), transaction.atomic():
        TenantSettings.objects.create(pk=2)

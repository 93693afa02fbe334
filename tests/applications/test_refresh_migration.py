"""Migration 0007 moves "when was this token spent" from the token (`used_at`, dropped) to the
family (`rotated_at`): a family that has rotated takes it from its newest token's `issued_at`,
the moment the newest token's parent was spent. Run forwards from 0006 on the test database."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("applications", "0006_refresh_token_settings")]
AFTER = [("applications", "0007_refresh_family_rotated_at")]

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def at_0006():
    apps = _migrate(BEFORE)
    yield apps
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_rotated_at_comes_from_the_newest_token(at_0006):
    user = at_0006.get_model("users", "User").objects.create(email="m@example.com", password="!")
    application = at_0006.get_model("applications", "Application").objects.create(
        name="Migrated", secret_digest="0" * 64
    )
    family_model = at_0006.get_model("applications", "RefreshTokenFamily")
    token_model = at_0006.get_model("applications", "RefreshToken")
    start = timezone.now() - dt.timedelta(hours=1)
    fresh, rotated = (
        family_model.objects.create(
            user=user,
            application=application,
            rotating=True,
            auth_time=start,
            created_at=start,
            generation=generation,
        )
        for generation in (1, 3)
    )
    token_model.objects.create(digest="a" * 64, family=fresh, generation=1, issued_at=start)
    for generation in (1, 2, 3):
        token_model.objects.create(
            digest=str(generation) * 64,
            family=rotated,
            generation=generation,
            issued_at=start + dt.timedelta(minutes=generation),
            used_at=start + dt.timedelta(minutes=generation + 1) if generation < 3 else None,
        )

    apps = _migrate(AFTER)

    families = apps.get_model("applications", "RefreshTokenFamily").objects
    assert families.get(pk=fresh.pk).rotated_at is None
    assert families.get(pk=rotated.pk).rotated_at == start + dt.timedelta(minutes=3)
    tokens = apps.get_model("applications", "RefreshToken")
    assert "used_at" not in {field.name for field in tokens._meta.get_fields()}

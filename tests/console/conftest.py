import pytest
from django.contrib.auth import get_user_model

HTMX = {"HX-Request": "true"}
HISTORY_RESTORE = {"HX-Request": "true", "HX-History-Restore-Request": "true"}


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user("ops", password="not-a-real-password", is_staff=True)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client

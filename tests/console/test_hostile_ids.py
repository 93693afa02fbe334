"""A console URL whose id holds a character no id can have (NUL, which PostgreSQL cannot even
be asked about) is a 404 like any unknown id, never a 500; found by walking the URL patterns."""

from django.urls import reverse

from .conftest import _console_patterns


def hostile_urls() -> list[str]:
    urls = []
    for name, converters in _console_patterns():
        if not converters:
            continue
        # <int:> ids cannot hold a NUL: the URL resolver already refuses one.
        values = {
            param: 1 if param in ("scope_id", "attempt_id") else "PLACEHOLDER"
            for param in converters
        }
        if "PLACEHOLDER" not in values.values():
            continue  # only <int:> ids: nothing to put a NUL in
        urls.append(reverse(name, kwargs=values).replace("PLACEHOLDER", "x%00y"))
    return urls


def test_every_console_url_with_a_nul_in_its_id_is_a_404(staff_client, orders_api):
    urls = hostile_urls()
    assert urls, "the walk finds console URLs with ids"
    for url in urls:
        for method in (staff_client.get, staff_client.post):
            response = method(url)
            assert response.status_code == 404, (method.__name__, url)

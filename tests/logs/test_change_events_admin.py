"""Changes made in the Django admin: one `sapi` event per saved form (inlines included) or
deleted object, made by the staff user through the admin; a form with errors records nothing."""

from html.parser import HTMLParser

from apis.models import Scope
from applications.models import ClientGrant
from users import directory


class FormFields(HTMLParser):
    """The values a browser would submit from the page's form (inputs, selects, textareas)."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.setdefault(name, []).append(a.get("value") or "")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.data.setdefault(self._select, []).append(a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea][-1] += data.removeprefix("\n")


def form_of(client, url: str) -> dict[str, list[str]]:
    parser = FormFields()
    parser.feed(client.get(url).content.decode())
    parser.data.pop("csrfmiddlewaretoken", None)
    return parser.data


def test_admin_api_form_with_a_new_inline_scope_is_one_event(admin_client, orders_api, new_events):
    url = f"/admin/apis/api/{orders_api.id}/change/"
    data = form_of(admin_client, url)
    data["name"] = ["Orders v2"]
    total = int(data["scopes-TOTAL_FORMS"][0])
    data["scopes-TOTAL_FORMS"] = [str(total + 1)]
    data[f"scopes-{total}-value"] = ["refund:orders"]
    data[f"scopes-{total}-description"] = [""]
    data[f"scopes-{total}-api"] = [orders_api.id]
    events = new_events()
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    event = events.one()
    assert (event.description, event.object_type, event.object_id) == (
        "Update a resource server",
        "resource_server",
        orders_api.id,
    )
    assert event.details["channel"] == "admin"
    assert event.details["actor"] == {"name": "support"}
    assert event.details["request"] == {"method": "POST", "path": url}
    changes = event.details["changes"]
    assert changes["name"] == {"before": "Orders", "after": "Orders v2"}
    assert {"value": "refund:orders"} in changes["scopes"]["after"]
    assert {"value": "refund:orders"} not in changes["scopes"]["before"]


def test_admin_form_with_errors_records_nothing(admin_client, orders_api, new_events):
    url = f"/admin/apis/api/{orders_api.id}/change/"
    data = {**form_of(admin_client, url), "name": [""], "token_lifetime": ["-5"]}
    events = new_events()
    assert admin_client.post(url, data).status_code == 200  # the form again, with errors
    assert events() == []


def test_admin_scope_delete_is_an_update_of_its_api(admin_client, orders_api, new_events):
    scope = Scope.objects.get(api=orders_api, value="write:orders")
    events = new_events()
    response = admin_client.post(f"/admin/apis/scope/{scope.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    event = events.one()
    assert (event.description, event.object_id) == ("Update a resource server", orders_api.id)
    assert event.details["changes"]["scopes"] == {
        "before": [
            {"value": "read:orders", "description": "Read orders"},
            {"value": "write:orders"},
        ],
        "after": [{"value": "read:orders", "description": "Read orders"}],
    }


def test_admin_client_grant_delete(admin_client, granted_client, orders_api, new_events):
    grant = ClientGrant.objects.get(application=granted_client.application)
    events = new_events()
    response = admin_client.post(
        f"/admin/applications/clientgrant/{grant.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert not ClientGrant.objects.exists()
    event = events.one()
    assert (event.description, event.object_type, event.object_id) == (
        "Delete a client grant",
        "client_grant",
        grant.pk,
    )
    assert event.details["channel"] == "admin"


def test_admin_block_action_is_one_event_per_user(admin_client, tenant, new_events):
    count = 2
    people = [
        directory.create_user(email=f"p{n}@example.com", password="Admin-Block-3")
        for n in range(count)
    ]
    events = new_events()
    response = admin_client.post(
        "/admin/users/user/", {"action": "block", "_selected_action": [p.pk for p in people]}
    )
    assert response.status_code == 302
    logged = events()
    assert [e.description for e in logged] == ["Block a user"] * count
    assert {e.user_id for e in logged} == {p.user_id for p in people}
    assert {e.details["channel"] for e in logged} == {"admin"}


def test_admin_tenant_settings_is_the_consoles_event(admin_client, orders_api, new_events):
    url = "/admin/apis/tenantsettings/1/change/"
    events = new_events()
    response = admin_client.post(url, {"default_audience": orders_api.pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    event = events.one()
    assert (event.description, event.object_type, event.object_id) == (
        "Update tenant settings",
        "tenant",
        "settings",
    )
    assert event.details["channel"] == "admin"
    assert event.details["changes"] == {
        "default_audience": {"before": "", "after": orders_api.identifier}
    }

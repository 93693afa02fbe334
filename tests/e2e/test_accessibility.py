"""Accessibility of every console page, as a screen reader user meets it: axe-core (pinned in
package.json, installed by `make install`) finds no serious or critical violation, and every
control has a role and a name unique within its group, so "Authorized" switches and "Revoke"
buttons say which application or key they act on."""

import re
from collections import Counter
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.utils import timezone

from apis import resource_servers
from apis.models import Api
from apis.resource_servers import ScopeSpec
from applications import clients, refresh_tokens, user_grants
from keys import signing
from logs.events import changes, record
from users import brute_force, directory, sessions

from .conftest import PASSWORD, log_in

pytestmark = pytest.mark.browser

PASSWORD_OF_USERS = "End-User-Pass-1"

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# Controls a user operates: each needs a name that tells it apart from its neighbours.
CONTROL_ROLES = ("button", "switch", "checkbox", "radio", "textbox", "combobox", "tab", "link")
# One line of Playwright's ARIA snapshot: `- role "name"` (YAML), indented by nesting.
SNAPSHOT_LINE = re.compile(r'^(?P<indent> *)- (?P<role>[a-z]+)(?: "(?P<name>(?:[^"\\]|\\.)*)")?')
# Containers whose name tells identical controls apart (a fieldset's legend, a dialog).
GROUP_ROLES = ("group", "dialog", "article", "region", "row", "form", "navigation", "tablist")


def axe_violations(page) -> list[dict]:
    """Serious and critical axe-core violations on the page as it is now."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make install` (npm ci installs axe-core)")
    page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)"
    )
    return [v for v in results if v["impact"] in ("serious", "critical")]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['impact']}: {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node['failureSummary'].strip()}")
    return "\n".join(lines)


def ambiguous_controls(page) -> list[str]:
    """Controls without a name, or with the same role and name as another in the same group."""
    seen: Counter = Counter()
    unnamed = []
    groups: list[tuple[int, str]] = []  # (indent, "role name") of the enclosing containers
    for line in page.locator("body").aria_snapshot().splitlines():
        match = SNAPSHOT_LINE.match(line)
        if not match:
            continue
        indent, role, name = len(match["indent"]), match["role"], match["name"]
        while groups and groups[-1][0] >= indent:
            groups.pop()
        if role in GROUP_ROLES and name:
            groups.append((indent, f"{role} {name}"))
        if role not in CONTROL_ROLES:
            continue
        # A screen reader lists buttons and switches without their surroundings (NVDA's
        # elements list, VoiceOver's rotor): their names must differ across the whole page.
        # A form field is announced with its group (a fieldset's legend), so within it.
        where = "" if role in ("button", "switch") else " > ".join(g for _, g in groups)
        if not name:
            unnamed.append(f"{role} without a name in {where or 'the page'}")
        elif role != "link":  # links with one text lead to one place; buttons act
            seen[(where, role, name)] += 1
    repeated = [
        f'{count} x {role} "{name}" in {where or "the page"}'
        for (where, role, name), count in seen.items()
        if count > 1
    ]
    return unnamed + repeated


@pytest.fixture
def tenant_in_use(console):
    """Every kind of thing the console shows: RS256 and HS256 APIs with scopes, several
    applications (one authorized), a previous signing key that can be revoked."""
    orders, _ = resource_servers.create_api(
        name="Orders",
        identifier="https://orders.example/api",
        scopes=[ScopeSpec("read:orders", "Read orders"), ScopeSpec("write:orders")],
    )
    ledger, _ = resource_servers.create_api(
        name="Ledger",
        identifier="https://ledger.example/",
        signing_alg="HS256",
        scopes=[ScopeSpec("read:ledger")],
    )
    billing, _ = clients.create_application(name="Billing worker")
    clients.create_application(name="Shipping worker")
    clients.authorize(billing, orders, ["read:orders"])
    clients.authorize(billing, ledger, ["read:ledger"])
    signing.rotate()
    system = Api.objects.get(is_system=True)
    ann = directory.create_user(
        email="ann@example.com", password=PASSWORD_OF_USERS, app_metadata={"plan": "gold"}
    )
    directory.create_user(email="bob@example.org", password=PASSWORD_OF_USERS, blocked=True)
    user_grants.record(ann, billing, orders.identifier, ["read:orders"])
    user_grants.record(ann, billing, ledger.identifier, ["read:ledger"])
    # A live session and refresh tokens, so the Sessions and Refresh tokens tabs show tables.
    session, _ = sessions.start(ann, ip="203.0.113.9", user_agent="Mozilla/5.0 (X11) Firefox/140")
    sessions.start(ann)
    orders.allow_offline_access = True
    orders.save()
    for _ in range(2):
        refresh_tokens.issue(
            application=billing,
            user=ann,
            audience=orders.identifier,
            scopes=["offline_access", "read:orders"],
            session_id=session.pk,
            auth_time=timezone.now(),
            code_digest="",
            now=timezone.now(),
        )
    change = record(
        "sapi",
        description="Update a client",
        client_id=billing.client_id,
        client_name="Billing worker",
        object_type="client",
        object_id=billing.client_id,
        details={"changes": changes({"name": "Billing"}, {"name": "Billing worker"})},
    )
    return {
        "orders": orders,
        "ledger": ledger,
        "system": system,
        "billing": billing,
        "ann": ann,
        "change": change,
    }


def console_pages(things) -> list[str]:
    """Every page config/console_urls.py routes (GET), with data on it."""
    pages = ["/apis/", "/apis/new/", "/applications/", "/applications/new/", "/signing-keys/"]
    for api in (things["orders"], things["ledger"], things["system"]):
        for tab in ("quickstart", "settings", "scopes", "applications", "test", "logs"):
            pages.append(f"/apis/{api.id}/{tab}/")
    client_id = things["billing"].client_id
    for tab in ("settings", "apis", "advanced", "advanced/certificates", "logs"):
        pages.append(f"/applications/{client_id}/{tab}/")
    pages += ["/users/", "/users/new/", "/users/?q=blocked%3Atrue", "/users/?q=bad%3Ax"]
    for tab in ("details", "applications", "sessions", "refresh-tokens", "logs"):
        pages.append(f"/users/{things['ann'].id}/{tab}/")
    pages += ["/logs/", f"/logs/{things['change'].log_id}/", "/logs/?q=bad%3Ax&date_from=x"]
    pages.append("/attack-protection/")
    pages.append("/apis/no-such-api/settings/")  # the 404 page
    return pages


def test_login_page_is_accessible(browser, console):
    context = browser.new_context(base_url=console)
    page = context.new_page()
    page.goto(console + "/login/")
    problems = describe(axe_violations(page)) + "\n".join(ambiguous_controls(page))
    page.get_by_role("button", name="Log in").click()  # empty: the error state
    problems += describe(axe_violations(page)) + "\n".join(ambiguous_controls(page))
    # A signed-in user who is not staff gets the 403 page.
    get_user_model().objects.create_user("visitor", password=PASSWORD)
    page.get_by_label("Username").fill("visitor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Not allowed").wait_for()
    problems += describe(axe_violations(page)) + "\n".join(ambiguous_controls(page))
    context.close()
    assert not problems, problems


def test_every_console_page_is_accessible(browser, console, tenant_in_use):
    context = browser.new_context(base_url=console)
    page = context.new_page()
    log_in(page, console, "/apis/")
    report = []
    for path in console_pages(tenant_in_use):
        page.goto(console + path)
        problems = describe(axe_violations(page))
        ambiguous = ambiguous_controls(page)
        if problems or ambiguous:
            report.append(f"== {path}\n{problems}\n" + "\n".join(ambiguous))
    # Pages that only exist after an action: a form with errors, a secret shown once, an
    # open confirmation.
    page.goto(console + "/apis/new/")
    page.get_by_role("button", name="Create").click()
    page.locator("#id_identifier_error").wait_for()
    if violations := axe_violations(page):
        report.append(f"== the create API form with errors\n{describe(violations)}")
    page.goto(console + "/applications/new/")
    page.get_by_label("Name").fill("Forklift")
    page.get_by_role("button", name="Create").click()
    page.get_by_role("heading", name="Copy the client secret now").wait_for()
    if violations := axe_violations(page):
        report.append(f"== the client secret page\n{describe(violations)}")
    page.goto(console + "/signing-keys/")
    page.get_by_role("button", name="Rotate signing key").click()
    page.get_by_role("button", name="Yes, rotate the key").wait_for()
    if violations := axe_violations(page):
        report.append(f"== the rotate confirmation\n{describe(violations)}")
    page.goto(console + "/users/new/")
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_role("button", name="Create").click()
    page.locator("#id_email_error").wait_for()
    if violations := axe_violations(page):
        report.append(f"== the create user form with errors\n{describe(violations)}")
    page.goto(console + f"/users/{tenant_in_use['ann'].id}/details/")
    page.get_by_role("button", name="Block user").click()
    page.get_by_role("button", name="Yes, block ann@example.com").wait_for()
    if violations := axe_violations(page):
        report.append(f"== the block confirmation\n{describe(violations)}")
    # Staff lockouts and an end user's brute-force blocks, listed with their buttons.
    for username, address in (("ops", "192.0.2.1"), ("lead", "192.0.2.2")):
        AccessAttempt.objects.create(
            username=username,
            ip_address=address,
            user_agent="ua",
            http_accept="*/*",
            path_info="/login/",
            failures_since_start=5,
        )
    for address in ("203.0.113.7", "198.51.100.4"):
        attempt = brute_force.guard("ann@example.com", address)
        for _ in range(attempt.max_attempts):
            brute_force.record_failure(attempt, timezone.now())
    for path in ("/attack-protection/", f"/users/{tenant_in_use['ann'].id}/details/"):
        page.goto(console + path)
        problems = describe(axe_violations(page))
        ambiguous = ambiguous_controls(page)
        if problems or ambiguous:
            report.append(
                f"== {path} with lockouts and blocks\n{problems}\n" + "\n".join(ambiguous)
            )
    context.close()
    assert not report, "\n".join(report)


def test_authorize_switches_name_their_application(browser, console, tenant_in_use):
    from playwright.sync_api import expect

    context = browser.new_context(base_url=console)
    page = context.new_page()
    log_in(page, console, f"/apis/{tenant_in_use['orders'].id}/applications/")
    billing = page.get_by_role("switch", name="Authorized: Billing worker", exact=True)
    shipping = page.get_by_role("switch", name="Authorized: Shipping worker", exact=True)
    expect(billing).to_have_attribute("aria-checked", "true")
    expect(shipping).to_have_attribute("aria-checked", "false")
    shipping.click()
    expect(
        page.get_by_role("switch", name="Authorized: Shipping worker", exact=True)
    ).to_have_attribute("aria-checked", "true")
    context.close()


def test_destructive_actions_are_buttons_that_ask_first(browser, console, tenant_in_use):
    """Rotate and Revoke are announced as buttons, open a confirmation, and Cancel closes it
    without acting. (test_navigation.py drives the same confirmations without JavaScript.)"""
    from playwright.sync_api import expect

    context = browser.new_context(base_url=console)
    page = context.new_page()
    log_in(page, console, "/signing-keys/")
    rotate = page.get_by_role("button", name="Rotate signing key", exact=True)
    rotate.click()
    confirm = page.get_by_role("dialog", name="Rotate signing key?")
    expect(confirm).to_be_visible()
    confirm.get_by_role("button", name="Cancel").click()
    expect(confirm).to_be_hidden()
    expect(page.locator("tr[data-state=current]")).to_have_count(1)  # Cancel rotated nothing
    previous_kid = page.locator("tr[data-state=previous] code.kid").inner_text()
    revoke = page.get_by_role("button", name=f"Revoke key {previous_kid}", exact=True)
    revoke.click()
    page.get_by_role("dialog", name=f"Revoke key {previous_kid}?").get_by_role(
        "button", name="Yes, revoke"
    ).click()
    expect(page.get_by_text("revoked. It left the JWKS")).to_be_visible()
    context.close()


def test_session_and_refresh_token_revocations_ask_first(browser, console, tenant_in_use):
    """The Sessions and Refresh tokens tabs: each Revoke opens a named confirmation (checked
    by axe while open); Cancel acts on nothing; Yes revokes and the row is gone."""
    from playwright.sync_api import expect

    ann = tenant_in_use["ann"]
    context = browser.new_context(base_url=console)
    page = context.new_page()
    report = []
    log_in(page, console, f"/users/{ann.id}/refresh-tokens/")
    page.get_by_role("button", name="Revoke all refresh tokens", exact=True).click()
    confirm = page.get_by_role("dialog", name="Revoke all refresh tokens of ann@example.com?")
    expect(confirm).to_be_visible()
    if violations := axe_violations(page):
        report.append(f"== revoke all refresh tokens\n{describe(violations)}")
    confirm.get_by_role("button", name="Cancel").click()
    expect(confirm).to_be_hidden()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    rows.first.get_by_role("button").first.click()
    page.get_by_role("dialog").filter(has_text="can no longer refresh").first.get_by_role(
        "button", name="Yes, revoke"
    ).click()
    expect(page.get_by_text("Revoked the refresh token of Billing worker")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(1)
    page.get_by_role("tab", name="Sessions").click()
    expect(page.locator("tbody tr")).to_have_count(2)
    page.get_by_role("button", name="Revoke all sessions", exact=True).click()
    if violations := axe_violations(page):
        report.append(f"== revoke all sessions\n{describe(violations)}")
    page.get_by_role("dialog", name="Revoke all sessions of ann@example.com?").get_by_role(
        "button", name="Yes, revoke all"
    ).click()
    expect(page.get_by_text("has no live session")).to_be_visible()
    context.close()
    assert not report, "\n".join(report)

"""Console pages for applications: list, create, and the application page's Settings, APIs
and Advanced tabs; the grant form shared with the API page's Machine to Machine tab.

Writes go through applications/clients.py. A client secret is shown exactly once: the POST
that creates or rotates it stores it, encrypted, in the session and redirects; the next GET
of the application's settings pops it. It never travels in a URL.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from apis.models import Api, Scope
from applications import clients
from applications.forms import (
    ApplicationCreateForm,
    ApplicationSettingsForm,
    GrantForm,
    GrantTypesForm,
)
from applications.grant_cards import grant_rows
from applications.models import (
    REFRESH_TOKEN_COLUMNS,
    SERVED_GRANT_TYPES,
    Application,
    ClientGrant,
)
from config.console import (
    add_domain_errors,
    local_path,
    paginate,
    render_tab,
    search_term,
    staff_required,
)
from keys import vault
from keys.models import SigningKey
from logs import history

ONE_TIME_SECRET = "gatehouse.one_time_client_secret"


def _stash_secret(request: HttpRequest, application: Application, secret: str) -> None:
    # Encrypted, so the database-backed session never holds the plaintext secret.
    request.session[ONE_TIME_SECRET] = {
        "client_id": application.client_id,
        "secret": vault.encrypt(secret.encode()),
    }


def _pop_secret(request: HttpRequest, application: Application) -> str | None:
    stash = request.session.get(ONE_TIME_SECRET)
    if not stash or stash.get("client_id") != application.client_id:
        return None
    del request.session[ONE_TIME_SECRET]
    return vault.decrypt(stash["secret"]).decode()


def _render_app_tab(
    request: HttpRequest, application: Application, tab: str, panel: str, **context: object
) -> HttpResponse:
    return render_tab(
        request,
        "applications/partials/page.html",
        {"application": application, "tab": tab, "panel": panel, **context},
        title=application.name,
        secret=context.get("one_time_secret") is not None,
    )


@staff_required
@require_safe
def application_list(request: HttpRequest) -> HttpResponse:
    query = search_term(request)
    applications = Application.objects.only("client_id", "name", "app_type", "description")
    if query:
        applications = applications.filter(Q(name__icontains=query) | Q(client_id__icontains=query))
    return render_tab(
        request,
        "applications/partials/list.html",
        {"page": paginate(request, applications), "query": query},
        title="Applications",
    )


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def application_create(request: HttpRequest) -> HttpResponse:
    form = ApplicationCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        is_first_party = not fields.pop("third_party")
        try:
            application, secret = clients.create_application(
                **fields, is_first_party=is_first_party
            )
        except ValidationError as error:
            add_domain_errors(form, error)
        else:
            _stash_secret(request, application, secret)
            messages.success(request, f"Application {application.name} created.")
            return redirect("applications:settings", application.client_id)
    return render_tab(
        request,
        "applications/partials/create.html",
        {"form": form},
        title="Create Application",
    )


@staff_required
@require_safe
def application_detail(request: HttpRequest, client_id: str) -> HttpResponse:
    application = get_object_or_404(Application, client_id=client_id)
    return redirect("applications:settings", application.client_id)


def _settings_initial(application: Application) -> dict[str, object]:
    return {
        "name": application.name,
        "description": application.description,
        "app_type": application.app_type,
        "token_endpoint_auth_method": application.token_endpoint_auth_method,
        "callbacks": application.callbacks,
        "allowed_logout_urls": application.allowed_logout_urls,
        "web_origins": application.web_origins,
        "allowed_origins": application.allowed_origins,
        "allow_loopback_any_port": application.allow_loopback_any_port,
        "id_token_alg": application.id_token_alg,
        "id_token_lifetime": application.id_token_lifetime,
        **{column: getattr(application, column) for column in REFRESH_TOKEN_COLUMNS.values()},
    }


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def application_settings(request: HttpRequest, client_id: str) -> HttpResponse:
    application = get_object_or_404(Application, client_id=client_id)
    one_time_secret = None
    if request.method == "POST":
        form = ApplicationSettingsForm(request.POST)
        if form.is_valid():
            changes = dict(form.cleaned_data)
            rotate = changes.pop("rotate_secret")
            try:
                if rotate:
                    _, secret = clients.update_and_rotate_secret(application, **changes)
                    _stash_secret(request, application, secret)
                else:
                    clients.update_application(application, **changes)
            except ValidationError as error:
                add_domain_errors(form, error)
            else:
                messages.success(
                    request,
                    "Settings saved. The client secret was rotated: the previous secret no "
                    "longer works."
                    if rotate
                    else "Settings saved.",
                )
                return redirect("applications:settings", application.client_id)
    else:
        form = ApplicationSettingsForm(initial=_settings_initial(application))
        one_time_secret = _pop_secret(request, application)
    return _render_app_tab(
        request,
        application,
        "settings",
        "applications/tabs/settings.html",
        form=form,
        one_time_secret=one_time_secret,
        token_url=settings.TOKEN_ENDPOINT,
    )


@staff_required
@require_POST
def application_rotate_secret(request: HttpRequest, client_id: str) -> HttpResponse:
    application = get_object_or_404(Application, client_id=client_id)
    _stash_secret(request, application, clients.rotate_client_secret(application))
    messages.success(request, "Client secret rotated. The previous secret no longer works.")
    return redirect("applications:settings", application.client_id)


@staff_required
@require_POST
def application_delete(request: HttpRequest, client_id: str) -> HttpResponse:
    application = get_object_or_404(Application, client_id=client_id)
    clients.delete_application(application)
    messages.success(request, f"Application {application.name} deleted.")
    return redirect("applications:list")


@staff_required
@require_safe
def application_apis(request: HttpRequest, client_id: str) -> HttpResponse:
    application = get_object_or_404(Application, client_id=client_id)
    # The APIs it is authorized for first, so they are on page one even among thousands.
    apis = (
        Api.objects.only("id", "name", "identifier", "is_system")
        .annotate(
            authorized=Exists(
                ClientGrant.objects.filter(api=OuterRef("pk"), application=application)
            )
        )
        .order_by("-authorized", "-is_system", "name", "id")
    )
    page = paginate(request, apis)
    return _render_app_tab(
        request,
        application,
        "apis",
        "applications/tabs/apis.html",
        page=page,
        rows=grant_rows([application], list(page.object_list)),
    )


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def application_grant_types(request: HttpRequest, client_id: str) -> HttpResponse:
    application = get_object_or_404(Application, client_id=client_id)
    # Grant types Gatehouse does not serve (implicit, password, ...): kept as they are.
    unserved = [v for v in application.grant_type_list if v not in SERVED_GRANT_TYPES]
    form = GrantTypesForm(
        request.POST if request.method == "POST" else None,
        initial={value: value in application.grant_type_list for value in SERVED_GRANT_TYPES},
    )
    if request.method == "POST" and form.is_valid():
        wanted = unserved + [value for value in SERVED_GRANT_TYPES if form.cleaned_data[value]]
        try:
            clients.update_application(application, grant_types=wanted)
        except ValidationError as error:
            add_domain_errors(form, error, aliases={"grant_types": "client_credentials"})
        else:
            messages.success(request, "Grant types saved.")
            return redirect("applications:grant_types", application.client_id)
    return _render_app_tab(
        request,
        application,
        "advanced",
        "applications/tabs/grant_types.html",
        form=form,
        subtab="grant_types",
        unserved=unserved,
    )


@staff_required
@require_safe
def application_certificates(request: HttpRequest, client_id: str) -> HttpResponse:
    application = get_object_or_404(Application, client_id=client_id)
    return _render_app_tab(
        request,
        application,
        "advanced",
        "applications/tabs/certificates.html",
        subtab="certificates",
        key=SigningKey.objects.current(),
        jwks_url=settings.JWKS_URI,
    )


@staff_required
@require_POST
def grant_update(request: HttpRequest, client_id: str, api_id: str) -> HttpResponse:
    """Authorize, re-scope or de-authorize one application for one API (both tabs post here)."""
    application = get_object_or_404(Application, client_id=client_id)
    api = get_object_or_404(Api, pk=api_id)
    scope_values = list(Scope.objects.filter(api=api).values_list("value", flat=True))
    form = GrantForm(request.POST, scope_values=scope_values)
    next_url = local_path(request, request.POST.get("next", "")) or reverse(
        "applications:apis", args=[application.client_id]
    )
    if not form.is_valid():
        messages.error(request, "Those scopes are not scopes of this API; nothing was changed.")
    elif form.cleaned_data["authorized"]:
        grant = clients.authorize(application, api, form.cleaned_data["scopes"])
        granted = " ".join(grant.scopes.values_list("value", flat=True)) or "no scopes"
        messages.success(
            request, f"{application.name} is authorized for {api.name} with {granted}."
        )
    else:
        existing = ClientGrant.objects.filter(application=application, api=api).first()
        if existing is not None:
            clients.delete_grant(existing)
        messages.success(request, f"{application.name} is no longer authorized for {api.name}.")
    return HttpResponseRedirect(next_url)


@staff_required
@require_safe
def application_logs(request: HttpRequest, client_id: str) -> HttpResponse:
    """The application's recent log events: its tokens and sign-ins, changes to it and to its
    grants."""
    application = get_object_or_404(Application, client_id=client_id)
    context = history.recent_tab("application", client=application.client_id)
    return _render_app_tab(request, application, "logs", "logs/includes/recent.html", **context)

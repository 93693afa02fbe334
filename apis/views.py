"""Console pages for APIs: list, create, and the API page's Quick Start, Settings and Scopes
tabs. The Machine to Machine Applications and Test tabs belong to the applications app.

Every view has the same shape: fetch, bind a form, call apis/resource_servers.py, then render
(the full page, or the tab alone for htmx; config/console.py decides) or redirect.
"""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from apis import resource_servers, snippets
from apis.forms import ApiCreateForm, ApiSettingsForm, DeleteApiForm, ScopeForm
from apis.models import Api, Scope, SigningAlg, TokenDialect
from apis.tabs import render_api_tab
from config.console import (
    add_domain_errors,
    paginate,
    render_tab,
    search_term,
    staff_required,
)
from logs import history


def _urls() -> dict[str, Any]:
    return {
        "issuer": settings.ISSUER,
        "jwks_url": settings.JWKS_URI,
        "token_url": settings.TOKEN_ENDPOINT,
    }


@staff_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return redirect("apis:list")


@staff_required
@require_safe
def api_list(request: HttpRequest) -> HttpResponse:
    query = search_term(request)
    apis = Api.objects.only("id", "name", "identifier", "signing_alg", "is_system")
    if query:
        apis = apis.filter(Q(name__icontains=query) | Q(identifier__icontains=query))
    page = paginate(request, apis)
    return render_tab(
        request, "apis/partials/list.html", {"page": page, "query": query}, title="APIs"
    )


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def api_create(request: HttpRequest) -> HttpResponse:
    form = ApiCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            api, _ = resource_servers.create_api(**form.cleaned_data)
        except ValidationError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, f"API {api.name} created.")
            return redirect("apis:quickstart", api.id)
    return render_tab(request, "apis/partials/create.html", {"form": form}, title="Create API")


@staff_required
@require_safe
def api_detail(request: HttpRequest, api_id: str) -> HttpResponse:
    api = get_object_or_404(Api, pk=api_id)
    return redirect("apis:quickstart", api.id)


@staff_required
@require_safe
def api_quickstart(request: HttpRequest, api_id: str) -> HttpResponse:
    api = get_object_or_404(Api, pk=api_id)
    urls = _urls()
    return render_api_tab(
        request,
        api,
        "quickstart",
        "apis/tabs/quickstart.html",
        snippets=snippets.validation_snippets(api, **urls),
        **urls,
    )


def _settings_initial(api: Api) -> dict[str, object]:
    initial = {field: getattr(api, field) for field in ApiSettingsForm.base_fields}
    # Never set means access_token, which is what the tokens carry.
    initial["token_dialect"] = api.token_dialect or TokenDialect.ACCESS_TOKEN
    return initial


def _settings_tab(
    request: HttpRequest,
    api: Api,
    form: ApiSettingsForm | None = None,
    delete_form: DeleteApiForm | None = None,
    revealed_secret: str | None = None,
) -> HttpResponse:
    return render_api_tab(
        request,
        api,
        "settings",
        "apis/tabs/settings.html",
        secret=revealed_secret is not None,
        form=form or ApiSettingsForm(initial=_settings_initial(api)),
        delete_form=delete_form or DeleteApiForm(api_name=api.name),
        revealed_secret=revealed_secret,
        is_hs256=api.signing_alg == SigningAlg.HS256,
    )


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def api_settings(request: HttpRequest, api_id: str) -> HttpResponse:
    api = get_object_or_404(Api, pk=api_id)
    if request.method != "POST":
        return _settings_tab(request, api)
    form = ApiSettingsForm(request.POST)
    if form.is_valid():
        try:
            api = resource_servers.update_api(api, **form.cleaned_data)
        except ValidationError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, "Settings saved.")
            return redirect("apis:settings", api.id)
    return _settings_tab(request, api, form=form)


@staff_required
@require_POST
def api_secret_reveal(request: HttpRequest, api_id: str) -> HttpResponse:
    # A POST, so the secret is never in a page that a GET, a prefetch or a cache produced.
    api = get_object_or_404(Api, pk=api_id, signing_alg=SigningAlg.HS256)
    return _settings_tab(request, api, revealed_secret=resource_servers.reveal_signing_secret(api))


@staff_required
@require_POST
def api_secret_rotate(request: HttpRequest, api_id: str) -> HttpResponse:
    api = get_object_or_404(Api, pk=api_id, signing_alg=SigningAlg.HS256)
    resource_servers.rotate_signing_secret(api)
    messages.success(
        request,
        "Signing secret rotated. Tokens signed with the old secret no longer verify; "
        "reveal the new secret to copy it.",
    )
    return redirect("apis:settings", api.id)


@staff_required
@require_POST
def api_delete(request: HttpRequest, api_id: str) -> HttpResponse:
    api = get_object_or_404(Api, pk=api_id)
    delete_form = DeleteApiForm(request.POST, api_name=api.name)
    if not delete_form.is_valid():
        return _settings_tab(request, api, delete_form=delete_form)
    try:
        resource_servers.delete_api(api)
    except resource_servers.SystemApiProtected as error:
        messages.error(request, str(error))
        return redirect("apis:settings", api.id)
    messages.success(request, f"API {api.name} deleted, with its application authorizations.")
    return redirect("apis:list")


def _scopes_tab(request: HttpRequest, api: Api, form: ScopeForm | None = None) -> HttpResponse:
    # The grant count tells the delete confirmation how many applications lose the scope.
    scopes = (
        Scope.objects.filter(api=api)
        .annotate(grant_count=Count("client_grants"))
        .order_by("value")  # Meta.ordering does not apply to GROUP BY queries
    )
    return render_api_tab(
        request,
        api,
        "scopes",
        "apis/tabs/scopes.html",
        scopes=scopes,
        form=form or ScopeForm(),
    )


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def api_scopes(request: HttpRequest, api_id: str) -> HttpResponse:
    api = get_object_or_404(Api, pk=api_id)
    if request.method != "POST":
        return _scopes_tab(request, api)
    form = ScopeForm(request.POST)
    if form.is_valid():
        try:
            scope = resource_servers.add_scope(api, **form.cleaned_data)
        except resource_servers.SystemApiProtected as error:
            messages.error(request, str(error))
            return redirect("apis:scopes", api.id)
        except ValidationError as error:
            add_domain_errors(form, error, aliases={"scopes": "value"})
        else:
            messages.success(request, f"Scope {scope.value} added.")
            return redirect("apis:scopes", api.id)
    return _scopes_tab(request, api, form=form)


@staff_required
@require_POST
def scope_delete(request: HttpRequest, api_id: str, scope_id: int) -> HttpResponse:
    scope = get_object_or_404(Scope.objects.select_related("api"), pk=scope_id, api_id=api_id)
    try:
        resource_servers.delete_scope(scope)
    except resource_servers.SystemApiProtected as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Scope {scope.value} deleted.")
    return redirect(reverse("apis:scopes", args=[api_id]))


@staff_required
@require_safe
def api_logs(request: HttpRequest, api_id: str) -> HttpResponse:
    """The API's recent log events: tokens for it, changes to it and to its grants."""
    api = get_object_or_404(Api, pk=api_id)
    context = history.recent_tab("API", audience=api.identifier)
    return render_api_tab(request, api, "logs", "logs/includes/recent.html", **context)

"""Console views for two tabs of the API page: Machine to Machine Applications and Test.

They show applications, so they live here and not in the apis app (dependencies point one
way: keys <- apis <- applications). They render inside the API page's frame, apis/tabs.py.
"""

import json
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from apis import snippets
from apis.models import Api
from apis.tabs import render_api_tab
from applications import oauth
from applications.forms import TestTokenForm
from applications.grant_cards import grant_rows
from applications.models import Application, ClientGrant
from config.console import paginate, search_term, staff_required
from keys import signing

# The Test tab's picker lists at most this many authorized applications.
TEST_PICKER_LIMIT = 500


@staff_required
@require_safe
def api_applications(request: HttpRequest, api_id: str) -> HttpResponse:
    api = get_object_or_404(Api, pk=api_id)
    query = search_term(request)
    # Authorized applications first, so they are on page one even among thousands.
    applications = (
        Application.objects.with_client_credentials()
        .only("client_id", "name", "app_type", "grant_types")
        .annotate(
            authorized=Exists(ClientGrant.objects.filter(api=api, application=OuterRef("pk")))
        )
        .order_by("-authorized", "name", "client_id")
    )
    if query:
        applications = applications.filter(name__icontains=query)
    page = paginate(request, applications)
    return render_api_tab(
        request,
        api,
        "applications",
        "applications/tabs/api_applications.html",
        page=page,
        query=query,
        rows=grant_rows(list(page.object_list), [api]),
    )


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def api_test(request: HttpRequest, api_id: str) -> HttpResponse:
    api = get_object_or_404(Api, pk=api_id)
    grants = (
        ClientGrant.objects.filter(api=api)
        .select_related("application")
        .order_by("application__name")[:TEST_PICKER_LIMIT]
    )
    choices = [(grant.application.client_id, grant.application.name) for grant in grants]
    data = request.POST if request.method == "POST" else request.GET
    form = TestTokenForm(data if "client" in data else None, choices=choices)
    context: dict[str, Any] = {"form": form, "has_grants": bool(choices)}
    token_url = settings.TOKEN_ENDPOINT
    if form.is_bound and form.is_valid():
        client_id = form.cleaned_data["client"]
        context["request_snippets"] = snippets.token_request_snippets(
            token_url=token_url, client_id=client_id, audience=api.identifier
        )
        # "Show request" posts too, so the form's CSRF token never ends up in a URL.
        if request.method == "POST" and request.POST.get("action") != "show":
            # Minting is not a write: the same request yields a new token, so no redirect.
            try:
                result = oauth.issue_token(client_id, api.identifier)
            except oauth.OAuthError as error:
                context["mint_error"] = json.dumps(error.to_dict(), indent=2)
            else:
                context["response_json"] = json.dumps(result.to_dict(), indent=2)
                context["access_token"] = result.access_token
                # Only HS256 APIs have a secret (the api_hs256_has_secret constraint).
                context["inspection"] = signing.inspect_token(
                    result.access_token,
                    audience=api.identifier,
                    hs256_encrypted_secret=api.encrypted_signing_secret or None,
                )
                context["now"] = timezone.now()
    elif not form.is_bound and choices:
        form.initial = {"client": choices[0][0]}
        context["request_snippets"] = snippets.token_request_snippets(
            token_url=token_url, client_id=choices[0][0], audience=api.identifier
        )
    return render_api_tab(
        request,
        api,
        "test",
        "applications/tabs/api_test.html",
        secret="access_token" in context,
        **context,
    )

"""The console's Settings page: the tenant's settings (today the default audience).

Same shape as every console view: fetch, bind a form, call apis/tenant_settings.py, then
render (the full page, or the page's main region alone for htmx) or redirect.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from apis import tenant_settings
from apis.forms import TenantSettingsForm
from apis.models import Api, TenantSettings
from config.console import add_domain_errors, render_tab, staff_required

# The identifiers offered as suggestions; any other can still be typed.
SUGGESTED_APIS = 200


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    current = TenantSettings.objects.current()
    form = TenantSettingsForm(
        request.POST if request.method == "POST" else None, initial=current.to_dict()
    )
    if request.method == "POST" and form.is_valid():
        try:
            tenant_settings.update(**form.cleaned_data)
        except ValidationError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, "Settings saved.")
            return redirect("apis:tenant_settings")
    suggestions = Api.objects.order_by("name", "id").values_list("identifier", "name")
    return render_tab(
        request,
        "apis/partials/tenant_settings.html",
        {"form": form, "suggestions": suggestions[:SUGGESTED_APIS], "section": "settings"},
        title="Settings",
    )

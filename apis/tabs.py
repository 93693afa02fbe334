"""The API page's frame: its header and tab strip around one open tab.

Every tab of the API page renders through `render_api_tab`, whichever app serves it: apis
serves Quick Start, Settings and Scopes (apis/views.py), applications serves Machine to
Machine Applications and Test (applications/api_page_views.py), because those list
applications and dependencies point one way (keys <- apis <- applications).
"""

from django.http import HttpRequest, HttpResponse

from apis.models import Api
from config.console import render_tab


def render_api_tab(
    request: HttpRequest, api: Api, tab: str, panel: str, *, secret: bool = False, **context: object
) -> HttpResponse:
    """The API page with the tab `tab` open and `panel` as its content (or only the page's
    main region for htmx: config/console.py decides)."""
    return render_tab(
        request,
        "apis/partials/page.html",
        {"api": api, "tab": tab, "panel": panel, "section": "apis", **context},
        title=api.name,
        secret=secret,
    )

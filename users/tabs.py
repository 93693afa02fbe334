"""The user page's frame: its header and tab strip around one open tab.

Every tab of the user page renders through `render_user_tab`, whichever app serves it: users
serves Details (users/views.py), applications serves Authorized applications
(applications/user_page_views.py), because grants belong to applications and dependencies
point one way (keys <- users <- applications).
"""

from django.http import HttpRequest, HttpResponse

from config.console import render_tab
from users.models import User


def render_user_tab(
    request: HttpRequest, end_user: User, tab: str, panel: str, **context: object
) -> HttpResponse:
    """The user page with the tab `tab` open and `panel` as its content (or only the page's
    main region for htmx: config/console.py decides). The template calls the user
    `end_user`: `user` is the signed-in staff member."""
    return render_tab(
        request,
        "users/partials/page.html",
        {"end_user": end_user, "tab": tab, "panel": panel, "section": "users", **context},
        title=end_user.email,
    )

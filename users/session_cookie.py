"""The end-user session cookie: HTTP glue between a request and users/sessions.py.

Its own cookie (not Django's `sessionid`), so the console's staff session and an end user's
session never stand in for each other. HttpOnly, Secure outside DEBUG, SameSite=Lax: the
browser sends it on the top-level navigation to /authorize that a client starts.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from users import sessions
from users.models import Session

COOKIE_NAME = "gatehouse_user_session"


def current(request: HttpRequest) -> Session | None:
    """The signed-in end user's live session for this request, or None."""
    return sessions.find(request.COOKIES.get(COOKIE_NAME, ""))


def attach(response: HttpResponse, secret: str, session: Session) -> None:
    """Sets the cookie for a session that users/sessions.start() just made."""
    response.set_cookie(
        COOKIE_NAME,
        secret,
        max_age=int((session.expires_at - session.created_at).total_seconds()),
        path="/",
        secure=settings.USER_SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def end(request: HttpRequest, response: HttpResponse) -> None:
    """Ends the request's session, if any, and tells the browser to drop the cookie."""
    sessions.end(request.COOKIES.get(COOKIE_NAME, ""))
    response.delete_cookie(COOKIE_NAME, path="/", samesite="Lax")

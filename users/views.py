"""Console pages for end users: the list (search, paging), create, and the user page's
Details tab with block, unblock and delete. The Authorized applications tab is served by
applications/user_page_views.py (users/tabs.py says why).

Writes go through users/directory.py. No page shows a password or its hash: templates get
the fields they show, and the create form never renders the password back.
"""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from config.console import add_domain_errors, paginate, render_tab, search_term, staff_required
from logs import history
from users import brute_force, directory, passwords
from users.forms import UserCreateForm
from users.models import User
from users.tabs import render_user_tab


@staff_required
@require_safe
def user_list(request: HttpRequest) -> HttpResponse:
    """Plain text filters email, username and name; text with a colon is an Auth0 query
    (`email:"a@b.c" AND blocked:true`), as in the Management API."""
    query = search_term(request)
    query_error = ""
    users = User.objects.only("id", "email", "username", "name", "blocked", "last_login")
    if ":" in query:
        try:
            users = users.filter(pk__in=directory.search(query).values("pk"))
        except directory.InvalidQuery as error:
            query_error, users = str(error), users.none()
    elif query:
        users = users.filter(
            Q(email__icontains=query) | Q(username__icontains=query) | Q(name__icontains=query)
        )
    return render_tab(
        request,
        "users/partials/list.html",
        {"page": paginate(request, users), "query": query, "query_error": query_error},
        title="Users",
    )


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        fields = form.cleaned_data
        try:
            end_user = directory.create_user(
                email=fields["email"],
                password=fields["password"],
                username=fields["username"] or None,
                name=fields["name"],
            )
        except directory.UserExists:
            form.add_error("email", "A user with this email or username already exists.")
        except passwords.PasswordTooWeak as error:
            form.add_error("password", str(error))
        except ValidationError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, f"User {end_user.email} created.")
            return redirect("users:details", end_user.id)
    return render_tab(request, "users/partials/create.html", {"form": form}, title="Create User")


@staff_required
@require_safe
def user_detail(request: HttpRequest, user_id: str) -> HttpResponse:
    end_user = get_object_or_404(User, pk=user_id)
    return redirect("users:details", end_user.id)


@staff_required
@require_safe
def user_details(request: HttpRequest, user_id: str) -> HttpResponse:
    end_user = get_object_or_404(User, pk=user_id)
    return render_user_tab(
        request,
        end_user,
        "details",
        "users/tabs/details.html",
        sessions=end_user.sessions.count(),
        brute_force_blocks=brute_force.blocks([end_user.email], timezone.now()),
        app_metadata_json=json.dumps(end_user.app_metadata, indent=2, ensure_ascii=False),
        user_metadata_json=json.dumps(end_user.user_metadata, indent=2, ensure_ascii=False),
    )


@staff_required
@require_POST
def user_block(request: HttpRequest, user_id: str) -> HttpResponse:
    """Blocks the user and ends their sessions; idempotent."""
    end_user = get_object_or_404(User, pk=user_id)
    directory.update_user(end_user, blocked=True)
    messages.success(request, f"{end_user.email} is blocked and signed out everywhere.")
    return redirect("users:details", end_user.id)


@staff_required
@require_POST
def user_unblock(request: HttpRequest, user_id: str) -> HttpResponse:
    end_user = get_object_or_404(User, pk=user_id)
    directory.update_user(end_user, blocked=False)
    messages.success(request, f"{end_user.email} can sign in again.")
    return redirect("users:details", end_user.id)


@staff_required
@require_POST
def user_delete(request: HttpRequest, user_id: str) -> HttpResponse:
    end_user = get_object_or_404(User, pk=user_id)
    directory.delete_user(end_user)
    messages.success(request, f"User {end_user.email} deleted.")
    return redirect("users:list")


@staff_required
@require_safe
def user_logs(request: HttpRequest, user_id: str) -> HttpResponse:
    """The user's recent log events: sign-ins, tokens, changes to the user."""
    end_user = get_object_or_404(User, pk=user_id)
    context = history.recent_tab("user", user=end_user.user_id)
    return render_user_tab(request, end_user, "logs", "logs/includes/recent.html", **context)

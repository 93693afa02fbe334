from django.urls import path

import config.console  # noqa: F401  (registers the <id:> converter)
from users import attack_protection_views, session_views, views

app_name = "users"

urlpatterns = [
    path("users/", views.user_list, name="list"),
    path("users/new/", views.user_create, name="create"),
    path("users/<id:user_id>/", views.user_detail, name="detail"),
    path("users/<id:user_id>/details/", views.user_details, name="details"),
    path("users/<id:user_id>/block/", views.user_block, name="block"),
    path("users/<id:user_id>/unblock/", views.user_unblock, name="unblock"),
    path("users/<id:user_id>/delete/", views.user_delete, name="delete"),
    path("users/<id:user_id>/logs/", views.user_logs, name="logs"),
    path(
        "users/<id:user_id>/brute-force-unblock/",
        attack_protection_views.user_brute_force_unblock,
        name="brute_force_unblock",
    ),
    path("attack-protection/", attack_protection_views.attack_protection, name="attack_protection"),
    path(
        "attack-protection/staff-lockouts/<int:attempt_id>/clear/",
        attack_protection_views.staff_lockout_clear,
        name="staff_lockout_clear",
    ),
    path(
        "attack-protection/staff-lockouts/clear-all/",
        attack_protection_views.staff_lockouts_clear_all,
        name="staff_lockouts_clear_all",
    ),
    path("users/<id:user_id>/sessions/", session_views.user_sessions, name="sessions"),
    path(
        "users/<id:user_id>/sessions/revoke-all/",
        session_views.user_sessions_revoke_all,
        name="sessions_revoke_all",
    ),
    path(
        "users/<id:user_id>/sessions/<id:session_id>/revoke/",
        session_views.user_session_revoke,
        name="session_revoke",
    ),
]

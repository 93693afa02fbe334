"""Users' grants (consent): what a user let an application do at an audience
(AUTH0_USER_FLOWS.md sections 2.3 and 2.5)."""

from collections.abc import Sequence

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from apis.models import Api
from applications import refresh_tokens
from applications.models import Application, OpaqueAccessToken, UserGrant
from logs import audit
from users.models import User


def _given_to_an_earlier_api(grant: UserGrant, api: Api | None) -> bool:
    return api is not None and api.created_since(grant.created_at)


def find(
    user: User, application: Application, audience: str, api: Api | None = None
) -> UserGrant | None:
    """The user's grant to `application` at `audience` (an API identifier or the tenant's
    userinfo audience), or None; also None when the grant is older than `api` (the API at
    `audience`, when there is one): it was given to a deleted API of the same identifier."""
    grant = UserGrant.objects.filter(user=user, application=application, audience=audience).first()
    if grant is not None and _given_to_an_earlier_api(grant, api):
        return None
    return grant


def covers(grant: UserGrant | None, scopes: Sequence[str]) -> bool:
    """Whether a stored grant already includes every requested scope (Auth0: "if you alter
    the scope, the user is asked to consent again")."""
    return grant is not None and set(scopes) <= set(grant.scopes)


def record(
    user: User,
    application: Application,
    audience: str,
    scopes: Sequence[str],
    api: Api | None = None,
) -> UserGrant:
    """Creates the grant, or widens it to the union of its scopes and `scopes` (ordered as
    first granted, then new ones). A grant older than `api` (see `find`) is replaced, as if
    new. Safe against two consents racing: the unique constraint decides, and the loser
    updates the winner's row."""
    for _ in range(2):
        try:
            with transaction.atomic():
                grant = (
                    UserGrant.objects.select_for_update()
                    .filter(user=user, application=application, audience=audience)
                    .first()
                )
                if grant is None:
                    return UserGrant.objects.create(
                        user=user,
                        application=application,
                        audience=audience,
                        scopes=list(dict.fromkeys(scopes)),
                    )
                if _given_to_an_earlier_api(grant, api):
                    grant.scopes = list(dict.fromkeys(scopes))
                    grant.created_at = timezone.now()
                    grant.save(update_fields=["scopes", "created_at", "updated_at"])
                    return grant
                union = list(dict.fromkeys([*grant.scopes, *scopes]))
                if union != grant.scopes:
                    grant.scopes = union
                    grant.save(update_fields=["scopes", "updated_at"])
                return grant
        except IntegrityError:
            continue
    raise RuntimeError("could not record the grant")  # pragma: no cover


def for_user(user: User) -> list[UserGrant]:
    """The user's grants, oldest first, with their applications loaded."""
    return list(UserGrant.objects.filter(user=user).select_related("application"))


def revoke(grant: UserGrant) -> None:
    """Deletes the grant and every revocable token issued under it: the refresh-token
    families of the same user, application and audience (AUTH0_USER_FLOWS.md section 4.4)
    and, for the userinfo audience, the /userinfo tokens of that user and application. JWT
    access tokens cannot be recalled; they expire. Logged as one `sapi` event."""
    with transaction.atomic():
        # Logged first: a deleted row has no id any more.
        _logged("Delete a grant", "grant", grant.id, grant.user.user_id, [grant])
        _revoke(grant)


def _revoke(grant: UserGrant) -> None:
    with transaction.atomic():
        if grant.audience == settings.USERINFO_AUDIENCE:
            OpaqueAccessToken.objects.filter(
                user_id=grant.user_id, application_id=grant.application_id
            ).delete()
        refresh_tokens.revoke_for_grant(
            grant.user_id,
            grant.application_id,
            grant.audience,
            refresh_tokens.GRANT_REVOKED,
            timezone.now(),
        )
        grant.delete()


def revoke_all(user: User) -> int:
    """Revokes every grant of `user`; returns how many there were."""
    with transaction.atomic():
        grants = list(UserGrant.objects.select_for_update().filter(user=user))
        _logged("Delete a user's grants", "user", user.user_id, user.user_id, grants)
        for grant in grants:
            _revoke(grant)
    return len(grants)


def _logged(
    description: str, object_type: str, object_id: str, user_id: str, grants: list[UserGrant]
) -> None:
    audit.changed(
        description,
        object_type=object_type,
        object_id=object_id,
        user_id=user_id,
        details={
            "grants": [
                {"id": g.id, "clientID": g.application.client_id, "audience": g.audience}
                for g in grants
            ]
        },
    )

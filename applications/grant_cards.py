"""What a grant card shows: one application, one API, the API's scopes and the granted ones.

The application page's APIs tab shows one application with a page of APIs; the API page's
Machine to Machine tab shows one API with a page of applications. Both build their cards
here, with plain queries and no request.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from apis.models import Api, Scope
from applications.models import Application, ClientGrant


@dataclass
class GrantRow:
    """One application-and-API pair as a grant card shows it."""

    application: Application
    api: Api
    scope_values: list[str]
    grant: ClientGrant | None
    granted: set[str]

    @property
    def card_id(self) -> str:
        return f"grant-{self.application.client_id}-{self.api.id}"


def grant_rows(applications: Sequence[Application], apis: Sequence[Api]) -> list[GrantRow]:
    """A card for every (application, API) pair, in the order given.

    One side is a single object and the other a page, so the cards follow the page. Three
    queries (scopes, grants, their scopes) whatever the page size.
    """
    scopes: dict[str, list[str]] = {api.id: [] for api in apis}
    for api_id, value in Scope.objects.filter(api__in=apis).values_list("api_id", "value"):
        scopes[api_id].append(value)
    grants = {
        (grant.application_id, grant.api_id): grant
        for grant in ClientGrant.objects.filter(
            application__in=applications, api__in=apis
        ).prefetch_related("scopes")
    }
    rows = []
    for application in applications:
        for api in apis:
            grant = grants.get((application.pk, api.id))
            granted = {scope.value for scope in grant.scopes.all()} if grant else set()
            rows.append(GrantRow(application, api, scopes[api.id], grant, granted))
    return rows

from django.conf import settings
from django.http import HttpRequest


def tenant(request: HttpRequest) -> dict[str, str]:
    return {"tenant_issuer": settings.ISSUER, "public_url": settings.PUBLIC_URL}

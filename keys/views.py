"""The console's Signing Keys page: the keys, their timeline, rotate, revoke, certificates.

Thin views over keys/signing.py. (keys/endpoints.py serves the public JWKS and discovery.)
"""

import ssl

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from config.console import render_tab, staff_required
from keys import signing, timeline
from keys.models import SigningKey

# The timeline draws the most recent keys; the table lists them all.
TIMELINE_KEYS = 12


@staff_required
@require_safe
def signing_keys(request: HttpRequest) -> HttpResponse:
    keys = list(
        SigningKey.objects.defer(
            "encrypted_private_key", "pkcs7_pem", "x5c", "public_jwk"
        ).in_lifecycle_order()
    )
    recent = sorted(keys, key=lambda key: key.created_at, reverse=True)[:TIMELINE_KEYS]
    return render_tab(
        request,
        "keys/partials/signing_keys.html",
        {
            "keys": keys,
            "revocable_kids": {key.kid for key in keys if signing.revocable(key)},
            "timeline": timeline.build(recent, timezone.now()),
            "jwks_url": settings.JWKS_URI,
        },
        title="Signing Keys",
    )


@staff_required
@require_POST
def rotate_key(request: HttpRequest) -> HttpResponse:
    try:
        key = signing.rotate()
    except signing.NoSigningKey as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"Rotated. New tokens are signed with {key.kid}; tokens signed with the previous "
            "key keep verifying until you revoke it.",
        )
    return redirect("signing_keys")


@staff_required
@require_POST
def revoke_key(request: HttpRequest, kid: str) -> HttpResponse:
    key = get_object_or_404(SigningKey.objects.only("kid"), kid=kid)
    try:
        signing.revoke(key.kid)  # decides: a previous key only
    except signing.KeyStateError as error:
        messages.error(request, str(error).capitalize() + ".")
    else:
        messages.success(
            request,
            f"Key {key.kid} revoked. It left the JWKS; tokens it signed no longer verify.",
        )
    return redirect("signing_keys")


def _download(body: bytes | str, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@staff_required
@require_safe
def certificate_pem(request: HttpRequest, kid: str) -> HttpResponse:
    key = get_object_or_404(SigningKey.objects.only("kid", "cert_pem"), kid=kid)
    return _download(
        key.cert_pem, f"{settings.TENANT_HOST}-{kid[:8]}.pem", "application/x-pem-file"
    )


@staff_required
@require_safe
def certificate_cer(request: HttpRequest, kid: str) -> HttpResponse:
    """The same certificate DER-encoded, the form Windows tools expect in a .cer file."""
    key = get_object_or_404(SigningKey.objects.only("kid", "cert_pem"), kid=kid)
    der = ssl.PEM_cert_to_DER_cert(key.cert_pem.replace("\r\n", "\n"))
    return _download(der, f"{settings.TENANT_HOST}-{kid[:8]}.cer", "application/pkix-cert")

"""Pure key cryptography: RSA key pairs, certificates, JWKs and thumbprints.

No Django and no database here; `keys/signing.py` persists what this module makes.
"""

import base64
import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID

RSA_KEY_SIZE = 2048
RSA_PUBLIC_EXPONENT = 65537
# Auth0's tenant certificates are valid for about 13.7 years; 5000 days matches that.
CERTIFICATE_VALIDITY = dt.timedelta(days=5000)


def b64url(data: bytes) -> str:
    """Unpadded base64url (RFC 7515 section 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _int_to_b64url(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


@dataclass(frozen=True)
class KeyMaterial:
    """Everything stored for one signing key. `private_pem` must be encrypted before storage."""

    kid: str
    private_pem: bytes
    public_jwk: dict[str, str]
    cert_pem: str
    pkcs7_pem: str
    thumbprint: str
    fingerprint: str
    x5t: str
    x5c: str


def public_jwk(public_key: rsa.RSAPublicKey) -> dict[str, str]:
    """The RSA public JWK with only the members RFC 7638 hashes (never d, p, q, ...)."""
    numbers = public_key.public_numbers()
    return {"e": _int_to_b64url(numbers.e), "kty": "RSA", "n": _int_to_b64url(numbers.n)}


def jwk_thumbprint(jwk: dict[str, str]) -> str:
    """RFC 7638 thumbprint: SHA-256 of the required members, sorted, without whitespace."""
    canonical = json.dumps(
        {"e": jwk["e"], "kty": jwk["kty"], "n": jwk["n"]}, separators=(",", ":"), sort_keys=True
    )
    return b64url(hashlib.sha256(canonical.encode("ascii")).digest())


def _crlf_pem(pem: bytes) -> str:
    # Auth0 serves certificates with \r\n line breaks; SDKs accept either, we match theirs.
    return pem.decode("ascii").strip().replace("\n", "\r\n")


def self_signed_certificate(
    private_key: rsa.RSAPrivateKey, common_name: str, now: dt.datetime
) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + CERTIFICATE_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(private_key, hashes.SHA256())
    )


def generate_private_key() -> rsa.RSAPrivateKey:
    """A new RSA-2048 private key: the slow step (about 46 ms), kept apart from the rest."""
    return rsa.generate_private_key(public_exponent=RSA_PUBLIC_EXPONENT, key_size=RSA_KEY_SIZE)


def key_material(private_key: rsa.RSAPrivateKey, common_name: str, now: dt.datetime) -> KeyMaterial:
    """Everything stored for `private_key`: its self-signed certificate, public JWK and kid."""
    certificate = self_signed_certificate(private_key, common_name, now)
    der = certificate.public_bytes(serialization.Encoding.DER)
    sha1 = hashlib.sha1(der).digest()  # noqa: S324 - x5t and the thumbprint are SHA-1 by definition
    jwk = public_jwk(private_key.public_key())
    return KeyMaterial(
        kid=jwk_thumbprint(jwk),
        private_pem=private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        public_jwk=jwk,
        cert_pem=_crlf_pem(certificate.public_bytes(serialization.Encoding.PEM)),
        pkcs7_pem=_crlf_pem(
            pkcs7.serialize_certificates([certificate], serialization.Encoding.PEM)
        ),
        thumbprint=sha1.hex().upper(),
        fingerprint=":".join(f"{byte:02X}" for byte in sha1),
        x5t=b64url(sha1),
        x5c=base64.b64encode(der).decode("ascii"),
    )


def load_private_key(pem: bytes) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("signing keys must be RSA")
    return key


def load_public_key(jwk: dict[str, str]) -> rsa.RSAPublicKey:
    def to_int(value: str) -> int:
        return int.from_bytes(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)), "big")

    return rsa.RSAPublicNumbers(to_int(jwk["e"]), to_int(jwk["n"])).public_key()

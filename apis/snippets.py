"""Code a developer copies from the console: validating an API's tokens (Quick Start) and
requesting one (Test tab). Values are quoted for each language, never pasted raw, so an
identifier with quotes or spaces still yields a working snippet."""

import json
import shlex
from dataclasses import dataclass

from apis.models import Api, SigningAlg

SECRET_PLACEHOLDER = "YOUR_CLIENT_SECRET"


@dataclass(frozen=True)
class Snippet:
    key: str
    label: str
    language: str
    code: str


def _py(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid Python and JavaScript string literal


def _python_validation(api: Api, issuer: str, jwks_url: str) -> str:
    if api.signing_alg == SigningAlg.HS256:
        return f'''# pip install pyjwt
import os

import jwt

ISSUER = {_py(issuer)}
AUDIENCE = {_py(api.identifier)}
# The API's signing secret (Settings tab), kept out of the code.
SECRET = os.environ["API_SIGNING_SECRET"]


def verify(token: str) -> dict:
    """The claims of a valid token for this API; raises jwt.InvalidTokenError otherwise."""
    return jwt.decode(token, SECRET, algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER)
'''
    return f'''# pip install "pyjwt[crypto]"
import jwt

JWKS_URL = {_py(jwks_url)}
ISSUER = {_py(issuer)}
AUDIENCE = {_py(api.identifier)}

# Caches the tenant's public keys; a token with an unknown kid triggers one refetch.
jwks_client = jwt.PyJWKClient(JWKS_URL)


def verify(token: str) -> dict:
    """The claims of a valid token for this API; raises jwt.InvalidTokenError otherwise."""
    signing_key = jwks_client.get_signing_key_from_jwt(token)
    return jwt.decode(
        token,
        signing_key.key,
        algorithms=["RS256"],  # pinned: never trust the token's own alg header
        audience=AUDIENCE,
        issuer=ISSUER,
    )
'''


def _node_validation(api: Api, issuer: str, jwks_url: str) -> str:
    if api.signing_alg == SigningAlg.HS256:
        key_line = "const key = new TextEncoder().encode(process.env.API_SIGNING_SECRET);"
        alg = "HS256"
    else:
        key_line = f"const key = createRemoteJWKSet(new URL({_py(jwks_url)}));"
        alg = "RS256"
    return f"""// npm install jose
import {{ createRemoteJWKSet, jwtVerify }} from "jose";

{key_line}

export async function verify(token) {{
  const {{ payload }} = await jwtVerify(token, key, {{
    issuer: {_py(issuer)},
    audience: {_py(api.identifier)},
    algorithms: ["{alg}"],
  }});
  return payload;
}}
"""


def _curl_validation(api: Api, jwks_url: str, token_url: str) -> str:
    return f"""# 1. Get a token for this API (any authorized Machine to Machine application)
curl --request POST --url {shlex.quote(token_url)} \\
  --header 'content-type: application/x-www-form-urlencoded' \\
  --data grant_type=client_credentials \\
  --data client_id=YOUR_CLIENT_ID \\
  --data client_secret={SECRET_PLACEHOLDER} \\
  --data-urlencode {shlex.quote("audience=" + api.identifier)}

# 2. The public keys that verify it (RS256 APIs)
curl {shlex.quote(jwks_url)}
"""


def validation_snippets(api: Api, *, issuer: str, jwks_url: str, token_url: str) -> list[Snippet]:
    return [
        Snippet("python", "Python", "python", _python_validation(api, issuer, jwks_url)),
        Snippet("node", "Node.js", "javascript", _node_validation(api, issuer, jwks_url)),
        Snippet("curl", "curl", "shell", _curl_validation(api, jwks_url, token_url)),
    ]


def token_request_snippets(*, token_url: str, client_id: str, audience: str) -> list[Snippet]:
    """The client-credentials request for one application; the secret stays a placeholder
    because the console never shows it again."""
    curl = f"""curl --request POST --url {shlex.quote(token_url)} \\
  --header 'content-type: application/x-www-form-urlencoded' \\
  --data grant_type=client_credentials \\
  --data-urlencode {shlex.quote("client_id=" + client_id)} \\
  --data client_secret={SECRET_PLACEHOLDER} \\
  --data-urlencode {shlex.quote("audience=" + audience)}
"""
    python = f"""# pip install requests
import requests

response = requests.post(
    {_py(token_url)},
    data={{
        "grant_type": "client_credentials",
        "client_id": {_py(client_id)},
        "client_secret": "{SECRET_PLACEHOLDER}",
        "audience": {_py(audience)},
    }},
    timeout=10,
)
response.raise_for_status()
access_token = response.json()["access_token"]
"""
    node = f"""const response = await fetch({_py(token_url)}, {{
  method: "POST",
  headers: {{ "content-type": "application/x-www-form-urlencoded" }},
  body: new URLSearchParams({{
    grant_type: "client_credentials",
    client_id: {_py(client_id)},
    client_secret: "{SECRET_PLACEHOLDER}",
    audience: {_py(audience)},
  }}),
}});
const {{ access_token }} = await response.json();
"""
    return [
        Snippet("curl", "curl", "shell", curl),
        Snippet("python", "Python", "python", python),
        Snippet("node", "Node.js", "javascript", node),
    ]

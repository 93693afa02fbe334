"""A sample regular web application and a small API, each a plain HTTP server in a thread,
for the issue's "Done when" walk-through (test_walkthrough.py). They know Gatehouse only by
its public URLs: the application redirects to /authorize, exchanges the code at
/oauth/token, verifies the ID token against the JWKS; the API verifies the access token the
same way and checks its scope. Nothing of Gatehouse's code is imported here."""

import base64
import hashlib
import html
import json
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import requests

TIMEOUT = 20


def _verify(issuer_url: str, token: str, audience: str) -> dict:
    jwks = jwt.PyJWKClient(issuer_url + ".well-known/jwks.json", cache_jwk_set=False)
    return jwt.decode(
        token,
        jwks.get_signing_key_from_jwt(token).key,
        algorithms=["RS256"],
        audience=audience,
        issuer=issuer_url,
        options={"require": ["iss", "sub", "aud", "exp", "iat"]},
    )


class _Server:
    def __init__(self, handler: type[BaseHTTPRequestHandler], hostname: str = "127.0.0.1") -> None:
        # Listens on IPv4 loopback; `hostname` is the name its URL uses (localhost or the IP).
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.owner = self  # type: ignore[attr-defined]
        self.url = f"http://{hostname}:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # quiet test output

    @property
    def owner(self):
        return self.server.owner  # type: ignore[attr-defined]

    def send(self, status: int, body: str, content_type: str, headers: dict | None = None):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def page(self, status: int, title: str, body: str) -> None:
        document = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title></head>"
            f"<body><main><h1>{html.escape(title)}</h1>{body}</main></body></html>"
        )
        self.send(status, document, "text/html; charset=utf-8")


class _ApiHandler(_Handler):
    def do_GET(self) -> None:  # noqa: N802
        api: StockApi = self.owner
        scheme, _, token = (self.headers.get("Authorization") or "").partition(" ")
        if urlsplit(self.path).path != "/stock":
            self.send(404, "{}", "application/json")
            return
        try:
            if scheme.lower() != "bearer" or not token:
                raise jwt.InvalidTokenError("no bearer token")
            claims = _verify(api.issuer_url, token, api.audience)
        except jwt.PyJWTError as error:
            api.refusals.append(str(error))
            self.send(
                401,
                json.dumps({"error": "invalid_token"}),
                "application/json",
                {"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
            return
        if "read:stock" not in claims.get("scope", "").split(" "):
            self.send(
                403,
                json.dumps({"error": "insufficient_scope"}),
                "application/json",
                {"WWW-Authenticate": 'Bearer error="insufficient_scope", scope="read:stock"'},
            )
            return
        body = {"for": claims["sub"], "items": [{"sku": "ENG-1", "count": 2}]}
        self.send(200, json.dumps(body), "application/json")


class StockApi(_Server):
    """An API with identifier `audience` that accepts Gatehouse's RS256 access tokens."""

    def __init__(self, issuer_url: str, audience: str) -> None:
        self.issuer_url = issuer_url
        self.audience = audience
        self.refusals: list[str] = []
        super().__init__(_ApiHandler)


@dataclass
class SignIn:
    """What the sample application saw for one sign-in."""

    id_token_claims: dict = field(default_factory=dict)
    token_response: dict = field(default_factory=dict)
    api_status: int = 0
    api_body: dict = field(default_factory=dict)
    id_token_at_api_status: int = 0


class _AppHandler(_Handler):
    def do_GET(self) -> None:  # noqa: N802
        app: SampleApp = self.owner
        url = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        if url.path == "/":
            self.page(200, "Stock app", '<p><a href="/login">Log in</a></p>')
        elif url.path == "/login":
            self.send(302, "", "text/plain", {"Location": app.start()})
        elif url.path == "/callback":
            try:
                sign_in = app.finish(query)
            except SampleAppError as error:
                self.page(400, "Sign-in failed", f'<p id="error">{html.escape(str(error))}</p>')
                return
            claims = sign_in.id_token_claims
            self.page(
                200,
                "Stock app",
                f'<p id="who">Signed in as {html.escape(claims.get("name", ""))} '
                f"({html.escape(claims['sub'])})</p>"
                f'<pre id="api">{html.escape(json.dumps(sign_in.api_body))}</pre>',
            )
        else:
            self.page(404, "Not found", "")


class SampleAppError(Exception):
    pass


class SampleApp(_Server):
    """A regular web application: code flow with PKCE, nonce and state, the secret sent
    in the body (client_secret_post), the ID token verified, the API called."""

    def __init__(
        self,
        issuer_url: str,
        client_id: str,
        client_secret: str,
        audience: str,
        api_url: str,
        scope: str = "openid profile email read:stock",
    ) -> None:
        self.issuer_url = issuer_url
        self.client_id = client_id
        self.client_secret = client_secret
        self.audience = audience
        self.api_url = api_url
        self.scope = scope
        self.pending: dict[str, tuple[str, str]] = {}  # state -> (nonce, code verifier)
        self.sign_ins: list[SignIn] = []
        super().__init__(_AppHandler)
        self.redirect_uri = self.url + "/callback"

    def start(self) -> str:
        state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        self.pending[state] = (nonce, verifier)
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": self.scope,
            "audience": self.audience,
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge.rstrip(b"=").decode(),
            "code_challenge_method": "S256",
        }
        return f"{self.issuer_url}authorize?{urlencode(query)}"

    def finish(self, query: dict[str, str]) -> SignIn:
        if query.get("state") not in self.pending:
            raise SampleAppError(f"unknown state: {query}")
        nonce, verifier = self.pending.pop(query["state"])
        if "error" in query:
            raise SampleAppError(f"{query['error']}: {query.get('error_description')}")
        response = requests.post(
            self.issuer_url + "oauth/token",
            data={
                "grant_type": "authorization_code",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "code": query["code"],
                "redirect_uri": self.redirect_uri,
                "code_verifier": verifier,
            },
            timeout=TIMEOUT,
        )
        if response.status_code != 200:
            raise SampleAppError(f"token endpoint: {response.status_code} {response.text}")
        sign_in = SignIn(token_response=response.json())
        try:
            claims = _verify(self.issuer_url, sign_in.token_response["id_token"], self.client_id)
        except jwt.PyJWTError as error:
            raise SampleAppError(f"ID token: {error}") from error
        if claims.get("nonce") != nonce:
            raise SampleAppError("ID token: wrong nonce")
        sign_in.id_token_claims = claims
        stock = self._call_api(sign_in.token_response["access_token"])
        sign_in.api_status = stock.status_code
        sign_in.api_body = stock.json()
        # An ID token is not an access token: the API must refuse it.
        sign_in.id_token_at_api_status = self._call_api(
            sign_in.token_response["id_token"]
        ).status_code
        self.sign_ins.append(sign_in)
        return sign_in

    def _call_api(self, token: str) -> requests.Response:
        return requests.get(
            self.api_url + "/stock",
            headers={"Authorization": f"Bearer {token}"},
            timeout=TIMEOUT,
        )


SPA_JS = Path(__file__).resolve().parents[2] / "node_modules/@auth0/auth0-spa-js/dist"
SPA_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Stock SPA</title>
<script src="/auth0-spa-js.production.js"></script></head>
<body><main><h1>Stock SPA</h1>
<button type="button" id="login">Log in</button>
<button type="button" id="popup">Log in with a popup</button>
<button type="button" id="logout">Log out</button>
<pre id="out" data-state="loading"></pre></main>
<script>
const settings = %(settings)s;
const out = document.getElementById("out");
const client = new auth0.Auth0Client({
  domain: settings.domain,
  clientId: settings.clientId,
  authorizationParams: {
    redirect_uri: window.location.origin + "/",
    audience: settings.audience,
    scope: settings.scope,
  },
  ...settings.options,
});
// The tests drive the SDK from here (page.evaluate) once the page is ready.
window.spa = client;
document.getElementById("login").onclick = () => client.loginWithRedirect();
document.getElementById("logout").onclick = () =>
  client.logout({logoutParams: {returnTo: window.location.origin + "/"}});
// After a sign-in (whichever way): what the SDK holds, and /userinfo called with it.
async function report(signIn) {
  try {
    await signIn();
    const user = await client.getUser();
    const claims = await client.getIdTokenClaims();
    const accessToken = await client.getTokenSilently();
    const userinfo = await fetch(settings.domain + "/userinfo", {
      headers: {Authorization: "Bearer " + accessToken},
    });
    out.textContent = JSON.stringify({
      user, claims, accessToken, userinfoStatus: userinfo.status,
      userinfo: userinfo.ok ? await userinfo.json() : await userinfo.text(),
    });
    out.dataset.state = "signed-in";
  } catch (error) {
    out.textContent = JSON.stringify({
      name: error.name, message: error.message,
      error: error.error, error_description: error.error_description,
    });
    out.dataset.state = "error";
  }
}
document.getElementById("popup").onclick = () => {
  out.dataset.state = "loading";
  report(() => client.loginWithPopup());
};
if (new URLSearchParams(location.search).has("code")) {
  report(async () => {
    await client.handleRedirectCallback();
    history.replaceState({}, "", "/");
  });
} else {
  out.dataset.state = "ready";
}
</script></body></html>
"""


class _SpaHandler(_Handler):
    def do_GET(self) -> None:  # noqa: N802
        spa: SpaHost = self.owner
        path = urlsplit(self.path).path
        if path == "/":
            self.send(200, spa.page, "text/html; charset=utf-8")
        elif path == "/auth0-spa-js.production.js":
            script = (SPA_JS / "auth0-spa-js.production.js").read_text()
            self.send(200, script, "text/javascript; charset=utf-8")
        else:
            self.page(404, "Not found", "")


class SpaHost(_Server):
    """Serves a single-page application built on @auth0/auth0-spa-js (the real bundle from
    node_modules) at http://127.0.0.1:<port>/: a secure context for Chromium, and another
    site than the live server's http://localhost:<port>, as an SPA is to its tenant."""

    def __init__(
        self,
        domain: str,
        client_id: str,
        audience: str,
        *,
        hostname: str = "127.0.0.1",
        scope: str = "openid profile email read:stock",
        options: dict | None = None,
    ) -> None:
        """`hostname` localhost puts the SPA on the tenant's site (silent authentication in
        an iframe sends the SameSite=Lax session cookie only there); `options` are more
        Auth0Client options (useRefreshTokens, cacheLocation, ...)."""
        if not (SPA_JS / "auth0-spa-js.production.js").is_file():
            raise AssertionError(f"{SPA_JS} is missing: run `make install`")
        settings = {
            "domain": domain,
            "clientId": client_id,
            "audience": audience,
            "scope": scope,
            "options": options or {},
        }
        self.page = SPA_PAGE % {"settings": json.dumps(settings)}
        super().__init__(_SpaHandler, hostname)

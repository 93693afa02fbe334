// A relying party built on openid-client v6 (oauth4webapi inside), run by
// tests/e2e/test_real_clients.py. The test drives the person's part (sign-in, consent);
// this process keeps what a real client keeps to itself (PKCE verifier, state, nonce).
//
// Usage: node openid_client_flow.mjs '<json options>'
//   options: issuer, client_id, client_secret (absent for a public client),
//            auth ("post" | "basic" | "none"), redirect_uri, scope, audience (optional),
//            max_age (optional), post_logout_redirect_uri (optional), logout_state (optional),
//            refreshes (optional: that many refreshTokenGrant calls in a row, each with the
//            newest refresh token), replay_first_refresh_token (optional: then once more
//            with the first refresh token, which rotation has spent)
// Protocol on stdio, one JSON object per line:
//   out {"authorization_url", "server"}   after discovery and buildAuthorizationUrl
//   in  the callback URL the browser was redirected to (one line)
//   out {"tokens", "id_token_claims", "userinfo", "end_session_url"?} or {"error"}
// Every failure is a line {"error": {name, code, message, status?, body?}} and exit code 1.

import * as readline from 'node:readline'
import * as client from 'openid-client'

const [major] = process.versions.node.split('.').map(Number)
if (major < 20) {
  fail(new Error(`openid-client v6 needs Node.js 20 or newer, this is ${process.version}`))
}

function emit(object) {
  process.stdout.write(JSON.stringify(object) + '\n')
}

function fail(error) {
  const out = { name: error.name, code: error.code, message: error.message }
  if (error.status !== undefined) out.status = error.status
  if (error.error !== undefined) out.error = error.error
  if (error.error_description !== undefined) out.error_description = error.error_description
  if (error.cause !== undefined) {
    try {
      out.cause = JSON.parse(JSON.stringify(error.cause))
    } catch {
      out.cause = String(error.cause)
    }
  }
  emit({ error: out })
  process.exit(1)
}

function clientAuth(options) {
  switch (options.auth) {
    case 'post':
      return client.ClientSecretPost(options.client_secret)
    case 'basic':
      return client.ClientSecretBasic(options.client_secret)
    case 'none':
      return client.None()
    default:
      throw new Error(`unknown auth ${options.auth}`)
  }
}

async function firstLine() {
  const lines = readline.createInterface({ input: process.stdin })
  for await (const line of lines) {
    lines.close()
    return line.trim()
  }
  throw new Error('stdin closed before the callback URL arrived')
}

async function main() {
  const options = JSON.parse(process.argv[2])
  const config = await client.discovery(
    new URL(options.issuer),
    options.client_id,
    undefined,
    clientAuth(options),
    { execute: [client.allowInsecureRequests] },
  )

  const codeVerifier = client.randomPKCECodeVerifier()
  const codeChallenge = await client.calculatePKCECodeChallenge(codeVerifier)
  const state = client.randomState()
  const nonce = client.randomNonce()
  const parameters = {
    redirect_uri: options.redirect_uri,
    scope: options.scope,
    code_challenge: codeChallenge,
    code_challenge_method: 'S256',
    state,
    nonce,
  }
  if (options.audience) parameters.audience = options.audience
  if (options.max_age !== undefined) parameters.max_age = String(options.max_age)
  const authorizationUrl = client.buildAuthorizationUrl(config, parameters)
  emit({ authorization_url: authorizationUrl.href, server: config.serverMetadata() })

  const callbackUrl = new URL(await firstLine())
  // Checks state, the code, then at the token endpoint PKCE, and the ID token's signature
  // (JWKS), iss, aud, azp, exp, iat, sub and nonce.
  const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
    pkceCodeVerifier: codeVerifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
    // With max_age, oauth4webapi requires auth_time and checks it is recent enough.
    maxAge: options.max_age,
  })
  const claims = tokens.claims()
  // Checks that the userinfo `sub` is the ID token's.
  const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub)
  const result = {
    tokens: {
      access_token: tokens.access_token,
      id_token: tokens.id_token,
      token_type: tokens.token_type,
      expires_in: tokens.expires_in,
      scope: tokens.scope,
      refresh_token: tokens.refresh_token,
    },
    id_token_claims: claims,
    userinfo,
  }
  if (options.refreshes) {
    result.refreshes = []
    let refreshToken = tokens.refresh_token
    for (let i = 0; i < options.refreshes; i++) {
      // Checks token_type, expires_in and, when an ID token comes back, its signature, iss,
      // aud, exp, iat and that its sub is the first one's.
      const refreshed = await client.refreshTokenGrant(config, refreshToken)
      result.refreshes.push({
        access_token: refreshed.access_token,
        refresh_token: refreshed.refresh_token,
        id_token: refreshed.id_token,
        scope: refreshed.scope,
        expires_in: refreshed.expires_in,
        token_type: refreshed.token_type,
        id_token_claims: refreshed.id_token ? refreshed.claims() : null,
      })
      refreshToken = refreshed.refresh_token || refreshToken
    }
    if (options.replay_first_refresh_token) {
      try {
        await client.refreshTokenGrant(config, tokens.refresh_token)
        result.replay = { error: null }
      } catch (error) {
        result.replay = { error: error.error, error_description: error.error_description, status: error.status }
      }
    }
  }
  if (options.post_logout_redirect_uri) {
    const logout = { id_token_hint: tokens.id_token }
    logout.post_logout_redirect_uri = options.post_logout_redirect_uri
    if (options.logout_state) logout.state = options.logout_state
    result.end_session_url = client.buildEndSessionUrl(config, logout).href
  }
  emit(result)
}

main().catch(fail)

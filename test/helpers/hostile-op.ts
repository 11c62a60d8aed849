/**
 * A small but real OpenID Provider for negative tests: discovery, JWKS, an authorization
 * endpoint that answers at once (no login page), a token endpoint with client_secret_basic and
 * PKCE, and userinfo. Its `mode` is switched between tests to make it misbehave in one precise
 * way each; in `honest` mode a login through it succeeds, which proves the harness is real.
 *
 * Plain `node:http` rather than oidc-provider, because the point is to send what a correct OP
 * never would (alg none, foreign issuers, reusable codes).
 * @see https://openid.net/specs/openid-connect-core-1_0.html §3.1
 */

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, exportSPKI, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { NO_INVALID_CHECKSUM, NO_SYNTHETIC_FNR } from '../fixtures/national-ids.js';

/** The ways the OP can misbehave; `honest` is the control case. */
export const HOSTILE_MODES = [
  'honest',
  // ID token signed with a key that is not in the JWKS (same `kid`).
  'bad-signature',
  // ID token `iss` is `foreignIssuer`.
  'wrong-iss',
  // ID token `aud` is another client.
  'wrong-aud',
  // ID token `nonce` is not the one of the authorization request.
  'wrong-nonce',
  // ID token expired an hour ago (far beyond any clock tolerance).
  'expired',
  // ID token `nbf` an hour in the future.
  'nbf-future',
  // ID token `iat` an hour in the future (still unexpired by `exp`).
  'iat-future',
  // ID token `iat` two minutes in the future: beyond the default skew of 60 s.
  'iat-beyond-skew',
  // ID token `iat` 30 s in the future: within the tolerated clock skew, accepted.
  'iat-within-skew',
  // ID token `iat` 30 minutes ago, `exp` still ahead: older than any login may take.
  'iat-stale',
  // ID token without `iat`.
  'iat-missing',
  // Unsecured JWT (`alg: none`, empty signature).
  'alg-none',
  // HS256 with the client secret as key (algorithm confusion).
  'hs256-with-secret',
  // Authorization response without `iss` although discovery says it is sent (RFC 9207).
  'missing-iss-param',
  // Authorization response with `iss` = `foreignIssuer`.
  'wrong-iss-param',
  // `acr` of BankID biometrics (substantial) where the gateway requires high.
  'acr-low',
  // `socialno` with a failing control digit.
  'invalid-national-id',
  // No `socialno`, neither in the ID token nor in userinfo.
  'missing-national-id',
  // Codes may be redeemed any number of times, by anyone (no PKCE binding).
  'replay-accepting',
  // Token endpoint answers 400 `invalid_grant`.
  'error-response',
  // Token endpoint answers 200 with an HTML page.
  'non-json',
  // Userinfo answers for another subject than the ID token's (the national id only there).
  'userinfo-other-sub',
  // Valid tokens in a token response padded to 4 MiB, sent chunked (no Content-Length).
  'huge-token-response',
  // The same with its Content-Length.
  'huge-token-response-declared',
  // ID token `aud` names the client and another audience, without `azp`.
  'aud-extra',
  // ID token `azp` (authorized party) is another client, `aud` the gateway alone.
  'wrong-azp',
  // Claims of the wrong JSON types (`socialno` a number, `name` an object).
  'claim-types',
  // `name` holding markup.
  'name-markup',
  // ID token without `sub`.
  'sub-missing',
  // `auth_time` ten minutes ago, whatever `prompt` and `max_age` asked (a single sign-on session).
  'auth-time-stale',
  // No `auth_time`, even when `max_age` asked for one.
  'auth-time-missing',
  // `auth_time` an hour in the future (the ID token itself is fresh).
  'auth-time-future',
  // HS256 with the published RSA public key (its JWK JSON and its PEM) as the MAC key.
  'hs256-with-public-key-jwk',
  'hs256-with-public-key-pem',
  // ID token `kid` names no key of the JWKS (signed with the right key).
  'kid-unknown',
  // Signed with an unpublished key whose public half rides in the header (`jwk`), no `kid`.
  'embedded-jwk',
  // ID token without `kid`, while the JWKS holds two RSA keys (which one is meant?).
  'kid-missing',
  // The ID token has no `acr`; userinfo (with the national id only there) asserts a high one.
  'acr-only-in-userinfo',
  // No `acr` anywhere.
  'acr-missing',
  // `acr` an array of strings.
  'acr-array',
  // An `acr` the gateway does not know.
  'acr-unknown',
  // The authorization endpoint answers with `authorizeError` (error, error_description, iss).
  'authorize-error',
  // Signed with the next key of the rotation (`hostile-next`, published ahead of use): honest.
  'rotated-key',
  // Token endpoint answers 500 with `{ "error": "server_error" }`.
  'token-server-error',
  // Token endpoint answers 502 with an HTML page (a proxy in front of a broker that is down).
  'token-bad-gateway',
  // Token endpoint answers 307 to another URL (which would answer with the tokens).
  'token-redirect',
  // JWKS endpoint answers 503.
  'jwks-unavailable',
  // Userinfo answers 503 (the national id is only there).
  'userinfo-unavailable',
  // Userinfo (the national id only there) answers without `sub`.
  'userinfo-sub-missing',
  // Userinfo (the national id only there) is a JWT signed with a key not in the JWKS.
  'userinfo-jwt-bad-signature',
  // Userinfo (the national id only there) is a JWT signed with the OP's current key: honest.
  'userinfo-jwt',
  // Token endpoint that takes the request and never answers (the connection stays open).
  'token-silent',
  // Token response whose `token_type` is `mac` (RFC 6749 §7.1), not Bearer.
  'token-type-mac',
  // Token response without `id_token` (an OAuth 2.0 answer to an OpenID Connect request).
  'id-token-missing',
  // The PAR endpoint refuses the request (400 `invalid_request`, with markup in its description).
  'par-refused',
  // The PAR endpoint answers 201 with a `request_uri` that is a number.
  'par-malformed',
] as const;

export type HostileMode = (typeof HOSTILE_MODES)[number];

/** What the authorization endpoint received, kept for assertions. */
export interface AuthorizationRecord {
  state: string;
  nonce: string;
  codeChallenge: string;
  redirectUri: string;
  code: string;
}

export interface HostileOp {
  /** Issuer identifier: `http://127.0.0.1:{port}{path}`, exactly as in discovery. */
  readonly issuer: string;
  /** Switched between tests. */
  mode: HostileMode;
  /** Issuer used by `wrong-iss` and `wrong-iss-param` (e.g. another OP the gateway trusts). */
  foreignIssuer: string;
  /** Error response of the authorization endpoint in `authorize-error` mode. */
  authorizeError: { error: string; error_description?: string };
  /**
   * Claims set over the citizen's in the ID token and userinfo (`undefined` deletes one), and
   * over the ID token's own (`exp`, `aud`…), in every mode: a staff login's roles, or one claim
   * of a precise shape.
   */
  claims: Record<string, unknown>;
  /** Every authorization request, oldest first. */
  readonly authorizations: AuthorizationRecord[];
  /** Number of token requests received from an authenticated client, answered or not. */
  readonly tokenRequests: number;
  /** Number of token requests that were answered with tokens. */
  readonly tokensIssued: number;
  /** Number of userinfo requests with a valid access token. */
  readonly userinfoServed: number;
  /** Number of JWKS requests answered with the keys. */
  readonly jwksServed: number;
  /**
   * An emergency rotation: a key never published before is added to the JWKS and signs every
   * token from now on (the honest ID token and the signed userinfo); returns its `kid`.
   */
  rotateUnannounced(): Promise<string>;
  close(): Promise<void>;
}

export interface HostileOpOptions {
  clientId: string;
  clientSecret: string;
  /** Path of the issuer under the origin. Default `/hostile`. */
  path?: string;
  /**
   * Announce these endpoints in discovery instead of the OP's own (e.g. an http one on another
   * host, which nobody answers: the gateway must not send a browser there), or another issuer
   * than the one discovery was fetched from (a broker posing as another).
   */
  announce?: { issuer?: string; authorization_endpoint?: string; end_session_endpoint?: string };
}

interface Grant extends AuthorizationRecord {
  redeemed: boolean;
}

const ALG = 'RS256';
const KID = 'hostile-1';
/** Subject (pairwise id at the broker) of the synthetic citizen. */
const SUBJECT = 'hostile-sub-0001';

/** Starts the OP on 127.0.0.1, port 0. */
export async function startHostileOp(options: HostileOpOptions): Promise<HostileOp> {
  const path = options.path ?? '/hostile';
  const signing = await generateKeyPair(ALG, { extractable: true });
  // A second key pair whose public half is never published: `bad-signature` signs with it.
  const impostor = await generateKeyPair(ALG);
  // The next key of a rotation, published ahead of use as brokers do: the JWKS has two keys.
  const next = await generateKeyPair(ALG, { extractable: true });
  // `embedded-jwk`'s key: never published.
  const rogue = await generateKeyPair(ALG, { extractable: true });
  const rogueJwk = { ...(await exportJWK(rogue.publicKey)), alg: ALG, use: 'sig' };
  const publicJwk = { ...(await exportJWK(signing.publicKey)), kid: KID, alg: ALG, use: 'sig' };
  const jwks = {
    keys: [publicJwk, { ...(await exportJWK(next.publicKey)), kid: 'hostile-next', alg: ALG, use: 'sig' }],
  };
  const grants = new Map<string, Grant>();
  /** Pushed authorization requests by their `request_uri`. */
  const pushed = new Map<string, URLSearchParams>();
  const accessTokens = new Set<string>();
  let tokenRequests = 0;
  let tokensIssued = 0;
  let userinfoServed = 0;
  let jwksServed = 0;
  /** The key honest tokens are signed with, until {@link HostileOp.rotateUnannounced}. */
  let current: { key: CryptoKey; kid: string } = { key: signing.privateKey, kid: KID };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) =>
      send(res, 500, { error: 'server_error', error_description: String(error) }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;

  const op: HostileOp = {
    issuer,
    mode: 'honest',
    foreignIssuer: 'https://op.example/',
    authorizeError: { error: 'access_denied' },
    claims: {},
    authorizations: [],
    get tokenRequests() {
      return tokenRequests;
    },
    get tokensIssued() {
      return tokensIssued;
    },
    get userinfoServed() {
      return userinfoServed;
    },
    get jwksServed() {
      return jwksServed;
    },
    async rotateUnannounced() {
      const rotated = await generateKeyPair(ALG, { extractable: true });
      const kid = `hostile-emergency-${jwks.keys.length}`;
      jwks.keys.push({ ...(await exportJWK(rotated.publicKey)), kid, alg: ALG, use: 'sig' });
      current = { key: rotated.privateKey, kid };
      return kid;
    },
    close: () => closeServer(server),
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', issuer);
    switch (url.pathname) {
      case `${path}/.well-known/openid-configuration`:
        return send(res, 200, {
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
          userinfo_endpoint: `${issuer}/userinfo`,
          response_types_supported: ['code'],
          subject_types_supported: ['pairwise'],
          id_token_signing_alg_values_supported: [ALG],
          token_endpoint_auth_methods_supported: ['client_secret_basic'],
          code_challenge_methods_supported: ['S256'],
          authorization_response_iss_parameter_supported: true,
          pushed_authorization_request_endpoint: `${issuer}/par`,
          userinfo_signing_alg_values_supported: [ALG],
          ...options.announce,
        });
      case `${path}/jwks`:
        if (op.mode === 'jwks-unavailable') return send(res, 503, { error: 'temporarily_unavailable' });
        jwksServed += 1;
        return send(res, 200, jwks);
      case `${path}/authorize`:
        return authorize(url, res);
      case `${path}/token`:
      case `${path}/token-moved`:
        return token(req, res);
      case `${path}/userinfo`:
        return userinfo(req, res);
      case `${path}/par`:
        return pushAuthorizationRequest(req, res);
      default:
        return send(res, 404, { error: 'not_found' });
    }
  }

  /**
   * PAR: keeps the request's parameters under a `request_uri` the authorization endpoint takes
   * in their place.
   * @see RFC 9126 §2
   */
  async function pushAuthorizationRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    if (!clientAuthenticated(req.headers.authorization)) return send(res, 401, { error: 'invalid_client' });
    if (op.mode === 'par-refused') {
      return send(res, 400, { error: 'invalid_request', error_description: '<b>Refused</b>' });
    }
    if (op.mode === 'par-malformed') return send(res, 201, { request_uri: 42, expires_in: 60 });
    const requestUri = `urn:ietf:params:oauth:request_uri:${randomBytes(16).toString('base64url')}`;
    form.set('client_id', options.clientId);
    pushed.set(requestUri, form);
    send(res, 201, { request_uri: requestUri, expires_in: 60 });
  }

  /** Answers at once, as if the citizen had identified: redirect with code, state and iss. */
  function authorize(url: URL, res: ServerResponse): void {
    const requestUri = url.searchParams.get('request_uri');
    const q = (requestUri === null ? undefined : pushed.get(requestUri)) ?? url.searchParams;
    const redirectUri = q.get('redirect_uri') ?? '';
    if (
      q.get('client_id') !== options.clientId ||
      q.get('response_type') !== 'code' ||
      q.get('code_challenge_method') !== 'S256' ||
      !URL.canParse(redirectUri)
    ) {
      send(res, 400, { error: 'invalid_request' });
      return;
    }
    const record: AuthorizationRecord = {
      state: q.get('state') ?? '',
      nonce: q.get('nonce') ?? '',
      codeChallenge: q.get('code_challenge') ?? '',
      redirectUri,
      code: randomBytes(16).toString('base64url'),
    };
    op.authorizations.push(record);
    grants.set(record.code, { ...record, redeemed: false });
    const target = new URL(redirectUri);
    if (op.mode === 'authorize-error') {
      for (const [name, value] of Object.entries(op.authorizeError))
        if (value !== undefined) target.searchParams.set(name, value);
    } else target.searchParams.set('code', record.code);
    target.searchParams.set('state', record.state);
    if (op.mode === 'wrong-iss-param') target.searchParams.set('iss', op.foreignIssuer);
    else if (op.mode !== 'missing-iss-param') target.searchParams.set('iss', issuer);
    res.writeHead(303, { location: target.href }).end();
  }

  async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    if (!clientAuthenticated(req.headers.authorization)) {
      res.setHeader('www-authenticate', 'Basic realm="hostile"');
      return send(res, 401, { error: 'invalid_client' });
    }
    tokenRequests += 1;
    if (op.mode === 'token-silent') return;
    if (op.mode === 'error-response') return send(res, 400, { error: 'invalid_grant' });
    if (op.mode === 'token-server-error') return send(res, 500, { error: 'server_error' });
    if (op.mode === 'token-bad-gateway') {
      res.writeHead(502, { 'content-type': 'text/html' }).end('<html><body>Bad Gateway</body></html>');
      return;
    }
    if (op.mode === 'token-redirect' && req.url?.endsWith('/token')) {
      res.writeHead(307, { location: `${issuer}/token-moved` }).end();
      return;
    }
    const grant = grants.get(form.get('code') ?? '');
    const reusable = op.mode === 'replay-accepting';
    if (
      form.get('grant_type') !== 'authorization_code' ||
      !grant ||
      (grant.redeemed && !reusable) ||
      form.get('redirect_uri') !== grant.redirectUri ||
      (!reusable && s256(form.get('code_verifier') ?? '') !== grant.codeChallenge)
    ) {
      return send(res, 400, { error: 'invalid_grant' });
    }
    grant.redeemed = true;
    if (op.mode === 'non-json') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Welcome!</body></html>');
      return;
    }
    const accessToken = randomBytes(16).toString('base64url');
    accessTokens.add(accessToken);
    tokensIssued += 1;
    const tokens = {
      access_token: accessToken,
      token_type: op.mode === 'token-type-mac' ? 'mac' : 'Bearer',
      expires_in: 300,
      ...(op.mode === 'id-token-missing' ? {} : { id_token: await idToken(grant.nonce) }),
    };
    if (op.mode === 'huge-token-response' || op.mode === 'huge-token-response-declared')
      return sendHuge(res, tokens);
    send(res, 200, tokens);
  }

  /**
   * `body` with a `padding` field of 4 MiB, chunked or with its length: a reader that stops
   * early leaves the rest unsent.
   */
  function sendHuge(res: ServerResponse, body: Record<string, unknown>): void {
    const padding = 'x'.repeat(64 * 1024);
    const head = `${JSON.stringify(body).slice(0, -1)},"padding":"`;
    const chunks = 64;
    res.on('error', () => undefined);
    res.writeHead(200, {
      'content-type': 'application/json',
      ...(op.mode === 'huge-token-response-declared'
        ? { 'content-length': String(head.length + chunks * padding.length + 2) }
        : {}),
    });
    res.write(head);
    for (let i = 0; i < chunks; i++) res.write(padding);
    res.end('"}');
  }

  /** Userinfo repeats the identity claims (without the national id in `missing-national-id`). */
  async function userinfo(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer || !accessTokens.has(bearer)) {
      res.setHeader('www-authenticate', 'Bearer error="invalid_token"');
      send(res, 401, { error: 'invalid_token' });
      return;
    }
    if (op.mode === 'userinfo-unavailable') {
      send(res, 503, { error: 'temporarily_unavailable' });
      return;
    }
    userinfoServed += 1;
    const { acr: _acr, amr: _amr, auth_time: _t, ...claims } = identityClaims();
    if (op.mode === 'acr-only-in-userinfo')
      Object.assign(claims, { acr: 'urn:grn:authn:no:bankid', socialno: NO_SYNTHETIC_FNR });
    if (op.mode === 'userinfo-other-sub') {
      claims.sub = 'someone-else';
      claims.socialno = NO_SYNTHETIC_FNR;
    }
    if (
      op.mode === 'userinfo-sub-missing' ||
      op.mode === 'userinfo-jwt-bad-signature' ||
      op.mode === 'userinfo-jwt'
    ) {
      claims.socialno = NO_SYNTHETIC_FNR;
    }
    if (op.mode === 'userinfo-sub-missing') delete claims.sub;
    if (op.mode === 'userinfo-jwt-bad-signature' || op.mode === 'userinfo-jwt') {
      const signer =
        op.mode === 'userinfo-jwt' ? current : { key: impostor.privateKey as CryptoKey, kid: KID };
      // OpenID Connect Core §5.3.2: a signed userinfo response names its issuer and audience.
      const jwt = await new SignJWT({ ...claims, iss: issuer, aud: options.clientId })
        .setProtectedHeader({ alg: ALG, kid: signer.kid, typ: 'JWT' })
        .sign(signer.key);
      res.writeHead(200, { 'content-type': 'application/jwt' }).end(jwt);
      return;
    }
    send(res, 200, claims);
  }

  function clientAuthenticated(header: string | undefined): boolean {
    const encoded = /^Basic (.+)$/.exec(header ?? '')?.[1];
    if (!encoded) return false;
    // RFC 6749 §2.3.1: id and secret are form-urlencoded before base64.
    const [id = '', secret = ''] = Buffer.from(encoded, 'base64').toString('utf8').split(':');
    return decodeForm(id) === options.clientId && safeEqual(decodeForm(secret), options.clientSecret);
  }

  /** The synthetic citizen as Idura sends it for Norwegian BankID. */
  function identityClaims(): Record<string, unknown> {
    const claims: Record<string, unknown> = {
      sub: SUBJECT,
      identityscheme: 'nobankid-oidc',
      socialno: op.mode === 'invalid-national-id' ? NO_INVALID_CHECKSUM : NO_SYNTHETIC_FNR,
      given_name: 'Tenor',
      family_name: 'Testesen',
      name: 'Tenor Testesen',
      birthdate: '1985-03-14',
      acr: op.mode === 'acr-low' ? 'urn:grn:authn:no:bankid:substantial' : 'urn:grn:authn:no:bankid',
      amr: ['bankid'],
      auth_time: now() - 5,
    };
    if (
      op.mode === 'missing-national-id' ||
      op.mode === 'userinfo-other-sub' ||
      op.mode === 'userinfo-unavailable' ||
      op.mode === 'userinfo-sub-missing' ||
      op.mode === 'userinfo-jwt-bad-signature' ||
      op.mode === 'userinfo-jwt'
    )
      delete claims.socialno;
    if (op.mode === 'claim-types') {
      claims.socialno = Number(NO_SYNTHETIC_FNR);
      claims.name = { first: 'x' };
    }
    if (op.mode === 'name-markup') claims.name = '<img src=x onerror=alert(1)>Tenor';
    if (op.mode === 'sub-missing') delete claims.sub;
    if (op.mode === 'auth-time-stale') claims.auth_time = now() - 600;
    if (op.mode === 'auth-time-missing') delete claims.auth_time;
    if (op.mode === 'auth-time-future') claims.auth_time = now() + 3600;
    // The national id only in userinfo, so that the gateway asks for it.
    if (op.mode === 'acr-only-in-userinfo') delete claims.socialno;
    if (op.mode === 'acr-only-in-userinfo' || op.mode === 'acr-missing') delete claims.acr;
    if (op.mode === 'acr-array') claims.acr = ['urn:grn:authn:no:bankid'];
    if (op.mode === 'acr-unknown') claims.acr = 'urn:example:loa:whatever';
    for (const [name, value] of Object.entries(op.claims)) {
      if (value === undefined) delete claims[name];
      else claims[name] = value;
    }
    return claims;
  }

  async function idToken(nonce: string): Promise<string> {
    const iat = now() + (IAT_OFFSET[op.mode] ?? 0);
    const payload = {
      ...identityClaims(),
      iss: op.mode === 'wrong-iss' ? op.foreignIssuer : issuer,
      aud:
        op.mode === 'wrong-aud'
          ? 'another-client'
          : op.mode === 'aud-extra'
            ? [options.clientId, 'another-client']
            : options.clientId,
      ...(op.mode === 'wrong-azp' ? { azp: 'another-client' } : {}),
      ...(op.mode === 'iat-missing' ? {} : { iat }),
      exp: op.mode === 'expired' ? now() - 3600 : Math.max(iat, now()) + 300,
      nonce: op.mode === 'wrong-nonce' ? randomBytes(16).toString('base64url') : nonce,
      ...(op.mode === 'nbf-future' ? { nbf: now() + 3600 } : {}),
      // Over the token's own claims too (`exp`, `iat`, `aud`…), not only the citizen's.
      ...op.claims,
    };
    if (op.mode === 'alg-none') return new UnsecuredJWT(payload).encode();
    if (op.mode === 'hs256-with-secret') {
      return new SignJWT(payload)
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .sign(new TextEncoder().encode(options.clientSecret));
    }
    if (op.mode === 'hs256-with-public-key-jwk' || op.mode === 'hs256-with-public-key-pem') {
      const secret =
        op.mode === 'hs256-with-public-key-jwk'
          ? JSON.stringify(publicJwk)
          : await exportSPKI(signing.publicKey);
      return new SignJWT(payload)
        .setProtectedHeader({ alg: 'HS256', kid: KID, typ: 'JWT' })
        .sign(new TextEncoder().encode(secret));
    }
    if (op.mode === 'embedded-jwk') {
      return new SignJWT(payload)
        .setProtectedHeader({ alg: ALG, typ: 'JWT', jwk: rogueJwk })
        .sign(rogue.privateKey);
    }
    const key: CryptoKey =
      op.mode === 'bad-signature'
        ? impostor.privateKey
        : op.mode === 'rotated-key'
          ? next.privateKey
          : current.key;
    const kid =
      op.mode === 'kid-unknown'
        ? 'hostile-unknown'
        : op.mode === 'rotated-key'
          ? 'hostile-next'
          : current.kid;
    return new SignJWT(payload)
      .setProtectedHeader({ alg: ALG, ...(op.mode === 'kid-missing' ? {} : { kid }), typ: 'JWT' })
      .sign(key);
  }

  return op;
}

/** Seconds added to the current time for the ID token's `iat`, per mode. */
const IAT_OFFSET: Partial<Record<HostileMode, number>> = {
  expired: -7200,
  'iat-future': 3600,
  'iat-beyond-skew': 120,
  'iat-within-skew': 30,
  'iat-stale': -1800,
};

function now(): number {
  return Math.floor(Date.now() / 1000);
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

function decodeForm(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res
    .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
    .end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}

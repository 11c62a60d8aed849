import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import {
  type BrokerStep,
  checkAuthTime,
  checkIssuedAt,
  endSessionUrl,
  translateOidcError,
} from '../../../src/auth/oidc-flow.js';
import { GatewayError } from '../../../src/http/errors.js';

/** An error as openid-client throws it: a ClientError with oauth4webapi's code, any message. */
function clientError(code: string, message = 'something the library says'): client.ClientError {
  const error = new client.ClientError(message, {
    cause: new oauth.OperationProcessingError(message, { code }),
  });
  error.code = code;
  return error;
}

/** oauth4webapi's error for an endpoint answering `status` without an OAuth error body. */
function unexpectedStatus(status: number): oauth.OperationProcessingError {
  return new oauth.OperationProcessingError('"response" is not a conform response', {
    code: oauth.RESPONSE_IS_NOT_CONFORM,
    cause: new Response(null, { status }),
  });
}

/** openid-client's error for a token endpoint answering 400 with the OAuth `error`. */
function tokenError(error: string): client.ResponseBodyError {
  return new client.ResponseBodyError('server responded with an error in the response body', {
    cause: { error },
    response: new Response(null, { status: 400 }),
  });
}

describe('translateOidcError', () => {
  const cases: Array<[what: string, error: unknown, code: string, status?: number]> = [
    ['iss/aud/nonce comparison', clientError(oauth.JWT_CLAIM_COMPARISON), 'id_token_invalid'],
    ['exp/nbf/iat timestamp check', clientError(oauth.JWT_TIMESTAMP_CHECK), 'id_token_invalid'],
    ['no matching JWKS key', clientError(oauth.KEY_SELECTION), 'id_token_invalid'],
    ['bad signature or alg', clientError(oauth.INVALID_RESPONSE), 'id_token_invalid'],
    [
      'the same code under an unrelated message',
      clientError(oauth.INVALID_RESPONSE, 'hello'),
      'id_token_invalid',
    ],
    [
      'an oauth4webapi error unwrapped',
      new oauth.OperationProcessingError('x', { code: oauth.KEY_SELECTION }),
      'id_token_invalid',
    ],
    ['userinfo of another subject', clientError(oauth.JSON_ATTRIBUTE_COMPARISON), 'claims_inconsistent'],
    [
      'a message that merely mentions JWT',
      clientError(oauth.RESPONSE_IS_NOT_JSON, 'JWT signature alg'),
      'login_failed',
    ],
    ['non-JSON token response', clientError(oauth.RESPONSE_IS_NOT_JSON), 'login_failed'],
    ['unexpected status', clientError(oauth.RESPONSE_IS_NOT_CONFORM), 'login_failed'],
    ['a redirect of a broker endpoint (not followed)', unexpectedStatus(307), 'login_failed'],
    ['a broker endpoint answering 404', unexpectedStatus(404), 'login_failed'],
    ['a broker endpoint failing (500)', unexpectedStatus(500), 'provider_unavailable', 503],
    ['a proxy before a broker that is down (502)', unexpectedStatus(502), 'provider_unavailable', 503],
    ['a broker endpoint overloaded (503)', unexpectedStatus(503), 'provider_unavailable', 503],
    ['a broker endpoint shedding load (429)', unexpectedStatus(429), 'provider_unavailable', 503],
    [
      'a token endpoint refusing the code (invalid_grant)',
      tokenError('invalid_grant'),
      'token_exchange_failed',
    ],
    [
      'a token endpoint saying the broker failed (temporarily_unavailable)',
      tokenError('temporarily_unavailable'),
      'provider_unavailable',
      503,
    ],
    ['unknown code', clientError('OAUTH_SOMETHING_NEW'), 'login_failed'],
    [
      'a broker endpoint in clear (http) announced by an https broker',
      clientError(oauth.HTTP_REQUEST_FORBIDDEN),
      'provider_unavailable',
      503,
    ],
    ['no code at all', new Error('JWT signature verification failed'), 'login_failed'],
    ['not an Error', 'a string', 'login_failed'],
    [
      'a TypeError of the library (coded)',
      Object.assign(new TypeError('bad arg'), { code: 'ERR_INVALID_ARG_TYPE' }),
      'login_failed',
    ],
    [
      'connection refused',
      new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) }),
      'provider_unavailable',
      503,
    ],
    [
      'DNS failure',
      new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ENOTFOUND' }) }),
      'provider_unavailable',
      503,
    ],
    ['timeout', new DOMException('timed out', 'TimeoutError'), 'provider_unavailable', 503],
    ['abort', new DOMException('aborted', 'AbortError'), 'provider_unavailable', 503],
    [
      // What openid-client throws when its `timeout` runs out: the DOMException wrapped.
      'a timeout as openid-client reports it',
      clientError('OAUTH_TIMEOUT', 'operation timed out'),
      'provider_unavailable',
      503,
    ],
    [
      'an abort as openid-client reports it',
      clientError('OAUTH_ABORT', 'operation aborted'),
      'provider_unavailable',
      503,
    ],
    [
      'a broker answer over the bounded fetch’s limit, wrapped by openid-client',
      new client.ClientError('something went wrong', { cause: new GatewayError('login_failed') }),
      'login_failed',
    ],
    [
      'access_denied from the broker',
      new client.AuthorizationResponseError('x', { cause: new URLSearchParams('error=access_denied') }),
      'login_cancelled',
    ],
    [
      'another error response',
      new client.AuthorizationResponseError('x', { cause: new URLSearchParams('error=invalid_scope') }),
      'provider_error',
    ],
    [
      'the broker failing (server_error)',
      new client.AuthorizationResponseError('x', { cause: new URLSearchParams('error=server_error') }),
      'provider_unavailable',
      503,
    ],
    [
      'the broker overloaded (temporarily_unavailable)',
      new client.AuthorizationResponseError('x', {
        cause: new URLSearchParams('error=temporarily_unavailable'),
      }),
      'provider_unavailable',
      503,
    ],
  ];
  for (const [what, error, code, status = 400] of cases) {
    it(`maps ${what} to ${code}`, () => {
      const translated = translateOidcError(error);
      expect(translated).toBeInstanceOf(GatewayError);
      expect(translated.code).toBe(code);
      expect(translated.status).toBe(status);
    });
  }

  it('keeps the library error as cause, so its code can be logged', () => {
    const error = clientError('OAUTH_SOMETHING_NEW');
    expect(translateOidcError(error).cause).toBe(error);
  });

  it('passes a GatewayError through unchanged', () => {
    const error = new GatewayError('iss_mismatch', 'x');
    expect(translateOidcError(error)).toBe(error);
  });

  const stepCases: Array<[what: string, error: unknown, step: BrokerStep, code: string, status?: number]> = [
    [
      'a PAR answer refusing the request',
      tokenError('invalid_request'),
      'authorization-request',
      'provider_error',
    ],
    [
      'a PAR answer without its request_uri',
      clientError(oauth.INVALID_RESPONSE),
      'authorization-request',
      'login_failed',
    ],
    [
      'a PAR endpoint failing (500)',
      unexpectedStatus(500),
      'authorization-request',
      'provider_unavailable',
      503,
    ],
    ['a userinfo answer without sub', clientError(oauth.INVALID_RESPONSE), 'userinfo', 'login_failed'],
    [
      'a signed userinfo answer of an unknown key',
      clientError(oauth.KEY_SELECTION),
      'userinfo',
      'login_failed',
    ],
    ['userinfo refusing the access token', tokenError('invalid_token'), 'userinfo', 'provider_error'],
    [
      'userinfo of another subject',
      clientError(oauth.JSON_ATTRIBUTE_COMPARISON),
      'userinfo',
      'claims_inconsistent',
    ],
    ['an ID token of an unknown key', clientError(oauth.KEY_SELECTION), 'code-exchange', 'id_token_invalid'],
    ['a refused code', tokenError('invalid_grant'), 'code-exchange', 'token_exchange_failed'],
  ];
  for (const [what, error, step, code, status = 400] of stepCases) {
    it(`maps ${what} (${step}) to ${code}`, () => {
      const translated = translateOidcError(error, step);
      expect(translated.code).toBe(code);
      expect(translated.status).toBe(status);
    });
  }
});

describe('checkIssuedAt', () => {
  const now = Date.UTC(2026, 0, 15, 9, 0, 0);
  const limits = { now, skewMs: 60_000, maxAgeMs: 10 * 60_000 };
  const at = (offsetSeconds: number) => now / 1000 + offsetSeconds;
  const accepted: Array<[string, number]> = [
    ['now', at(0)],
    ['30 s ahead', at(30)],
    ['exactly the skew ahead', at(60)],
    ['a minute ago', at(-60)],
    ['at the edge of the login timeout plus skew', at(-660)],
  ];
  const refused: Array<[string, unknown]> = [
    ['61 s ahead', at(61)],
    ['an hour ahead', at(3600)],
    ['a year ahead', at(365 * 86_400)],
    ['just beyond the login timeout plus skew', at(-661)],
    ['30 minutes ago', at(-1800)],
    ['missing', undefined],
    ['a string', String(at(0))],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
  ];
  for (const [what, iat] of accepted) {
    it(`accepts an iat ${what}`, () => expect(() => checkIssuedAt(iat, limits)).not.toThrow());
  }
  for (const [what, iat] of refused) {
    it(`refuses an iat ${what} with id_token_invalid`, () => {
      expect(() => checkIssuedAt(iat, limits)).toThrow(expect.objectContaining({ code: 'id_token_invalid' }));
    });
  }
  it('follows a smaller configured skew', () => {
    expect(() => checkIssuedAt(at(10), { ...limits, skewMs: 0 })).toThrow(GatewayError);
  });
});

describe('checkAuthTime', () => {
  const now = Date.UTC(2026, 11, 7, 12);
  const limits = { now, skewMs: 60_000 };
  const seconds = (ms: number) => Math.floor(ms / 1000);

  for (const [what, authTime] of [
    ['absent', undefined],
    ['now', seconds(now)],
    ['a day ago (a single sign-on session)', seconds(now - 86_400_000)],
    ['30 s ahead (within the skew)', seconds(now + 30_000)],
  ] as const) {
    it(`accepts an auth_time ${what}`, () => expect(() => checkAuthTime(authTime, limits)).not.toThrow());
  }

  for (const [what, authTime] of [
    ['two minutes ahead (beyond the skew)', seconds(now + 120_000)],
    ['years ahead', seconds(Date.UTC(3000, 0, 1))],
    ['a string', String(seconds(now))],
    ['null', null],
    ['negative', -1],
    ['not finite', Number.POSITIVE_INFINITY],
  ] as const) {
    it(`refuses an auth_time ${what} with id_token_invalid`, () =>
      expect(() => checkAuthTime(authTime, limits)).toThrow(
        expect.objectContaining({ code: 'id_token_invalid' }),
      ));
  }
});

describe('endSessionUrl', () => {
  const configuration = (endSession?: string) =>
    new client.Configuration(
      {
        issuer: 'https://broker.example',
        ...(endSession === undefined ? {} : { end_session_endpoint: endSession }),
      },
      'gateway',
    );

  it('builds the RP-initiated logout URL of an https endpoint', () => {
    const url = new URL(
      endSessionUrl(configuration('https://broker.example/logout'), 'https://gw.example/') ?? '',
    );
    expect(url.origin).toBe('https://broker.example');
    expect(url.searchParams.get('client_id')).toBe('gateway');
    expect(url.searchParams.get('post_logout_redirect_uri')).toBe('https://gw.example/');
  });

  it('has none for a broker without an end-session endpoint', () => {
    expect(endSessionUrl(configuration(), 'https://gw.example/')).toBeUndefined();
  });

  it.each(['http://broker.example/logout', 'javascript:alert(1)'])(
    'has none for an endpoint the browser must not be sent to (%s), even with an ID token',
    (endpoint) => {
      expect(endSessionUrl(configuration(endpoint), 'https://gw.example/', 'eyJ.id.token')).toBeUndefined();
    },
  );
});

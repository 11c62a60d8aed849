import type { NextFunction, Request, Response } from 'express';
import { describe, expect, it } from 'vitest';
import { errorHandler } from '../../../src/http/error-handler.js';
import { GatewayError } from '../../../src/http/errors.js';

/** Runs the error handler on an API request and returns what it logged, by level. */
function logged(error: unknown): Record<string, unknown[][]> {
  const calls: Record<string, unknown[][]> = { info: [], warn: [], error: [] };
  const log = Object.fromEntries(
    Object.keys(calls).map((level) => [level, (...args: unknown[]) => calls[level]?.push(args)]),
  );
  const req = { path: '/api/session', log } as unknown as Request;
  const res = {
    headersSent: false,
    status: () => res,
    setHeader: () => res,
    json: () => res,
  } as unknown as Response;
  errorHandler(error, req, res, (() => undefined) as NextFunction);
  return calls;
}

describe('the error handler’s log line', () => {
  it('names a network failure’s code under fetch’s error for an unavailable broker: one warn line, no stack', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    const error = new GatewayError('provider_unavailable', 'The identity provider could not be reached.', {
      status: 503,
      cause: new TypeError('fetch failed', { cause: refused }),
    });
    const calls = logged(error);
    expect(calls.error).toEqual([]);
    expect(calls.warn).toEqual([
      [
        { code: 'provider_unavailable', libraryCode: 'ECONNREFUSED' },
        'request failed: identity provider unavailable',
      ],
    ]);
  });

  it('names the broker’s registered OAuth error, never its description', () => {
    const cause = {
      code: 'OAUTH_AUTHORIZATION_RESPONSE_ERROR',
      error: 'invalid_scope',
      error_description: 'scope ssn is not enabled for client 12345',
    };
    const calls = logged(new GatewayError('provider_error', 'x', { cause }));
    expect(calls.info).toEqual([
      [
        {
          code: 'provider_error',
          status: 400,
          libraryCode: 'OAUTH_AUTHORIZATION_RESPONSE_ERROR',
          brokerError: 'invalid_scope',
        },
        'request refused',
      ],
    ]);
    expect(JSON.stringify(calls)).not.toContain('not enabled');
  });

  it('leaves out a broker error that is not shaped like a registered code', () => {
    for (const error of [
      '<img src=x onerror=alert(1)>',
      'Invalid Scope',
      'x'.repeat(65),
      'ok\nforged line',
    ]) {
      const calls = logged(new GatewayError('provider_error', 'x', { cause: { error } }));
      expect(calls.info?.[0]?.[0]).toEqual({ code: 'provider_error', status: 400 });
    }
  });
});

import express, { type RequestHandler } from 'express';
import { GatewayError } from './errors.js';

/**
 * The body of a JSON API request: `Content-Type: application/json` (else 415
 * `request_unsupported`, also when there is no body), parsed by `express.json` within `limit`
 * (413 `request_too_large`, 400 `request_invalid` for bad JSON), and a JSON object (else 400
 * `request_invalid`: an array, a string or a number is not a request of this API).
 */
export function jsonBody(limit: string): RequestHandler {
  // body-parser makes an empty body `{}`; it shows whether the raw body had any bytes.
  const empty = new WeakSet<object>();
  const parse = express.json({
    limit,
    strict: true,
    verify: (req, _res, buf) => {
      if (buf.length === 0) empty.add(req);
    },
  });
  return (req, res, next) => {
    if (!req.is('application/json')) {
      next(
        new GatewayError(
          'request_unsupported',
          'Send the request as JSON (Content-Type: application/json).',
          {
            status: 415,
          },
        ),
      );
      return;
    }
    parse(req, res, (error?: unknown) => {
      if (error) {
        next(error);
        return;
      }
      const body: unknown = req.body;
      // An empty body is not a JSON object either.
      if (empty.has(req) || typeof body !== 'object' || body === null || Array.isArray(body)) {
        next(new GatewayError('request_invalid', 'The request body must be a JSON object.'));
        return;
      }
      next();
    });
  };
}

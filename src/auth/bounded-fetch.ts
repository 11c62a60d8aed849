import type * as client from 'openid-client';
import { GatewayError } from '../http/errors.js';

/**
 * The most a broker's answer may hold (discovery, JWKS, token, userinfo): 1 MiB, where real
 * ones hold a few kilobytes.
 */
export const MAX_BROKER_RESPONSE_BYTES = 1024 * 1024;

/**
 * `fetch` for openid-client that reads at most `maxBytes` of a response body. openid-client
 * reads a body whole before it checks anything, so without a bound one broker (compromised,
 * or just broken) answering with hundreds of megabytes would hold that much in the gateway's
 * memory per login. A body over the bound is cancelled as soon as it is seen to be (by its
 * `Content-Length`, or while reading) and the request fails as `login_failed`.
 */
export function boundedFetch(maxBytes = MAX_BROKER_RESPONSE_BYTES): client.CustomFetch {
  return async (url, options) => {
    const response = await fetch(url, options as RequestInit);
    const declared = Number(response.headers.get('content-length') ?? 0);
    if (!response.body) return response;
    if (declared > maxBytes) {
      await response.body.cancel().catch(() => undefined);
      throw tooLarge(url, maxBytes);
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = response.body.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      size += read.value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge(url, maxBytes);
      }
      chunks.push(read.value);
    }
    // The headers (content type, WWW-Authenticate, DPoP-Nonce) and status as they came.
    return new Response(Buffer.concat(chunks), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

function tooLarge(url: string, maxBytes: number): GatewayError {
  return new GatewayError('login_failed', 'The answer of the identity provider could not be verified.', {
    cause: new RangeError(`broker response over ${maxBytes} bytes from ${new URL(url).origin}`),
  });
}

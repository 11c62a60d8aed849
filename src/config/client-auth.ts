import type { z } from 'zod';

/**
 * The credential a client's token endpoint authentication needs: a private or public key set
 * for `private_key_jwt` (in `keyField`), a secret for the `client_secret_*` methods. Shared by
 * the gateway's clients at brokers (`schema.ts`) and the chat systems that are clients of the
 * gateway (`handoff-schema.ts`).
 */
export function checkClientAuth(
  client: { clientAuth: string; clientSecret?: string | undefined } & Record<string, unknown>,
  ctx: z.RefinementCtx,
  keyField: 'privateKeyJwk' | 'jwks' = 'privateKeyJwk',
): void {
  if (client.clientAuth === 'private_key_jwt' && !client[keyField]) {
    ctx.addIssue({
      code: 'custom',
      path: [keyField],
      message: 'required when clientAuth is "private_key_jwt"',
    });
  }
  if (client.clientAuth !== 'private_key_jwt' && !client.clientSecret) {
    ctx.addIssue({
      code: 'custom',
      path: ['clientSecret'],
      message: `required when clientAuth is "${client.clientAuth}" (use { "$env": "NAME" })`,
    });
  }
}

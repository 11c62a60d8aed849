import type { z } from 'zod';

/**
 * The credential a client's token endpoint authentication needs: a private or public key set
 * for `private_key_jwt` (in `keyField`), a secret for the `client_secret_*` methods. Shared by
 * the gateway's clients at brokers (`schema.ts`) and the chat systems that are clients of the
 * gateway (`handoff-schema.ts`). The other method's credential beside it is refused as unused.
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
  // The credential of the other method would be read by nothing: an operator who set it (a key
  // meant to replace the secret, a secret left from before) would believe it in use.
  if (client.clientAuth === 'private_key_jwt' && client.clientSecret) {
    ctx.addIssue({
      code: 'custom',
      path: ['clientSecret'],
      message: 'unused with clientAuth "private_key_jwt": remove it, or choose a client_secret_* method',
    });
  }
  if (client.clientAuth !== 'private_key_jwt' && client[keyField]) {
    ctx.addIssue({
      code: 'custom',
      path: [keyField],
      message: `unused with clientAuth "${client.clientAuth}": set clientAuth to "private_key_jwt" to use it`,
    });
  }
}

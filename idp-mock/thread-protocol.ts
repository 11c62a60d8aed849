import type { MockIdpLogger } from './options.js';
import type { Persona } from './personas.js';

/** What the mock IdP's thread (`thread-entry.ts`) reports to `startMockIdpThread`. */
export type ThreadReport =
  | {
      type: 'ready';
      baseUrl: string;
      /** Issuer identifier per hosted issuer id. */
      issuers: Record<string, string>;
      issuerIds: string[];
      personas: Persona[];
    }
  | { type: 'failed'; error: { name: string; message: string; code?: string | undefined } }
  | { type: 'log'; level: keyof MockIdpLogger; obj: object; msg?: string | undefined };

/** What `startMockIdpThread` asks of the thread. */
export type ThreadRequest = { type: 'close' };

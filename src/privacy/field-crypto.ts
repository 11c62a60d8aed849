import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomFillSync } from 'node:crypto';
import { GatewayError } from '../http/errors.js';

/**
 * Encryption of identity fields at rest and the keyed blind index of national identity
 * numbers. Identity data in sessions and stored conversations is sealed with AES-256-GCM;
 * the blind index (HMAC-SHA-256) lets a citizen later find their own conversations for
 * export or erasure without the number ever being stored in plaintext.
 * Both keys are derived from the configured `dataKey` with HKDF so one secret serves both
 * purposes without reuse.
 * @see RFC 5869 (HKDF)
 */
/** IVs drawn from the system's CSPRNG per refill (one call per this many seals). */
const IVS_PER_REFILL = 256;
const IV_BYTES = 12;

export class FieldCrypto {
  readonly #encryptionKey: Buffer;
  /** Fresh random bytes, used up 12 at a time and never twice (a GCM nonce must not repeat). */
  readonly #ivPool = Buffer.alloc(IVS_PER_REFILL * IV_BYTES);
  #ivOffset = this.#ivPool.length;
  readonly #indexKey: Buffer;
  readonly #pseudonymKey: Buffer;

  constructor(dataKey: string) {
    const ikm = Buffer.from(dataKey, 'utf8');
    this.#encryptionKey = Buffer.from(
      hkdfSync('sha256', ikm, Buffer.alloc(0), 'eid-gateway field encryption', 32),
    );
    this.#indexKey = Buffer.from(hkdfSync('sha256', ikm, Buffer.alloc(0), 'eid-gateway blind index', 32));
    this.#pseudonymKey = Buffer.from(hkdfSync('sha256', ikm, Buffer.alloc(0), 'eid-gateway pseudonym', 32));
  }

  /** Encrypts a JSON-serialisable value; the result is `v1.<iv>.<ciphertext+tag>` in base64url. */
  seal(value: unknown): string {
    const iv = this.#nextIv();
    const cipher = createCipheriv('aes-256-gcm', this.#encryptionKey, iv);
    const body = Buffer.concat([
      cipher.update(JSON.stringify(value), 'utf8'),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    return `v1.${iv.toString('base64url')}.${body.toString('base64url')}`;
  }

  /**
   * A random 96-bit GCM nonce. Drawing 3 KiB from the CSPRNG at a time instead of 12 bytes
   * per seal: every value the chat writes to Redis is sealed, and a call per seal showed in
   * the profile. The IV is serialised before the next call can overwrite the pool.
   */
  #nextIv(): Buffer {
    if (this.#ivOffset === this.#ivPool.length) {
      randomFillSync(this.#ivPool);
      this.#ivOffset = 0;
    }
    const iv = this.#ivPool.subarray(this.#ivOffset, this.#ivOffset + IV_BYTES);
    this.#ivOffset += IV_BYTES;
    return iv;
  }

  /** Decrypts what {@link seal} produced. @throws {GatewayError} `sealed_data_invalid` when tampered with. */
  open<T>(sealed: string): T {
    const [version, ivText, bodyText] = sealed.split('.');
    if (version !== 'v1' || !ivText || !bodyText) throw invalidSealed();
    try {
      const body = Buffer.from(bodyText, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', this.#encryptionKey, Buffer.from(ivText, 'base64url'));
      decipher.setAuthTag(body.subarray(body.length - 16));
      const text = Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]);
      return JSON.parse(text.toString('utf8')) as T;
    } catch (error) {
      throw invalidSealed(error);
    }
  }

  /** Keyed blind index of a normalised national identity number. */
  blindIndex(nationalId: string): string {
    return createHmac('sha256', this.#indexKey).update(nationalId).digest('base64url');
  }

  /**
   * A pseudonymous subject for one recipient: keyed HMAC-SHA-256 of the recipient's `scope`
   * (e.g. tenant and chat system) and the citizen's blind index. Stable for the same citizen and
   * recipient, unlinkable across recipients without the key, never the number itself.
   * @see OpenID Connect Core §8.1 (pairwise identifier algorithm)
   */
  pseudonym(scope: string, subjectIndex: string): string {
    return createHmac('sha256', this.#pseudonymKey)
      .update(`${scope.length}:${scope}|${subjectIndex}`)
      .digest('base64url');
  }
}

function invalidSealed(cause?: unknown): GatewayError {
  return new GatewayError('sealed_data_invalid', 'Stored identity data could not be read.', {
    status: 500,
    cause,
  });
}

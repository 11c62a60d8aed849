/**
 * Words a secret typed by a person holds ("my-session-secret", "changeme", the demo's
 * "not-for-production"), compared in lower case without the characters between them. Six
 * letters or more, so that a random secret holds one by chance about once in 10^7.
 */
const PLACEHOLDER_WORDS = ['secret', 'password', 'passwd', 'changeme', 'example', 'replace', 'production'];

/** Fewer different characters than this is no random secret: 32 random hex digits have 14 on average, fewer than 8 about once in 10^7. */
const MIN_DISTINCT_CHARACTERS = 8;

/**
 * Why a secret the operator chose (`session.secret`, `dataKey`, a chat system's client secret)
 * can be guessed, when its shape shows it: one sequence repeated (`"a".repeat(32)`,
 * `changeme-changeme-…`, `0123456789012…`), a handful of different characters, or a word people
 * write in placeholders. The length rule lets all of these through, and a guessed session
 * secret forges session cookies, a guessed data key opens every sealed record and the blind
 * index of national identity numbers. Randomness cannot be measured from one value, so a secret
 * that passes is not thereby random: it is only not one of these.
 */
export function guessableSecret(secret: string): string | undefined {
  const period = repeatingPeriod(secret);
  if (period !== undefined) return `the same ${period} character${period === 1 ? '' : 's'} repeated`;
  const distinct = new Set(secret).size;
  if (distinct < MIN_DISTINCT_CHARACTERS) return `only ${distinct} different characters`;
  const letters = secret.toLowerCase().replace(/[^a-z0-9]/g, '');
  const word = PLACEHOLDER_WORDS.find((w) => letters.includes(w));
  if (word) return `it holds the word "${word}"`;
  return undefined;
}

/** The shortest period of `text` when it is a sequence repeated at least twice (the last time maybe cut short). */
function repeatingPeriod(text: string): number | undefined {
  for (let period = 1; period <= text.length / 2; period += 1) {
    let repeats = true;
    for (let i = period; i < text.length && repeats; i += 1) repeats = text[i] === text[i - period];
    if (repeats) return period;
  }
  return undefined;
}

/** Translates a `chat.*` (or `loa.*`) key with `{name}` placeholders, from the bootstrap catalog. */
export type Translate = (key: string, params?: Record<string, string | number>) => string;

/** Builds the translator; an unknown key shows itself rather than breaking the page. */
export function createTranslator(messages: Record<string, string>): Translate {
  return (key, params) => {
    const text = messages[key] ?? key;
    return params
      ? text.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`))
      : text;
  };
}

/** The catalog key for an `error` frame's code: its own text when the catalog has one, else the generic one. */
export function errorKey(messages: Record<string, string>, code: string): string {
  const key = `chat.error.${code}`;
  return messages[key] ? key : 'chat.error.generic';
}

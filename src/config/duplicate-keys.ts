/**
 * The keys written twice in one object of a JSON text, by path (`tenants.0.providers.1.clientId`).
 * JSON.parse keeps the last value without a word (RFC 8259 §4 leaves duplicates to the parser),
 * so of two `"session"` blocks in a long configuration the first does nothing, its secret or
 * timeout silently replaced. Reads text JSON.parse has already accepted.
 */
export function duplicateKeys(text: string): string[] {
  const found: string[] = [];
  let at = 0;
  const space = () => {
    while (at < text.length && ' \t\n\r'.includes(text[at] as string)) at += 1;
  };
  const string = (): string => {
    const start = at;
    at += 1;
    while (text[at] !== '"') at += text[at] === '\\' ? 2 : 1;
    at += 1;
    return JSON.parse(text.slice(start, at)) as string;
  };
  const value = (path: string[]): void => {
    space();
    const first = text[at];
    if (first === '{') object(path);
    else if (first === '[') array(path);
    else if (first === '"') string();
    else while (at < text.length && !',}] \t\n\r'.includes(text[at] as string)) at += 1;
  };
  const object = (path: string[]): void => {
    const keys = new Set<string>();
    at += 1;
    for (space(); text[at] !== '}'; space()) {
      if (text[at] === ',') at += 1;
      space();
      const key = string();
      space();
      at += 1; // the colon
      if (keys.has(key)) found.push([...path, key].join('.'));
      keys.add(key);
      value([...path, key]);
    }
    at += 1;
  };
  const array = (path: string[]): void => {
    at += 1;
    let index = 0;
    for (space(); text[at] !== ']'; space()) {
      if (text[at] === ',') at += 1;
      value([...path, String(index)]);
      index += 1;
    }
    at += 1;
  };
  value([]);
  return found;
}

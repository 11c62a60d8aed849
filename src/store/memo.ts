/**
 * `compute` remembered for up to `limit` keys; beyond that the memory starts afresh (a bound,
 * not an LRU: the keys are few in use at once, e.g. channels followed, staff subjects). For
 * keyed blind indexes the store needs on every message, an HMAC each time otherwise.
 */
export function boundedMemo(compute: (key: string) => string, limit: number): (key: string) => string {
  const known = new Map<string, string>();
  return (key) => {
    let value = known.get(key);
    if (value === undefined) {
      if (known.size >= limit) known.clear();
      value = compute(key);
      known.set(key, value);
    }
    return value;
  };
}

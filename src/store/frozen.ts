/**
 * Freezes a record and everything in it; returns it for chaining. Stores hand out frozen
 * records so a read can return a kept object (no copy per read) and nobody can change stored
 * state by mutating what they got.
 */
export function frozen<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const nested of Object.values(value)) frozen(nested);
    Object.freeze(value);
  }
  return value;
}

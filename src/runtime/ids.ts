import { randomUUID } from 'node:crypto';

/**
 * A random (v4) UUID as one flat string. Node assembles `randomUUID()`'s result by
 * concatenation, which V8 keeps as a tree of string pieces (about 490 bytes) until something
 * reads its characters; an id that is kept (a stored message's, a socket's) is about 60 bytes
 * once flattened, which reading one character does.
 */
export function newId(): string {
  const id = randomUUID();
  void id.charCodeAt(0);
  return id;
}

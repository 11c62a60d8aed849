import { describe, expect, it } from 'vitest';
import { duplicateKeys } from '../../../src/config/duplicate-keys.js';

describe('duplicateKeys', () => {
  it('finds a key written twice in one object, at any depth, by its path', () => {
    const text = `{
      "port": 3000,
      "session": { "idleMinutes": 30 },
      "tenants": [
        { "id": "a", "providers": [{ "id": "x", "clientId": "1", "clientId": "2" }] },
        { "id": "b", "name": "B \\" \\\\ }", "name": "C" }
      ],
      "session": { "secret": "s" }
    }`;
    expect(duplicateKeys(text)).toEqual(['tenants.0.providers.0.clientId', 'tenants.1.name', 'session']);
  });

  it('finds none where the same key stands in different objects, or escaped differently', () => {
    const text =
      '{"a":{"id":1},"b":{"id":2},"list":[{"id":1},{"id":2}],"k\\u0065y":1,"ke":[],"x":[1,"]",{"y":null}],"e":{}}';
    expect(duplicateKeys(text)).toEqual([]);
  });

  it('reads a key spelt with an escape as the key it is', () => {
    expect(duplicateKeys('{"key": 1, "k\\u0065y": 2}')).toEqual(['key']);
  });
});

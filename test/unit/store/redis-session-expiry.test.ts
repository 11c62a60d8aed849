import { describe, expect, it } from 'vitest';
import { withExpiredEvents } from '../../../src/store/redis-session-expiry.js';

describe('withExpiredEvents (notify-keyspace-events)', () => {
  it('adds the keyevent and expired flags to an empty setting', () => {
    expect(withExpiredEvents('')).toBe('Ex');
  });

  it('keeps every flag already set and adds only what is missing', () => {
    expect(withExpiredEvents('Kl')).toBe('KlEx');
    expect(withExpiredEvents('xK')).toBe('xKE');
    expect(withExpiredEvents('Eg')).toBe('Egx');
  });

  it('counts A as including expired events', () => {
    expect(withExpiredEvents('AK')).toBe('AKE');
    expect(withExpiredEvents('AE')).toBeUndefined();
  });

  it('changes nothing when expired keyevents are already on', () => {
    expect(withExpiredEvents('Ex')).toBeUndefined();
    expect(withExpiredEvents('gxKE')).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { addressOf } from '@/lib/auth/address';

describe('client address', () => {
  it('takes the hop nearest to us, never the client-chosen left-most entry', () => {
    expect(addressOf(new Headers({ 'x-forwarded-for': '6.6.6.6, 203.0.113.7' }))).toBe('203.0.113.7');
    expect(addressOf(new Headers({ 'x-forwarded-for': '::ffff:127.0.0.1' }))).toBe('::ffff:127.0.0.1');
    expect(addressOf(new Headers({ 'x-real-ip': '198.51.100.1' }))).toBe('198.51.100.1');
    expect(addressOf(new Headers())).toBeNull();
  });
});

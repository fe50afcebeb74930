import { describe, expect, it } from 'vitest';
import { clientRateLimitKey } from '../../../server/http/client-key.ts';

describe('clientRateLimitKey', () => {
  it('keeps an IPv4 address as it is', () => {
    expect(clientRateLimitKey('192.0.2.7')).toBe('192.0.2.7');
    expect(clientRateLimitKey('192.0.2.8')).not.toBe(clientRateLimitKey('192.0.2.7'));
  });

  it('groups IPv6 addresses by /64 however they are written', () => {
    const key = clientRateLimitKey('2001:db8:1:2::1');
    expect(key).toBe('2001:db8:1:2::/64');
    for (const same of ['2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:0DB8:0001:0002:0:0:0:9', '2001:db8:1:2:a:b:1.2.3.4'])
      expect(clientRateLimitKey(same), same).toBe(key);
    for (const other of ['2001:db8:1:3::1', '2001:db8::1', '::1', 'fe80::1%eth0'])
      expect(clientRateLimitKey(other), other).not.toBe(key);
    expect(clientRateLimitKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientRateLimitKey('::1')).toBe('0:0:0:0::/64');
  });

  it('treats an IPv4-mapped IPv6 address as the IPv4 address', () => {
    expect(clientRateLimitKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(clientRateLimitKey('::ffff:c000:207')).toBe('192.0.2.7');
  });
});

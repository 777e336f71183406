import { describe, expect, it } from 'vitest';
import { addressKey, prefixKey } from '../../../signal-server/address';

describe('address keys', () => {
  it('IPv4 as is; IPv4-mapped IPv6 unwrapped; IPv6 by /64 whatever its spelling', () => {
    expect(addressKey('192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002:ffff:0:0:7')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2:3:4:5:6%eth0')).toBe('2001:db8:1:2::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('not an address')).toBe('not an address');
  });

  it('bootstrap prefixes: IPv4 /24, IPv6 /48, from an address or its key', () => {
    expect(prefixKey('203.0.113.9')).toBe('203.0.113.0/24');
    expect(prefixKey('2001:db8:1:2::1')).toBe('2001:db8:1::/48');
    expect(prefixKey(addressKey('2001:db8:1:ffff::9'))).toBe('2001:db8:1::/48');
  });
});

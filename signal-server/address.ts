/**
 * Client addresses as the limits see them. Per-address limits key on `addressKey`: an IPv4
 * address as is, an IPv6 address by its /64 (one subscriber's allocation: anyone holding a /64
 * has 2^64 addresses for free). Bootstrap samples spread over `prefixKey`: IPv4 /24, IPv6 /48,
 * so that one operator's block of addresses counts once.
 */

/** The eight 16-bit groups of an IPv6 address, or null when it is not one. */
function ipv6Groups(ip: string): number[] | null {
  let s = ip;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (!s.includes(':')) return null;
  // a trailing dotted IPv4 (::ffff:1.2.3.4, 64:ff9b::1.2.3.4) is two groups
  const dot = s.lastIndexOf(':');
  const tail = s.slice(dot + 1);
  if (tail.includes('.')) {
    const v4 = ipv4Octets(tail);
    if (!v4) return null;
    s = `${s.slice(0, dot + 1)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const parse = (h: string): number[] | null => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  if (!head || !rest) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  const fill = 8 - head.length - rest.length;
  if (fill < 1) return null;
  return [...head, ...new Array<number>(fill).fill(0), ...rest];
}

function ipv4Octets(ip: string): number[] | null {
  const parts = ip.split('.');
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out.push(n);
  }
  return out;
}

const hex = (groups: number[]): string => groups.map((g) => g.toString(16)).join(':');

/** The key per-address limits use: IPv4 as is (IPv4-mapped IPv6 unwrapped), IPv6 by its /64. */
export function addressKey(ip: string): string {
  const g = ipv6Groups(ip);
  if (!g) return ip;
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return `${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`;
  return `${hex(g.slice(0, 4))}::/64`;
}

/** The network a bootstrap sample spreads over: IPv4 /24, IPv6 /48. Takes an address or an addressKey. */
export function prefixKey(ip: string): string {
  const v4 = ipv4Octets(ip);
  if (v4) return `${v4[0]}.${v4[1]}.${v4[2]}.0/24`;
  const g = ipv6Groups(ip.endsWith('/64') ? ip.slice(0, -3) : ip);
  if (!g) return ip;
  return `${hex(g.slice(0, 3))}::/48`;
}

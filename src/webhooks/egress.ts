import dns from 'node:dns';
import net from 'node:net';

// Where webhook callbacks may connect. Public unicast addresses are always fine; loopback,
// private, link-local, metadata and other special ranges are refused unless an allow-list entry
// (COMMONPLACE_WEBHOOK_ALLOWED_HOSTS, or the integration's own list) names the host or a CIDR
// that holds the address. The check runs on every address the host name resolves to, and again
// on the address actually connected to (see guardedLookup), so DNS rebinding cannot slip past.

interface Range {
  cidr: string;
  kind: 'loopback' | 'private' | 'link-local' | 'metadata' | 'unspecified' | 'multicast' | 'reserved' | 'shared' | 'documentation';
}

// Most specific first: metadata addresses sit inside link-local and private ranges.
const SPECIAL: Range[] = [
  { cidr: '169.254.169.254/32', kind: 'metadata' },
  { cidr: '169.254.170.2/32', kind: 'metadata' },
  { cidr: '100.100.100.200/32', kind: 'metadata' },
  { cidr: '192.0.0.192/32', kind: 'metadata' },
  { cidr: 'fd00:ec2::254/128', kind: 'metadata' },
  { cidr: '0.0.0.0/8', kind: 'unspecified' },
  { cidr: '10.0.0.0/8', kind: 'private' },
  { cidr: '100.64.0.0/10', kind: 'shared' },
  { cidr: '127.0.0.0/8', kind: 'loopback' },
  { cidr: '169.254.0.0/16', kind: 'link-local' },
  { cidr: '172.16.0.0/12', kind: 'private' },
  { cidr: '192.0.0.0/24', kind: 'reserved' },
  { cidr: '192.0.2.0/24', kind: 'documentation' },
  { cidr: '192.168.0.0/16', kind: 'private' },
  { cidr: '198.18.0.0/15', kind: 'reserved' },
  { cidr: '198.51.100.0/24', kind: 'documentation' },
  { cidr: '203.0.113.0/24', kind: 'documentation' },
  { cidr: '224.0.0.0/4', kind: 'multicast' },
  { cidr: '240.0.0.0/4', kind: 'reserved' },
  { cidr: '::/128', kind: 'unspecified' },
  { cidr: '::1/128', kind: 'loopback' },
  { cidr: '100::/64', kind: 'reserved' },
  { cidr: '64:ff9b:1::/48', kind: 'private' },
  { cidr: '2001:db8::/32', kind: 'documentation' },
  { cidr: 'fc00::/7', kind: 'private' },
  { cidr: 'fe80::/10', kind: 'link-local' },
  { cidr: 'ff00::/8', kind: 'multicast' },
];

function family(address: string): 'ipv4' | 'ipv6' {
  return net.isIPv4(address) ? 'ipv4' : 'ipv6';
}

function addCidr(list: net.BlockList, cidr: string): void {
  const [address, bits] = cidr.split('/');
  const type = family(address);
  if (bits === undefined) list.addAddress(address, type);
  else list.addSubnet(address, Number(bits), type);
}

const rangeLists = SPECIAL.map((r) => {
  const list = new net.BlockList();
  addCidr(list, r.cidr);
  return { ...r, list };
});

/** The eight 16-bit groups of an IPv6 address (a trailing dotted quad and a zone id allowed), or undefined. */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.toLowerCase().replace(/%.*$/, '');
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number);
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const part = (h: string) => (h === '' ? [] : h.split(':').map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : Number.NaN)));
  const head = part(halves[0]);
  const tail = halves.length === 2 ? part(halves[1]) : [];
  const fill = 8 - head.length - tail.length;
  if ((halves.length === 2 ? fill < 1 : fill !== 0) || [...head, ...tail].some(Number.isNaN)) return undefined;
  return [...head, ...Array(halves.length === 2 ? fill : 0).fill(0), ...tail];
}

const quadOf = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;

/**
 * The IPv4 address an IPv6 address carries, where the connection may end up at it: IPv4-mapped
 * (::ffff:a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64
 * (64:ff9b::a.b.c.d) and 6to4 (2002:AABB:CCDD::).
 */
function embeddedIpv4(address: string): string | undefined {
  const g = ipv6Groups(address);
  if (!g) return undefined;
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && g[5] === 0xffff) return quadOf(g[6], g[7]);
  if (zeros(0, 4) && g[4] === 0xffff && g[5] === 0) return quadOf(g[6], g[7]);
  if (zeros(0, 6) && (g[6] !== 0 || g[7] > 1)) return quadOf(g[6], g[7]);
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return quadOf(g[6], g[7]);
  if (g[0] === 0x2002) return quadOf(g[1], g[2]);
  return undefined;
}

/** Why an address is special (loopback, private…), or undefined for a public unicast address. */
export function specialKind(address: string): Range['kind'] | undefined {
  const v4 = net.isIPv6(address) ? embeddedIpv4(address) : undefined;
  if (v4) return specialKind(v4);
  const type = family(address);
  return rangeLists.find((r) => r.list.check(address, type))?.kind;
}

/** An allow-list: host names (exact or `*.suffix`) and IP addresses or CIDRs. */
export class AllowList {
  private readonly hosts = new Set<string>();
  private readonly suffixes: string[] = [];
  private readonly nets = new net.BlockList();
  readonly entries: readonly string[];

  constructor(entries: readonly string[]) {
    this.entries = entries;
    for (const raw of entries) {
      const entry = raw.trim().toLowerCase().replace(/^\[|\]$/g, '');
      if (!entry) continue;
      const [address, bits] = entry.split('/');
      if (net.isIP(address)) {
        const max = net.isIPv4(address) ? 32 : 128;
        if (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= max)) throw new Error(`"${raw}" is not a valid CIDR`);
        addCidr(this.nets, entry);
      } else if (entry.startsWith('*.')) this.suffixes.push(entry.slice(1));
      else if (/^[a-z0-9.-]+$/.test(entry)) this.hosts.add(entry);
      else throw new Error(`"${raw}" is neither a host name, an IP address nor a CIDR`);
    }
  }

  /** Checks entries without building a list; returns the first problem. */
  static problem(entries: readonly string[]): string | undefined {
    try {
      new AllowList(entries);
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  }

  allowsHost(host: string): boolean {
    const h = host.toLowerCase().replace(/\.$/, '');
    return this.hosts.has(h) || this.suffixes.some((s) => h.endsWith(s));
  }

  allowsAddress(address: string): boolean {
    const v4 = net.isIPv6(address) ? embeddedIpv4(address) : undefined;
    if (v4 && this.nets.check(v4, 'ipv4')) return true;
    return this.nets.check(address, family(address));
  }

  merge(other: readonly string[]): AllowList {
    return other.length ? new AllowList([...this.entries, ...other]) : this;
  }
}

/** A refused callback: `reason` says why, in words an admin can act on. */
export class EgressRefused extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** Refusal text for an address, or undefined when the address may be reached. */
export function addressRefusal(host: string, address: string, allow: AllowList): string | undefined {
  if (allow.allowsHost(host) || allow.allowsAddress(address)) return undefined;
  const kind = specialKind(address);
  if (!kind) return undefined;
  const resolved = host === address ? address : `${host} resolves to ${address}`;
  return `egress refused: ${resolved}, a ${kind} address; allow it with COMMONPLACE_WEBHOOK_ALLOWED_HOSTS or the integration's allowed hosts`;
}

/** Checks a callback URL's form: http(s), a host, no credentials. Throws EgressRefused. */
export function checkUrlForm(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new EgressRefused(`"${raw}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new EgressRefused(`callback URLs must be http or https, not ${url.protocol.replace(':', '')}`);
  if (url.username || url.password) throw new EgressRefused('callback URLs must not carry credentials');
  if (!url.hostname) throw new EgressRefused('callback URL has no host');
  return url;
}

function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/** Resolves a callback URL's host and checks every address. Throws EgressRefused. */
export async function checkCallback(raw: string, allow: AllowList): Promise<URL> {
  const url = checkUrlForm(raw);
  const host = hostOf(url);
  let addresses: string[];
  if (net.isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await dns.promises.lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch (error) {
      throw new EgressRefused(`cannot resolve ${host}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  for (const address of addresses) {
    const refusal = addressRefusal(host, address, allow);
    if (refusal) throw new EgressRefused(refusal);
  }
  return url;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * A `lookup` for net/tls.connect that resolves as usual and refuses special addresses, so the
 * address actually connected to passes the same check as the one the URL was vetted with.
 */
export function guardedLookup(allow: AllowList) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '');
      const list = addresses as dns.LookupAddress[];
      for (const a of list) {
        const refusal = addressRefusal(hostname, a.address, allow);
        if (refusal) return callback(Object.assign(new EgressRefused(refusal), { code: 'EGRESS_REFUSED' }), '');
      }
      if (options.all) return callback(null, list);
      callback(null, list[0].address, list[0].family);
    });
  };
}

/**
 * Which network addresses a tenant-supplied remote (the BetaPRO API address an account admin types)
 * may reach. Every account admin is an untrusted user, so by default the app refuses anything that is
 * not a public internet address: loopback, private, link-local, carrier-grade NAT, multicast,
 * unspecified, reserved and documentation ranges, in IPv4 and IPv6, including IPv6 forms that embed
 * an IPv4 address (mapped ::ffff:a.b.c.d, compatible ::a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16).
 *
 * The check runs at connect time on every address the host name resolves to (a DNS answer may change
 * between the settings check and the call), and on IP literals before the request. See
 * docs/security-remotes.md.
 */
import dns from 'node:dns';
import net from 'node:net';
import { AppError } from '@/lib/core/errors';

const BLOCKED_V4: Array<[string, number]> = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];

// IPv6 ranges refused outright. Ranges that embed an IPv4 address are decided by that address instead.
const BLOCKED_V6: Array<[string, number]> = [
  ['::', 128],
  ['::1', 128],
  ['100::', 64],
  ['2001::', 32],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
];

const blockedV4 = new net.BlockList();
for (const [prefix, bits] of BLOCKED_V4) blockedV4.addSubnet(prefix, bits, 'ipv4');
const blockedV6 = new net.BlockList();
for (const [prefix, bits] of BLOCKED_V6) blockedV6.addSubnet(prefix, bits, 'ipv6');

/** The eight 16-bit groups of an IPv6 address (a trailing dotted quad is folded in). */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.toLowerCase();
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad) {
    const octets = quad[1].split('.').map(Number);
    text = text.slice(0, -quad[1].length) + `${((octets[0] << 8) | octets[1]).toString(16)}:${((octets[2] << 8) | octets[3]).toString(16)}`;
  }
  const [head, tail, extra] = text.split('::');
  if (extra !== undefined) return undefined;
  const left = head ? head.split(':') : [];
  const right = tail !== undefined && tail ? tail.split(':') : [];
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  const groups = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...right].map((g) => parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

function v4FromGroups(high: number, low: number): string {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/** The IPv4 address an IPv6 address carries (mapped, compatible, translated, NAT64, 6to4), if any. */
export function embeddedIpv4(address: string): string | undefined {
  const g = ipv6Groups(address);
  if (!g) return undefined;
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && (g[5] === 0xffff || g[5] === 0)) return v4FromGroups(g[6], g[7]); // ::ffff:a.b.c.d, ::a.b.c.d
  if (zeros(0, 4) && g[4] === 0xffff && g[5] === 0) return v4FromGroups(g[6], g[7]); // ::ffff:0:a.b.c.d
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return v4FromGroups(g[6], g[7]); // 64:ff9b::/96
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) return v4FromGroups(g[6], g[7]); // 64:ff9b:1::/48
  if (g[0] === 0x2002) return v4FromGroups(g[1], g[2]); // 6to4
  return undefined;
}

/** True when `address` (an IP literal) is a public internet address. Anything unparsable is not. */
export function isPublicAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  if (bare.includes('%')) return false; // an IPv6 zone id names a local interface
  const family = net.isIP(bare);
  if (family === 4) return !blockedV4.check(bare, 'ipv4');
  if (family !== 6) return false;
  const inner = embeddedIpv4(bare);
  if (inner !== undefined) return net.isIPv4(inner) && !blockedV4.check(inner, 'ipv4');
  return !blockedV6.check(bare, 'ipv6');
}

export const ADDRESS_REFUSED = 'ERR_REMOTE_ADDRESS_REFUSED';

type ResolvedAddress = { address: string; family: 4 | 6 };
type LookupCallback = (error: Error | null, address: ResolvedAddress | ResolvedAddress[], family?: 4 | 6) => void;

/**
 * A `lookup` for axios (handed to the socket at connect time) that resolves every address of the
 * host and fails the connection when any of them is not public, so a host resolving to both a public
 * and an internal address cannot be used to reach the internal one. Callback style on purpose: axios
 * tells promise lookups from callback ones by the function's kind, which transpilation may change.
 */
export function publicOnlyLookup(hostname: string, options: object, callback: LookupCallback): void {
  dns.lookup(hostname, { all: true, verbatim: true }, (error, entries) => {
    if (error) return callback(error, []);
    const refused = entries.find((entry) => !isPublicAddress(entry.address));
    if (refused || entries.length === 0) {
      const problem = new Error(`${hostname} resolves to a non-public address ${refused?.address ?? '(none)'}`);
      return callback(Object.assign(problem, { code: ADDRESS_REFUSED }), []);
    }
    const addresses = entries.map((entry): ResolvedAddress => ({
      address: entry.address,
      family: entry.family === 6 ? 6 : 4,
    }));
    if ((options as { all?: boolean }).all) return callback(null, addresses);
    callback(null, addresses[0], addresses[0].family);
  });
}

export interface RemoteAddressPolicy {
  /** Plain http and loopback/private hosts allowed (BETAPRO_ALLOW_PRIVATE_HOSTS=true). */
  allowPrivateHosts: boolean;
}

/** The user-facing refusal of a remote address, with what exactly is wrong. */
export function addressRefused(internal: string, userMessage: string): AppError {
  return new AppError('NOT_CONFIGURED', internal, {
    userMessage,
    retryable: false,
    details: { reason: ADDRESS_REFUSED },
  });
}

export function isAddressRefused(error: unknown): boolean {
  return error instanceof AppError && (error.details as { reason?: string } | undefined)?.reason === ADDRESS_REFUSED;
}

/**
 * Checks a base URL's form before any connection: https (unless private hosts are allowed), no user
 * name or password, no query or fragment, and an IP-literal host must be public (sockets skip
 * `lookup` for IP literals). Host names are checked at connect time by publicOnlyLookup.
 */
export function assertRemoteBaseUrl(raw: string, policy: RemoteAddressPolicy, remote = 'БетаПРО'): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw addressRefused(`not a URL: ${raw.slice(0, 200)}`, `Адрес API ${remote} не похож на URL. Пример: https://api.example.ru/grh/api`);
  }
  if (url.protocol !== 'https:' && !(policy.allowPrivateHosts && url.protocol === 'http:')) {
    throw addressRefused(`scheme ${url.protocol} refused`, `Адрес API ${remote} должен начинаться с https://.`);
  }
  if (url.username || url.password || url.search || url.hash || raw.includes('?') || raw.includes('#')) {
    throw addressRefused(
      'userinfo, query or fragment in base URL',
      `Адрес API ${remote} не должен содержать имя пользователя, пароль, параметры (?…) или якорь (#…): учётные данные вводятся в отдельных полях.`,
    );
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!policy.allowPrivateHosts) {
    // Host names (localhost included) are checked on every connection by publicOnlyLookup.
    if (net.isIP(host) !== 0 && !isPublicAddress(host)) {
      throw addressRefused(`host ${host} is not a public address`, internalHostMessage(remote));
    }
  }
  return url;
}

export function internalHostMessage(remote = 'БетаПРО'): string {
  return `Адрес API ${remote} указывает на внутреннюю сеть (localhost, частные или служебные адреса): такие адреса запрещены. Укажите публичный адрес API ${remote}.`;
}

/**
 * For saving settings: refuses a host name that resolves now to a non-public address, so the admin
 * learns it at once rather than from failing jobs. A name that does not resolve at the moment is let
 * through (DNS may be briefly down); every connection is checked again by publicOnlyLookup anyway.
 */
export async function assertResolvesPublic(url: URL, policy: RemoteAddressPolicy, remote = 'БетаПРО'): Promise<void> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (policy.allowPrivateHosts || net.isIP(host) !== 0) return;
  let entries: Array<{ address: string }>;
  try {
    entries = await dns.promises.lookup(host, { all: true, verbatim: true });
  } catch {
    return;
  }
  const refused = entries.find((entry) => !isPublicAddress(entry.address));
  if (refused) throw addressRefused(`${host} resolves to a non-public address ${refused.address}`, internalHostMessage(remote));
}

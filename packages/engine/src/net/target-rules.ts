/**
 * Rules of the target policy (docs/security.md, "Target policy"), parsed once with ipaddr.js so that
 * every notation of an address means the same: `127.1`, `2130706433`, `0x7f000001`, `0177.0.0.1` and
 * `::ffff:127.0.0.1` are all 127.0.0.1. A rule is one of
 *
 *   `*`                        every address
 *   `10.0.0.0/8`, `fe80::/10`   a CIDR range
 *   `10.1.2.3`, `::1`           one address
 *   `sut.example.com`           a host name, as the case writes it
 *   `*.example.com`             every name under a domain (not the domain itself)
 *
 * each optionally followed by `:port` (IPv6 in brackets: `[::1]:8080`, `[fd00::/8]:443`).
 */
import ipaddr from 'ipaddr.js';

/** An address as ipaddr.js parses it. */
export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

/** A parsed rule. */
export interface TargetRule {
  /** As written (for messages). */
  readonly text: string;
  readonly source: string;
  readonly port: number | undefined;
  /** A range (addresses), or a host name / `*.domain` suffix (names), or `*` (everything). */
  readonly range: [IpAddress, number] | undefined;
  readonly name: string | undefined;
  readonly suffix: string | undefined;
  /**
   * How specific the rule is, 0 to 128, for "the most specific rule decides": an IPv4 prefix of n
   * bits counts 96 + n (its place in IPv6), an IPv6 prefix n, a host name 128, `*.domain` 127, `*` 0.
   */
  readonly specificity: number;
}

const NAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/**
 * Parses an address in any notation ipaddr.js reads (IPv4-mapped IPv6 becomes IPv4, a zone id is
 * dropped), or undefined when `text` is not an address.
 */
export function parseAddress(text: string): IpAddress | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (!ipaddr.isValid(bare)) return undefined;
  const address = ipaddr.process(bare);
  if (address.kind() === 'ipv6') (address as ipaddr.IPv6).zoneId = undefined;
  return address;
}

/**
 * The address a connection to `address` reaches, for matching: 0.0.0.0 and :: connect to this
 * machine, as 127.0.0.1 and ::1 do.
 */
export function reachedAddress(address: IpAddress): IpAddress {
  if (address.range() !== 'unspecified') return address;
  return ipaddr.parse(address.kind() === 'ipv4' ? '127.0.0.1' : '::1');
}

/** `1.2.3.4` or `[::1]` as a URL writes it. */
export function showAddress(address: IpAddress): string {
  return address.kind() === 'ipv6' ? `[${address.toString()}]` : address.toString();
}

/** A host name in the form names are compared: lower case, no trailing dot, no brackets. */
export function normalName(host: string): string {
  let name = host.toLowerCase();
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (name.startsWith('[') && name.endsWith(']')) name = name.slice(1, -1);
  return name;
}

/** Splits `host:port` (`[v6]:port`, bare IPv6 without port); an error text for a bad port. */
function splitPort(text: string): { host: string; port: number | undefined } | string {
  let host = text;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return 'has "[" without "]"';
    host = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) return 'has text after "]" that is not ":port"';
      portText = rest.slice(1);
    }
  } else {
    const first = text.indexOf(':');
    if (first >= 0 && first === text.lastIndexOf(':')) {
      host = text.slice(0, first);
      portText = text.slice(first + 1);
    }
  }
  if (portText === undefined) return { host, port: undefined };
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) return `has port "${portText}": a port is 1 to 65535`;
  return { host, port };
}

/** Parses one rule; returns why it is not one instead of throwing. */
export function parseTargetRule(text: string, source: string): TargetRule | string {
  const trimmed = text.trim();
  if (trimmed === '') return 'is empty';
  const split = splitPort(trimmed);
  if (typeof split === 'string') return split;
  const { host, port } = split;
  const base = { text: trimmed, source, port };
  if (host === '*') return { ...base, range: undefined, name: undefined, suffix: undefined, specificity: 0 };
  if (host.includes('/')) {
    if (!ipaddr.isValidCIDR(host)) return 'is not a valid CIDR range';
    let [address, bits] = ipaddr.parseCIDR(host);
    if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
      address = (address as ipaddr.IPv6).toIPv4Address();
      bits -= 96;
    }
    const specificity = address.kind() === 'ipv4' ? 96 + bits : bits;
    return { ...base, range: [address, bits], name: undefined, suffix: undefined, specificity };
  }
  const address = parseAddress(host);
  if (address !== undefined) {
    const bits = address.kind() === 'ipv4' ? 32 : 128;
    return { ...base, range: [address, bits], name: undefined, suffix: undefined, specificity: 128 };
  }
  const name = normalName(host);
  if (name.startsWith('*.') && NAME.test(name.slice(2))) {
    return { ...base, range: undefined, name: undefined, suffix: name.slice(1), specificity: 127 };
  }
  if (!NAME.test(name)) return 'is not an address, a CIDR range, a host name, "*.domain" or "*"';
  return { ...base, range: undefined, name, suffix: undefined, specificity: 128 };
}

/** True when `rule` covers `address` (parsed, may be undefined) reached as `hostname` on `port`. */
export function ruleMatches(rule: TargetRule, address: IpAddress | undefined, hostname: string | undefined, port: number): boolean {
  if (rule.port !== undefined && rule.port !== port) return false;
  if (rule.range !== undefined) {
    if (address === undefined || address.kind() !== rule.range[0].kind()) return false;
    return address.match(rule.range as [ipaddr.IPv4, number]);
  }
  if (rule.name !== undefined) return hostname !== undefined && hostname === rule.name;
  if (rule.suffix !== undefined) return hostname !== undefined && hostname.endsWith(rule.suffix);
  return true;
}

/**
 * The target policy compiled (docs/security.md, "Target policy"): decides whether the engine may
 * connect to an address and port, reached through a host name or not. `reserved` rules are always
 * denied; otherwise the most specific rule of `allow` and `deny` matching the target decides (a
 * longer prefix first, then a rule with a port over one without; a tie denies); no rule matching
 * allows. Link-local and cloud metadata addresses are denied by default.
 *
 * Enforcement happens where a connection is made (connect.ts): the address a name resolves to is
 * checked inside the lookup of that very connect (so DNS rebinding gains nothing), and a literal
 * address, which Node connects without a lookup, is checked before connecting.
 */
import dns from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import type { TargetPolicySpec } from '@perftest/model';
import { normalName, parseAddress, parseTargetRule, reachedAddress, ruleMatches, showAddress, type IpAddress, type TargetRule } from './target-rules.js';

/** Denied by default: link-local addresses (cloud metadata lives there) and the EC2 IPv6 metadata address. */
export const DEFAULT_DENY: TargetPolicySpec['deny'] = [
  { rule: '169.254.0.0/16', source: 'link-local and cloud metadata, denied by default' },
  { rule: 'fe80::/10', source: 'link-local, denied by default' },
  { rule: 'fd00:ec2::254', source: 'cloud metadata, denied by default' },
];

/** The default policy: only DEFAULT_DENY. */
export const DEFAULT_TARGET_POLICY: TargetPolicySpec = { allow: [], deny: [...DEFAULT_DENY], reserved: [] };

/** Scheme, host and port of a target URL. */
const URL_TARGET = /^([a-z][a-z0-9+.-]*):\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^/:?#]*)(?::(\d+))?/i;
/** The port a scheme connects to when the URL names none. */
const DEFAULT_PORTS: Record<string, number> = { http: 80, https: 443, ws: 80, wss: 443, mqtt: 1883, mqtts: 8883, ssl: 8883, rtmp: 1935 };

/** Resolves a host name to every address (the default is dns.lookup). */
export type TargetResolver = (hostname: string, options: { family?: number; hints?: number }) => Promise<LookupAddress[]>;

/** A connection refused by the policy; its message starts with "target denied by policy:". */
export class TargetDeniedError extends Error {
  override readonly name = 'TargetDeniedError';
}

/** The callback of a Node lookup function (net, tls, dgram, http). */
type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
/** A lookup function as net.connect, dgram.createSocket and http.request take it. */
export type PolicyLookup = (hostname: string, options: LookupOptions | number, callback: LookupCallback) => void;

const systemResolver: TargetResolver = (hostname, options) =>
  dns.promises.lookup(hostname, { all: true, family: options.family ?? 0, hints: options.hints ?? 0 });

/** Every rule of a spec list, parsed; throws naming the first invalid one. */
function parseRules(list: TargetPolicySpec['deny']): TargetRule[] {
  return list.map(({ rule, source }) => {
    const parsed = parseTargetRule(rule, source);
    if (typeof parsed === 'string') throw new Error(`target rule "${rule}" (${source}) ${parsed}`);
    return parsed;
  });
}

/** `1.2.3.4:80` / `[::1]:80`, with the name it was reached through when there is one. */
function describeTarget(address: IpAddress | undefined, text: string, hostname: string | undefined, port: number): string {
  const shown = address === undefined ? text : showAddress(address);
  const via = hostname !== undefined && hostname !== '' && parseAddress(hostname) === undefined ? ` (${hostname})` : '';
  return `${shown}:${port}${via}`;
}

/** A compiled policy; one per engine run or thread, shared by every driver. */
export class TargetPolicy {
  private readonly allow: TargetRule[];
  private readonly deny: TargetRule[];
  private readonly reserved: TargetRule[];
  private readonly lookups = new Map<number, PolicyLookup>();

  private constructor(
    spec: TargetPolicySpec,
    private readonly resolve: TargetResolver,
  ) {
    this.allow = parseRules(spec.allow);
    this.deny = parseRules(spec.deny);
    this.reserved = parseRules(spec.reserved);
  }

  /** Compiles a spec (throws on an invalid rule: builders validate with parseTargetRule first). */
  static compile(spec: TargetPolicySpec, options: { resolve?: TargetResolver } = {}): TargetPolicy {
    return new TargetPolicy(spec, options.resolve ?? systemResolver);
  }

  /**
   * Why connecting to `address` (any notation) on `port`, reached through `hostname`, is denied, or
   * undefined when it is allowed.
   */
  denial(address: string, port: number, hostname?: string): string | undefined {
    const parsed = parseAddress(address);
    const reached = parsed === undefined ? undefined : reachedAddress(parsed);
    const name = hostname === undefined ? undefined : normalName(hostname);
    for (const rule of this.reserved) {
      if (ruleMatches(rule, reached, name, port)) {
        return `target denied by policy: ${describeTarget(parsed, address, name, port)} is ${rule.source} (${rule.text})`;
      }
    }
    let best: TargetRule | undefined;
    let bestDenies = false;
    const consider = (rule: TargetRule, denies: boolean): void => {
      if (!ruleMatches(rule, reached, name, port)) return;
      if (best !== undefined) {
        const order = rule.specificity - best.specificity || Number(rule.port !== undefined) - Number(best.port !== undefined);
        if (order < 0 || (order === 0 && (bestDenies || !denies))) return;
      }
      best = rule;
      bestDenies = denies;
    };
    for (const rule of this.allow) consider(rule, false);
    for (const rule of this.deny) consider(rule, true);
    if (best === undefined || !bestDenies) return undefined;
    const rule = best as TargetRule;
    return `target denied by policy: ${describeTarget(parsed, address, name, port)} matches ${rule.text} (${rule.source})`;
  }

  /**
   * Why connecting to `host` on `port` is denied when `host` is an address literal (in any notation;
   * Node connects to those without a lookup), or undefined (allowed, or a name: its lookup decides).
   */
  literalDenial(host: string, port: number): string | undefined {
    if (parseAddress(host) === undefined) return undefined;
    return this.denial(host, port);
  }

  /**
   * Why the target of `url` (`scheme://host[:port]/...`; `defaultScheme` when it has none) is denied
   * when its host is an address literal, or undefined (allowed, a name, a templated URL, or a
   * scheme without a known default port and no port).
   */
  urlDenial(url: string, defaultScheme = 'http'): string | undefined {
    const text = url.trim();
    if (text.includes('${')) return undefined;
    const match = URL_TARGET.exec(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `${defaultScheme}://${text}`);
    if (match === null) return undefined;
    const port = match[3] !== undefined ? Number(match[3]) : DEFAULT_PORTS[match[1].toLowerCase()];
    if (port === undefined || !(port >= 1 && port <= 65535)) return undefined;
    return this.literalDenial(match[2], port);
  }

  /**
   * The lookup function for connections to `port`: resolves as the system would, drops the denied
   * addresses, and fails with TargetDeniedError when none is left. One function per port, kept.
   */
  lookupFor(port: number): PolicyLookup {
    let lookup = this.lookups.get(port);
    if (lookup === undefined) {
      lookup = (hostname, options, callback) => this.lookup(hostname, port, options, callback);
      this.lookups.set(port, lookup);
    }
    return lookup;
  }

  private lookup(hostname: string, port: number, options: LookupOptions | number, callback: LookupCallback): void {
    const opts: LookupOptions = typeof options === 'number' ? { family: options } : (options ?? {});
    const family = opts.family === 'IPv4' ? 4 : opts.family === 'IPv6' ? 6 : (opts.family ?? 0);
    this.resolve(hostname, { family, hints: opts.hints }).then(
      (addresses) => {
        const allowed: LookupAddress[] = [];
        let denied: string | undefined;
        for (const entry of addresses) {
          const reason = this.denial(entry.address, port, hostname);
          if (reason === undefined) allowed.push(entry);
          else denied ??= reason;
        }
        if (allowed.length === 0) {
          const error = new TargetDeniedError(denied ?? `target denied by policy: ${hostname} resolved to no address`);
          callback(error, opts.all ? [] : '');
        } else if (opts.all) callback(null, allowed);
        else callback(null, allowed[0].address, allowed[0].family);
      },
      (error: NodeJS.ErrnoException) => callback(error, opts.all ? [] : ''),
    );
  }
}

/**
 * Builds the target policy a process runs with (docs/security.md, "Target policy"), from what its
 * configuration says: the operator's allow and deny lists, the endpoints no rule may open (the API's
 * own listen address and port, the database's), and the link-local and metadata addresses denied
 * by default. Host names are resolved once here, so that a denied name is denied by address too.
 * The API and the worker call it at start-up; the result is plain data handed to every run.
 */
import dns from 'node:dns';
import { networkInterfaces } from 'node:os';
import type { TargetPolicySpec, TargetRuleSpec } from '@perftest/model';
import { DEFAULT_DENY } from './target-policy.js';
import { parseAddress, parseTargetRule, showAddress, type IpAddress } from './target-rules.js';

/** What the policy is built from. */
export interface PolicyInputs {
  /** Rules of PERFTEST_TARGET_ALLOW and PERFTEST_TARGET_DENY, already validated. */
  allow: readonly string[];
  deny: readonly string[];
  /** The API's listen address and port, when this process is the API (port 0: see reserveListenAddress). */
  listen?: { host: string; port: number };
  /** The Postgres URL, when there is one. */
  databaseUrl?: string;
  /** Resolves a name to its addresses (default: the system's resolver). */
  resolve?: (name: string) => Promise<string[]>;
}

/** The policy, and what could not be resolved (to log). */
export interface BuiltPolicy {
  spec: TargetPolicySpec;
  warnings: string[];
}

const systemResolve = async (name: string): Promise<string[]> =>
  (await dns.promises.lookup(name, { all: true })).map((entry) => entry.address);

/** Splits a list variable: entries separated by commas or white space. */
export function splitRuleList(text: string | undefined): string[] {
  return (text ?? '').split(/[\s,]+/).filter((entry) => entry !== '');
}

/** Why a rule list is invalid (naming the entry), or undefined. */
export function ruleListProblem(entries: readonly string[]): string | undefined {
  for (const entry of entries) {
    const parsed = parseTargetRule(entry, '');
    if (typeof parsed === 'string') return `entry "${entry}" ${parsed}`;
  }
  return undefined;
}

/** True for the machine's own addresses: loopback, unspecified, and those of its interfaces. */
function isLocal(address: IpAddress, locals: readonly string[]): boolean {
  const range = address.range();
  return range === 'loopback' || range === 'unspecified' || locals.includes(address.toString());
}

function interfaceAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const entry of list ?? []) {
      const parsed = parseAddress(entry.address);
      if (parsed !== undefined) out.push(parsed.toString());
    }
  }
  return out;
}

/** `address:port` as a rule (IPv6 in brackets). */
function withPort(address: IpAddress, port: number): string {
  return `${showAddress(address)}:${port}`;
}

/** Every address of this machine on `port`: what a service listening locally is reachable through. */
function localRules(port: number, source: string, locals: readonly string[]): TargetRuleSpec[] {
  // 0.0.0.0 and :: reach loopback too (reachedAddress)
  const rules = ['127.0.0.0/8', '[::1]'].map((a) => `${a}:${port}`);
  for (const local of locals) {
    const parsed = parseAddress(local) as IpAddress;
    if (parsed.range() !== 'loopback' && parsed.range() !== 'unspecified') rules.push(withPort(parsed, port));
  }
  return rules.map((rule) => ({ rule, source }));
}

/** The endpoints of a Postgres URL: host (or hosts, comma-separated) and port; none for a socket path. */
function databaseEndpoints(url: string): Array<{ host: string; port: number }> {
  const authority = /^postgres(?:ql)?:\/\/(?:[^@/]*@)?([^/?#]*)/.exec(url)?.[1] ?? '';
  const out: Array<{ host: string; port: number }> = [];
  for (const part of authority.split(',')) {
    if (part === '') continue;
    const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(decodeURIComponent(part));
    if (match) out.push({ host: match[1].replace(/^\[|\]$/g, ''), port: match[2] ? Number(match[2]) : 5432 });
  }
  return out;
}

/** The addresses of `host` (an address itself, or a name resolved now); a warning when it cannot be. */
async function addressesOf(
  host: string,
  source: string,
  resolve: (name: string) => Promise<string[]>,
  warnings: string[],
): Promise<IpAddress[]> {
  const literal = parseAddress(host);
  if (literal !== undefined) return [literal];
  try {
    return (await resolve(host)).map(parseAddress).filter((a): a is IpAddress => a !== undefined);
  } catch (error) {
    warnings.push(`${source}: cannot resolve ${host} (${(error as Error).message}); it is denied by name only`);
    return [];
  }
}

/**
 * Rules that cover `host:port`: by name, and by every address it resolves to; when one of those is
 * this machine's, by every local address on that port.
 */
async function endpointRules(
  host: string,
  port: number,
  source: string,
  locals: readonly string[],
  resolve: (name: string) => Promise<string[]>,
  warnings: string[],
): Promise<TargetRuleSpec[]> {
  const rules: TargetRuleSpec[] = parseAddress(host) === undefined ? [{ rule: `${host}:${port}`, source }] : [];
  for (const address of await addressesOf(host, source, resolve, warnings)) {
    if (isLocal(address, locals)) rules.push(...localRules(port, source, locals));
    else rules.push({ rule: withPort(address, port), source });
  }
  return rules;
}

/**
 * Adds the API's listen address and port to the reserved endpoints of `spec` (in place: a server
 * listening on port 0 learns its port only once it listens).
 */
export async function reserveListenAddress(
  spec: TargetPolicySpec,
  listen: { host: string; port: number },
  resolve: (name: string) => Promise<string[]> = systemResolve,
): Promise<string[]> {
  const warnings: string[] = [];
  const source = "the server's own listen address";
  const locals = interfaceAddresses();
  const rules = localRules(listen.port, source, locals);
  const host = listen.host;
  if (host !== '' && host !== '0.0.0.0' && host !== '::') rules.push(...(await endpointRules(host, listen.port, source, locals, resolve, warnings)));
  spec.reserved = unique([...spec.reserved, ...rules]);
  return warnings;
}

function unique(list: TargetRuleSpec[]): TargetRuleSpec[] {
  const seen = new Set<string>();
  return list.filter((r) => !seen.has(`${r.rule} ${r.source}`) && seen.add(`${r.rule} ${r.source}`));
}

/** Builds the policy of a process (see the file comment). */
export async function buildTargetPolicy(inputs: PolicyInputs): Promise<BuiltPolicy> {
  const resolve = inputs.resolve ?? systemResolve;
  const warnings: string[] = [];
  const locals = interfaceAddresses();
  const reserved: TargetRuleSpec[] = [];
  if (inputs.databaseUrl !== undefined) {
    for (const { host, port } of databaseEndpoints(inputs.databaseUrl)) {
      if (host.startsWith('/')) continue;
      reserved.push(...(await endpointRules(host, port, 'the database', locals, resolve, warnings)));
    }
  }
  const deny: TargetRuleSpec[] = [...DEFAULT_DENY];
  for (const rule of inputs.deny) {
    deny.push({ rule, source: 'PERFTEST_TARGET_DENY' });
    const parsed = parseTargetRule(rule, '');
    if (typeof parsed === 'string' || parsed.name === undefined) continue;
    for (const address of await addressesOf(parsed.name, 'PERFTEST_TARGET_DENY', resolve, warnings)) {
      deny.push({ rule: parsed.port === undefined ? showAddress(address) : withPort(address, parsed.port), source: 'PERFTEST_TARGET_DENY' });
    }
  }
  const allow = inputs.allow.map((rule) => ({ rule, source: 'PERFTEST_TARGET_ALLOW' }));
  const spec: TargetPolicySpec = { allow, deny: unique(deny), reserved: unique(reserved) };
  if (inputs.listen !== undefined && inputs.listen.port !== 0) warnings.push(...(await reserveListenAddress(spec, inputs.listen, resolve)));
  return { spec, warnings };
}

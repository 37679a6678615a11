/**
 * What the protocol driver tests need to drive a driver directly through prepare/execute: a compile
 * context with a minimal `${name}` template, a variable scope and a user session, all real objects
 * made here (the case compiler and virtual user are not involved).
 */
import type { ContentInfo } from '@perftest/model';
import {
  DEFAULT_ENGINE_OPTIONS,
  type CaseProblem,
  type EngineOptions,
  type PrepareContext,
  type PreparedRequest,
  type ProtocolDriver,
  type RequestResult,
  type Template,
  type UserSession,
  type VariableScope,
} from '../src/protocols/driver.js';

/** A `${name}` template; unknown names stay as written. */
export function testTemplate(text: string): Template {
  const constant = !text.includes('${');
  return {
    constant,
    render(vars: VariableScope): string {
      if (constant) return text;
      return text.replace(/\$\{([^}]+)\}/g, (slot, name: string) => vars.get(name) ?? slot);
    },
  };
}

/** A compile context collecting problems. */
export function testContext(options: Partial<EngineOptions> = {}): PrepareContext & { problems: CaseProblem[] } {
  return {
    path: 'contents[0].content[0]',
    problems: [],
    template: testTemplate,
    options: { ...DEFAULT_ENGINE_OPTIONS, ...options },
  };
}

/** A variable scope over a plain map. */
export function testVars(initial: Record<string, string> = {}): VariableScope {
  const map = new Map(Object.entries(initial));
  return { get: (name) => map.get(name), set: (name, value) => void map.set(name, value) };
}

/** A user session plus the controller that aborts it. */
export function testSession(userIndex = 0, keepResponse = true): UserSession & { abort: AbortController } {
  const abort = new AbortController();
  return { state: new Map(), userIndex, signal: abort.signal, keepResponse, debug: false, abort };
}

/** Prepares a packet and fails the test with the problems when there are any. */
export function prepareOk(driver: ProtocolDriver, packet: ContentInfo, options: Partial<EngineOptions> = {}): PreparedRequest {
  const ctx = testContext(options);
  const prepared = driver.prepare(packet, ctx);
  if (ctx.problems.length > 0 || prepared === undefined) {
    throw new Error(`unexpected problems: ${JSON.stringify(ctx.problems)}`);
  }
  return prepared;
}

/** The problems a packet has at prepare time. */
export function problemsOf(driver: ProtocolDriver, packet: ContentInfo): CaseProblem[] {
  const ctx = testContext();
  driver.prepare(packet, ctx);
  return ctx.problems;
}

/** Runs `count` requests one after another for one session. */
export async function runSequence(
  prepared: PreparedRequest,
  session: UserSession,
  count: number,
  vars: VariableScope = testVars(),
): Promise<RequestResult[]> {
  const results: RequestResult[] = [];
  for (let i = 0; i < count; i++) results.push(await prepared.execute(session, vars));
  return results;
}

/** Headers in the packet's `[{key, value}]` shape. */
export function headers(map: Record<string, string>): { key: string; value: string }[] {
  return Object.entries(map).map(([key, value]) => ({ key, value }));
}

/** Outcome counts of results. */
export function outcomes(results: RequestResult[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of results) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
  return counts;
}

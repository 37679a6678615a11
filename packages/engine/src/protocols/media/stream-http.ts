/**
 * HTTP GETs of the HTTP-based streaming drivers (HLS playlists and segments, HTTP-FLV streams) on
 * undici, inside one PlaySession: timeouts from the packet, redirects followed by hand (HLS needs the
 * final URL to resolve relative URIs), bytes counted, and every failure recorded on the session with
 * its outcome and StreamingMediaReport cause. Functions here never throw for the target's failures.
 */
import { Agent, type Dispatcher } from 'undici';
import type { ContentInfo } from '@perftest/model';
import { policyConnector } from '../../net/connect.js';
import type { TargetPolicy } from '../../net/target-policy.js';
import type { PrepareContext, Template, VariableScope } from '../driver.js';
import { describeError } from '../socket/socket-result.js';
import type { PlaySession, StreamFailure } from './stream-session.js';

/** Redirects followed before giving up. */
const MAX_REDIRECTS = 5;
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);
/** Bytes undici adds to every request besides ours: `connection: keep-alive\r\n`. */
const FIXED_REQUEST_BYTES = 'connection: keep-alive\r\n'.length;

/** A packet's request headers, compiled once. */
export type HeaderTemplates = ReadonlyArray<readonly [string, Template]>;

/** Compiles the packet's `headers` (empty keys skipped). */
export function compileHeaders(packet: ContentInfo, ctx: PrepareContext): HeaderTemplates {
  const out: Array<readonly [string, Template]> = [];
  for (const h of packet.headers ?? []) {
    if (h.key === null || h.key === undefined || h.key.trim() === '') continue;
    out.push([h.key.trim(), ctx.template(h.value === null || h.value === undefined ? '' : String(h.value))]);
  }
  return out;
}

/** Renders compiled headers for one request. */
export function renderHeaders(headers: HeaderTemplates, vars: VariableScope): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, t] of headers) out[name] = t.render(vars);
  return out;
}

/** Parses an http(s) URL; returns an error message for anything else. */
export function parseHttpUrl(text: string, field: string): URL | string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `${field} is not a valid URL: ${text}`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `${field} must be an http:// or https:// URL`;
  return url;
}

/** The undici agents of one driver, one per connect timeout (the connector holds the timeout). */
export class StreamAgents {
  private readonly agents = new Map<number, Agent>();

  constructor(
    private readonly tlsVerify: boolean,
    private readonly policy: TargetPolicy,
  ) {}

  /** The agent for a connect timeout. */
  get(connectTimeoutMs: number): Agent {
    let agent = this.agents.get(connectTimeoutMs);
    if (agent === undefined) {
      agent = new Agent({ connect: policyConnector(this.policy, { timeout: connectTimeoutMs, rejectUnauthorized: this.tlsVerify }) });
      this.agents.set(connectTimeoutMs, agent);
    }
    return agent;
  }

  /** Closes every connection. */
  async close(): Promise<void> {
    const all = [...this.agents.values()];
    this.agents.clear();
    await Promise.all(all.map((a) => a.destroy()));
  }
}

/** One GET of a session. */
export interface StreamGet {
  agent: Agent;
  url: URL;
  headers: Record<string, string>;
  idleTimeoutMs: number;
  /** Cause recorded when the answer is not 2xx. */
  statusCause: StreamFailure;
}

/** A 2xx response whose body is still to be read, and the URL it came from after redirects. */
export interface StreamResponse {
  url: URL;
  body: Dispatcher.ResponseData['body'];
}

function requestBytes(url: URL, headers: Record<string, string>): number {
  let n = `GET ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\n\r\n`.length + FIXED_REQUEST_BYTES;
  for (const name in headers) n += name.length + headers[name].length + 4;
  return n;
}

function responseHeaderBytes(headers: Dispatcher.ResponseData['headers']): number {
  let n = 'HTTP/1.1 200 OK\r\n\r\n'.length;
  for (const name in headers) {
    const v = headers[name];
    if (Array.isArray(v)) for (const x of v) n += name.length + x.length + 4;
    else if (v !== undefined) n += name.length + v.length + 4;
  }
  return n;
}

/**
 * Sends a GET, follows redirects, and returns the 2xx response, or undefined when the session is
 * over (failure recorded, or the duration ended meanwhile). `onRequest` runs for every request sent.
 */
export async function streamGet(play: PlaySession, req: StreamGet, onRequest?: () => void): Promise<StreamResponse | undefined> {
  let url = req.url;
  for (let hop = 0; ; hop++) {
    if (play.over) return undefined;
    play.sendPackets++;
    play.sentBytes += requestBytes(url, req.headers);
    onRequest?.();
    let res: Dispatcher.ResponseData;
    try {
      res = await req.agent.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers: req.headers,
        signal: play.signal,
        headersTimeout: req.idleTimeoutMs,
        bodyTimeout: req.idleTimeoutMs,
      });
    } catch (error) {
      failHttp(play, error);
      return undefined;
    }
    play.status = res.statusCode;
    play.recBytes += responseHeaderBytes(res.headers);
    const location = res.headers.location;
    if (REDIRECT_STATUS.has(res.statusCode) && typeof location === 'string' && hop < MAX_REDIRECTS) {
      await drain(play, res.body);
      try {
        url = new URL(location, url);
      } catch {
        play.fail('othersFailed', 'illegalUrlFailed', `redirect to an invalid URL: ${location}`);
        return undefined;
      }
      continue;
    }
    if (res.statusCode < 200 || res.statusCode > 299) {
      await drain(play, res.body);
      play.fail('checkPointFailed', req.statusCause, `GET ${url.href}: HTTP ${res.statusCode}`);
      return undefined;
    }
    return { url, body: res.body };
  }
}

/** Reads a whole (small) body, e.g. a playlist; undefined when the session ended or failed. */
export async function readBody(play: PlaySession, body: StreamResponse['body'], limit = 16 * 1024 * 1024): Promise<Buffer | undefined> {
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      parts.push(chunk);
      size += chunk.length;
      play.recBytes += chunk.length;
      if (size > limit) {
        body.destroy();
        play.fail('parsedFailed', 'parseFileFailed', `response larger than ${limit} bytes`);
        return undefined;
      }
    }
  } catch (error) {
    failHttp(play, error);
    return undefined;
  }
  return Buffer.concat(parts, size);
}

/** Reads and discards a body, counting its bytes. */
async function drain(play: PlaySession, body: StreamResponse['body']): Promise<void> {
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) play.recBytes += chunk.length;
  } catch {
    // the status already decides the outcome
  }
}

/** Records an error of a GET or of reading its body on the session (nothing when it is over). */
export function failHttp(play: PlaySession, error: unknown): void {
  if (play.over) return;
  const code = (error as { code?: unknown } | null)?.code;
  const text = describeError(error);
  switch (code) {
    case 'ECONNREFUSED':
      return play.fail('refusedFailed', 'tcpConnectFailed', text);
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return play.fail('timeout', 'tcpConnectFailed', text);
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return play.fail('timeout', 'httpTimeoutFailed', text);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return play.fail('othersFailed', 'tcpConnectFailed', text);
    default:
      return play.fail('othersFailed', 'unknownFailed', text);
  }
}

/**
 * The one contract every protocol driver implements (docs/architecture.md, "Protocol drivers": layered
 * dispatch with one handler contract). A driver turns a packet into a prepared request once, at compile
 * time, and then executes it many times. Failures of the target are data: `execute` never throws for
 * them; it returns a RequestResult whose outcome classifies the failure.
 */
import type { ContentInfo, Outcome } from '@perftest/model';
import { DEFAULT_TARGET_POLICY, TargetPolicy } from '../net/target-policy.js';

/** What one execution of a packet produced. */
export interface RequestResult {
  outcome: Outcome;
  /** Protocol status: HTTP status code, or 0 where the protocol has none (or no response came). */
  status: number;
  /** Human-readable status for debug output, e.g. "200 OK". */
  statusText?: string;
  /** Response time in microseconds: send start to response fully received (or to the failure). */
  responseTimeUs: number;
  sentBytes: number;
  recBytes: number;
  /** Response body, kept only when the card's checkpoints/extractions or a debug run need it. */
  body?: Buffer;
  /**
   * Response headers (lower-case names), kept under the same condition as `body`; a driver may
   * hand `rawHeaders` instead, which headersOf() (response-headers.ts) makes into this record on
   * first use.
   */
  headers?: Record<string, string | string[]>;
  /** The response headers as received, flat [name, value, ...], not yet made into `headers`. */
  rawHeaders?: readonly (Buffer | string)[];
  /** The URL actually requested (after variable substitution and redirects). */
  url?: string;
  /** HTTP only, kept with a response that came: the version spoken ("HTTP/1.1" or "HTTP/2"). */
  httpVersion?: string;
  /** Request as sent, for debug output. */
  requestHeaders?: Record<string, string>;
  requestBody?: string;
  /** Why the request failed, for debug output and logs. */
  error?: string;
  /** Streaming protocols: counters the reference names (play times, first-frame delay...). */
  streaming?: Record<string, number>;
}

/** Resolves `${name}` slots at execution time; compiled once per template. */
export interface Template {
  /** True when the template has no variable slots (then `render` always returns the same string). */
  readonly constant: boolean;
  render(vars: VariableScope): string;
}

/** The variables one virtual user sees: locals (extractions, data instructions) over globals. */
export interface VariableScope {
  get(name: string): string | undefined;
  set(name: string, value: string): void;
}

/** Per-virtual-user state a driver may keep (connections, cookie jars), closed when the user retires. */
export interface UserSession {
  /** Driver-owned state, by driver name. */
  readonly state: Map<string, unknown>;
  /** Index of the user within its thread, and the run-wide user id. */
  readonly userIndex: number;
  /**
   * Aborted when the run gives up on what is in flight (the grace after a halt is over): drivers
   * must end their waits and the request promptly.
   */
  readonly signal: AbortSignal;
  /**
   * Aborted when the run halts (a stop, or the end of its plan; docs/run-lifecycle.md#stop): no
   * new request starts and think times, retry intervals, rendezvous and throughput waits end, while
   * a request in flight goes on until `signal` aborts. Absent: `signal` halts too.
   */
  readonly halt?: AbortSignal;
  /** Set by the interpreter when the request's result is needed by checkpoints/extractions/debug. */
  keepResponse: boolean;
  /** Debug runs force streaming durations to 3 s. */
  readonly debug: boolean;
}

/** A packet prepared once: URL, headers and body compiled into templates. */
export interface PreparedRequest {
  /** Executes the request for one user. Resolves with the outcome; never rejects for target failures. */
  execute(session: UserSession, vars: VariableScope): Promise<RequestResult>;
  /** "METHOD url" as written in the case, for report rows and debug output. */
  readonly method: string;
  readonly url: string;
  readonly name: string;
}

/** A protocol driver: one per `protocol_type` (HTTP and HTTPS share one). */
export interface ProtocolDriver {
  /** Stable name, used as key in UserSession.state. */
  readonly name: string;
  /** Checks and prepares a packet. Problems are pushed to `problems` (field: message), not thrown. */
  prepare(packet: ContentInfo, ctx: PrepareContext): PreparedRequest | undefined;
  /** Releases what the driver keeps for one user (connections). */
  closeSession?(session: UserSession): Promise<void> | void;
  /** Releases run-wide resources (connection pools). */
  close?(): Promise<void> | void;
}

/** What `prepare` gets besides the packet. */
export interface PrepareContext {
  /** Location of the packet in the case, e.g. "contents[2].content[0]", for problem messages. */
  readonly path: string;
  /** Collects every problem found; compilation fails when any was pushed. */
  readonly problems: CaseProblem[];
  /** Compiles a `${var}` template once. */
  template(text: string): Template;
  /** Engine-wide options (TLS verification...). */
  readonly options: EngineOptions;
}

/** One problem of an invalid case: where it is and what is wrong. */
export interface CaseProblem {
  path: string;
  message: string;
}

/** Options of a whole engine instance. */
export interface EngineOptions {
  /** Verify TLS certificates of HTTPS/WSS/MQTTS targets (default true). */
  tlsVerify: boolean;
  /** Maximum response body kept in memory per response for debug output (bytes). */
  debugBodyLimit: number;
  /**
   * The HTTP/1.1 client: "lean" (default; protocols/http/http1-connection.ts) or "undici". Both
   * pass the same conformance tests; HTTP/2 always runs on undici.
   */
  http1Client?: 'lean' | 'undici';
  /** Which targets connections may go to (net/target-policy.ts); every driver connects under it. */
  targetPolicy: TargetPolicy;
}

export const DEFAULT_ENGINE_OPTIONS: EngineOptions = {
  tlsVerify: true,
  debugBodyLimit: 64 * 1024,
  targetPolicy: TargetPolicy.compile(DEFAULT_TARGET_POLICY),
};

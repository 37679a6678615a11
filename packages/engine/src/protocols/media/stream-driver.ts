/**
 * What the HTTP stream drivers (HLS, HTTP-FLV) share: the packet's URL check and its settings read
 * once (StreamPlan), one GET per request kind built from them, and the request that renders the URL,
 * runs one playback in a PlaySession and returns its result (an exception is unknownFailed). Each
 * driver supplies only its playback.
 */
import type { ContentInfo } from '@perftest/model';
import type { EngineOptions, PrepareContext, PreparedRequest, ProtocolDriver, RequestResult, Template, UserSession, VariableScope } from '../driver.js';
import { hasVariables } from '../packet-fields.js';
import { describeError } from '../socket/socket-result.js';
import { compileHeaders, parseHttpUrl, StreamAgents, type HeaderTemplates, type StreamGet } from './stream-http.js';
import { illegalUrlResult, PlaySession, streamFields, type StreamFields } from './stream-session.js';

/** A stream packet's settings common to HLS and HTTP-FLV, read once. */
export interface StreamPlan {
  url: Template;
  urlText: string;
  name: string;
  headers: HeaderTemplates;
  fields: StreamFields;
}

/** Checks the stream URL `text` of packet field `field`: required (`what` says what it is), http(s) when constant. */
export function checkStreamUrl(text: string, field: string, what: string, ctx: PrepareContext): void {
  if (text.trim() === '') {
    ctx.problems.push({ path: `${ctx.path}.${field}`, message: `${field} is required: ${what}` });
  } else if (!hasVariables(text)) {
    const url = parseHttpUrl(text, field);
    if (typeof url === 'string') ctx.problems.push({ path: `${ctx.path}.${field}`, message: url });
  }
}

/** Reads the plan of a packet whose (trimmed) stream URL is `urlText`; problems go to `ctx`. */
export function readStreamPlan(packet: ContentInfo, urlText: string, ctx: PrepareContext): StreamPlan {
  return {
    url: ctx.template(urlText),
    urlText,
    name: packet.name ?? '',
    headers: compileHeaders(packet, ctx),
    fields: streamFields(packet, ctx),
  };
}

/** The GET of `url` under the plan's connect and idle timeouts; a non-2xx answer is playFailed. */
export function planGet(plan: StreamPlan, agents: StreamAgents, url: URL, headers: Record<string, string>): StreamGet {
  return {
    agent: agents.get(plan.fields.connectTimeoutMs),
    url,
    headers,
    idleTimeoutMs: plan.fields.idleTimeoutMs,
    statusCause: 'playFailed',
  };
}

/** One playback of a stream, made per request. */
export interface StreamPlayback {
  /** Plays from `url` until the session is over; failures are recorded in the session. */
  run(url: URL): Promise<void>;
  /** Adds the playback's own counters to the session's extras (also after a failure). */
  report(play: PlaySession): void;
}

/** A prepared stream packet: renders and checks the URL, then plays it in a PlaySession. */
export abstract class StreamRequest<P extends StreamPlan> implements PreparedRequest {
  readonly method = 'GET';
  readonly url: string;
  readonly name: string;

  /** @param urlField the packet field of the URL, named in an invalid URL's error */
  constructor(
    protected readonly plan: P,
    protected readonly agents: StreamAgents,
    private readonly urlField: string,
  ) {
    this.url = plan.urlText;
    this.name = plan.name;
  }

  async execute(session: UserSession, vars: VariableScope): Promise<RequestResult> {
    const text = this.plan.url.render(vars);
    const url = parseHttpUrl(text, this.urlField);
    if (typeof url === 'string') return illegalUrlResult(session, text, url);
    const play = new PlaySession(session, this.plan.fields.durationMs);
    const playback = this.playback(play, vars);
    try {
      await playback.run(url);
    } catch (error) {
      play.fail('othersFailed', 'unknownFailed', describeError(error));
    }
    playback.report(play);
    return play.result(text);
  }

  /** A new playback into `play`. */
  protected abstract playback(play: PlaySession, vars: VariableScope): StreamPlayback;
}

/** Creates stream driver `name`, whose requests `prepare` builds; its undici agents live until `close`. */
export function createStreamDriver(
  name: string,
  options: EngineOptions,
  prepare: (packet: ContentInfo, ctx: PrepareContext, agents: StreamAgents) => PreparedRequest,
): ProtocolDriver {
  const agents = new StreamAgents(options.tlsVerify, options.targetPolicy);
  return {
    name,
    prepare(packet: ContentInfo, ctx: PrepareContext): PreparedRequest | undefined {
      const before = ctx.problems.length;
      const request = prepare(packet, ctx, agents);
      return ctx.problems.length > before ? undefined : request;
    },
    close: () => agents.close(),
  };
}

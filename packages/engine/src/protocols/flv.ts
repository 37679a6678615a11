/**
 * HTTP-FLV playback (`protocol_type` 10, `flv_url`): one request is one streaming GET read for
 * `duration` seconds. The FLV header and every tag are checked as they arrive (flv-parser.ts), audio
 * and video tags are counted, and the first video frame's arrival is the first-frame delay. The
 * session fails when the header is not FLV, a tag is broken, the server goes silent for
 * `return_timeout` ms, or the stream ends before the duration.
 */
import type { ContentInfo } from '@perftest/model';
import type { EngineOptions, PrepareContext, PreparedRequest, ProtocolDriver, RequestResult, Template, UserSession, VariableScope } from './driver.js';
import { FlvHeaderError, FlvReader, FlvTagError, TAG_AUDIO, TAG_VIDEO, videoKind, VIDEO_CONFIG, VIDEO_KEY_FRAME, type FlvSink } from './flv-parser.js';
import { hasVariables } from './packet-fields.js';
import { describeError } from './socket-result.js';
import { compileHeaders, failHttp, parseHttpUrl, renderHeaders, StreamAgents, streamGet, type HeaderTemplates, type StreamResponse } from './stream-http.js';
import { illegalUrlResult, PlaySession, streamFields, type StreamFields } from './stream-session.js';

/** A packet's HTTP-FLV settings, read once. */
interface FlvPlan {
  url: Template;
  urlText: string;
  name: string;
  headers: HeaderTemplates;
  fields: StreamFields;
}

/** Counts the tags of one stream into its session. */
class TagCounter implements FlvSink {
  scriptTags = 0;

  constructor(private readonly play: PlaySession) {}

  tag(type: number, _timestamp: number, dataSize: number, b0: number, b1: number): void {
    if (type === TAG_VIDEO) {
      const kind = b0 < 0 ? VIDEO_CONFIG : videoKind(b0, b1);
      this.play.video(dataSize, true, kind !== VIDEO_CONFIG, kind === VIDEO_KEY_FRAME);
    } else if (type === TAG_AUDIO) {
      this.play.audio(dataSize, true);
    } else {
      this.scriptTags++;
    }
  }
}

/** Reads the stream until the session is over, recording how it failed if it did. */
async function readStream(play: PlaySession, res: StreamResponse, counter: TagCounter): Promise<number> {
  const reader = new FlvReader(counter);
  let bytes = 0;
  try {
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      play.recBytes += chunk.length;
      bytes += chunk.length;
      reader.push(chunk);
    }
  } catch (error) {
    if (error instanceof FlvHeaderError) play.fail('parsedFailed', 'illegalFlvHeaderFailed', error.message);
    else if (error instanceof FlvTagError) play.fail('parsedFailed', 'parseFlvFileFailed', error.message);
    else failHttp(play, error);
    return bytes;
  }
  if (play.over) return bytes;
  const at = `${(play.elapsedUs() / 1e6).toFixed(1)} s`;
  if (reader.offset < 13) {
    play.fail('parsedFailed', 'illegalFlvHeaderFailed', `stream ended after ${reader.offset} bytes, inside the FLV header`);
  } else if (!reader.atBoundary) {
    play.fail('parsedFailed', 'parseFlvFileFailed', `stream ended inside a tag after ${at} (${reader.offset} bytes)`);
  } else {
    play.fail('othersFailed', 'playFailed', `stream ended after ${at}, before the duration`);
  }
  return bytes;
}

/** A prepared HTTP-FLV packet. */
class FlvRequest implements PreparedRequest {
  readonly method = 'GET';
  readonly url: string;
  readonly name: string;

  constructor(
    private readonly plan: FlvPlan,
    private readonly agents: StreamAgents,
  ) {
    this.url = plan.urlText;
    this.name = plan.name;
  }

  async execute(session: UserSession, vars: VariableScope): Promise<RequestResult> {
    const text = this.plan.url.render(vars);
    const url = parseHttpUrl(text, 'flv_url');
    if (typeof url === 'string') return illegalUrlResult(session, text, url);
    const play = new PlaySession(session, this.plan.fields.durationMs);
    const counter = new TagCounter(play);
    let bodyBytes = 0;
    try {
      const res = await streamGet(play, {
        agent: this.agents.get(this.plan.fields.connectTimeoutMs),
        url,
        headers: renderHeaders(this.plan.headers, vars),
        idleTimeoutMs: this.plan.fields.idleTimeoutMs,
        statusCause: 'playFailed',
      });
      if (res !== undefined) bodyBytes = await readStream(play, res, counter);
    } catch (error) {
      play.fail('othersFailed', 'unknownFailed', describeError(error));
    }
    play.extra.bodyBytes = bodyBytes;
    play.extra.dataRecPackets = counter.scriptTags;
    return play.result(text);
  }
}

/** Creates the HTTP-FLV driver; its undici agents live until `close`. */
export function createFlvDriver(options: EngineOptions): ProtocolDriver {
  const agents = new StreamAgents(options.tlsVerify);
  return {
    name: 'flv',
    prepare(packet: ContentInfo, ctx: PrepareContext): PreparedRequest | undefined {
      const before = ctx.problems.length;
      const urlText = (packet.flv_url ?? '').trim();
      if (urlText === '') {
        ctx.problems.push({ path: `${ctx.path}.flv_url`, message: 'flv_url is required: the http(s) URL of the FLV stream' });
      } else if (!hasVariables(urlText)) {
        const url = parseHttpUrl(urlText, 'flv_url');
        if (typeof url === 'string') ctx.problems.push({ path: `${ctx.path}.flv_url`, message: url });
      }
      const plan: FlvPlan = {
        url: ctx.template(urlText),
        urlText,
        name: packet.name ?? '',
        headers: compileHeaders(packet, ctx),
        fields: streamFields(packet, ctx),
      };
      return ctx.problems.length > before ? undefined : new FlvRequest(plan, agents);
    },
    close: () => agents.close(),
  };
}

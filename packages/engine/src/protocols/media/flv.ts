/**
 * HTTP-FLV playback (`protocol_type` 10, `flv_url`): one request is one streaming GET read for
 * `duration` seconds. The FLV header and every tag are checked as they arrive (flv-parser.ts), audio
 * and video tags are counted, and the first video frame's arrival is the first-frame delay. The
 * session fails when the header is not FLV, a tag is broken, the server goes silent for
 * `return_timeout` ms, or the stream ends before the duration.
 */
import type { EngineOptions, ProtocolDriver, VariableScope } from '../driver.js';
import { FlvHeaderError, FlvReader, FlvTagError, TAG_AUDIO, TAG_VIDEO, videoKind, VIDEO_CONFIG, VIDEO_KEY_FRAME, type FlvSink } from './flv-parser.js';
import { checkStreamUrl, createStreamDriver, planGet, readStreamPlan, StreamRequest, type StreamPlan, type StreamPlayback } from './stream-driver.js';
import { failHttp, renderHeaders, streamGet, type StreamAgents, type StreamResponse } from './stream-http.js';
import type { PlaySession } from './stream-session.js';

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

/** One HTTP-FLV playback: the GET, then the stream read tag by tag. */
class FlvPlayback implements StreamPlayback {
  private readonly counter: TagCounter;
  private bodyBytes = 0;

  constructor(
    private readonly play: PlaySession,
    private readonly plan: StreamPlan,
    private readonly agents: StreamAgents,
    private readonly vars: VariableScope,
  ) {
    this.counter = new TagCounter(play);
  }

  async run(url: URL): Promise<void> {
    const res = await streamGet(this.play, planGet(this.plan, this.agents, url, renderHeaders(this.plan.headers, this.vars)));
    if (res !== undefined) this.bodyBytes = await readStream(this.play, res, this.counter);
  }

  report(play: PlaySession): void {
    play.extra.bodyBytes = this.bodyBytes;
    play.extra.dataRecPackets = this.counter.scriptTags;
  }
}

/** A prepared HTTP-FLV packet. */
class FlvRequest extends StreamRequest<StreamPlan> {
  protected playback(play: PlaySession, vars: VariableScope): StreamPlayback {
    return new FlvPlayback(play, this.plan, this.agents, vars);
  }
}

/** Creates the HTTP-FLV driver; its undici agents live until `close`. */
export function createFlvDriver(options: EngineOptions): ProtocolDriver {
  return createStreamDriver('flv', options, (packet, ctx, agents) => {
    const urlText = (packet.flv_url ?? '').trim();
    checkStreamUrl(urlText, 'flv_url', 'the http(s) URL of the FLV stream', ctx);
    return new FlvRequest(readStreamPlan(packet, urlText, ctx), agents, 'flv_url');
  });
}

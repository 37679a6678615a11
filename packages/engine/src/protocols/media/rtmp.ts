/**
 * RTMP playback (`protocol_type` 7 with `rtmp_url`): one request connects to
 * `rtmp://host[:1935]/app/stream`, plays the stream for `duration` seconds with the minimal client
 * of rtmp/client.ts, and counts audio (type 8) and video (type 9) messages. No connection is kept
 * between requests: every playback is a new viewer.
 */
import type { ContentInfo } from '@perftest/model';
import type { PrepareContext, PreparedRequest, ProtocolDriver, RequestResult, Template, UserSession, VariableScope } from '../driver.js';
import type { TargetPolicy } from '../../net/target-policy.js';
import { hasVariables } from '../packet-fields.js';
import { RtmpPlayer } from './rtmp/client.js';
import { parseRtmpUrl } from './rtmp/url.js';
import { describeError } from '../socket/socket-result.js';
import { illegalUrlResult, PlaySession, streamFields, type StreamFields } from './stream-session.js';

/** A prepared RTMP packet. */
class RtmpRequest implements PreparedRequest {
  readonly method = 'PLAY';

  constructor(
    private readonly urlTemplate: Template,
    readonly url: string,
    readonly name: string,
    private readonly fields: StreamFields,
    private readonly targetPolicy: TargetPolicy,
  ) {}

  async execute(session: UserSession, vars: VariableScope): Promise<RequestResult> {
    const text = this.urlTemplate.render(vars);
    const target = parseRtmpUrl(text);
    if (typeof target === 'string') return illegalUrlResult(session, text, target);
    const play = new PlaySession(session, this.fields.durationMs);
    const player = new RtmpPlayer(play, target, {
      connectTimeoutMs: this.fields.connectTimeoutMs,
      idleTimeoutMs: this.fields.idleTimeoutMs,
      targetPolicy: this.targetPolicy,
    });
    try {
      await player.run();
    } catch (error) {
      play.fail('othersFailed', 'unknownFailed', describeError(error));
    }
    play.extra.dataRecPackets = player.dataMessages;
    play.extra.acksSent = player.acksSent;
    play.extra.pingResponses = player.pingResponses;
    return play.result(text);
  }
}

/** Creates the RTMP driver (it keeps nothing between requests). */
export function createRtmpDriver(): ProtocolDriver {
  return {
    name: 'rtmp',
    prepare(packet: ContentInfo, ctx: PrepareContext): PreparedRequest | undefined {
      const before = ctx.problems.length;
      const urlText = (packet.rtmp_url ?? '').trim();
      if (urlText === '') {
        ctx.problems.push({ path: `${ctx.path}.rtmp_url`, message: 'rtmp_url is required: rtmp://host[:port]/app/stream' });
      } else if (!hasVariables(urlText)) {
        const target = parseRtmpUrl(urlText);
        if (typeof target === 'string') ctx.problems.push({ path: `${ctx.path}.rtmp_url`, message: target });
      }
      const fields = streamFields(packet, ctx);
      if (ctx.problems.length > before) return undefined;
      return new RtmpRequest(ctx.template(urlText), urlText, packet.name ?? '', fields, ctx.options.targetPolicy);
    },
  };
}

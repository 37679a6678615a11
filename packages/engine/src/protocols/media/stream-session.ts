/**
 * What the streaming drivers (HLS, HTTP-FLV, RTMP) share: the packet fields of a playback session,
 * one playback session's clock, deadline and counters, and the RequestResult it ends in. A streaming
 * request is one playback session of `duration` seconds (3 s in debug runs); it succeeds when it
 * plays that long without a failure. The counters are named after the reference's
 * StreamingMediaReport fields (docs/protocols.md lists them).
 */
import type { ContentInfo, Outcome } from '@perftest/model';
import type { PrepareContext, RequestResult, UserSession } from '../driver.js';
import { unwatchAbort, watchAbort, type Abortable } from '../abort-fanout.js';
import type { MediaSink } from './mpegts.js';
import { integerField, SESSION_TIMEOUT, timeoutField } from '../packet-fields.js';
import { nowUs } from '../socket/socket-result.js';

/**
 * Why a playback session failed, as the reference's StreamingMediaReport counts failures. A failed
 * result carries exactly one of these keys with the value 1.
 */
export type StreamFailure =
  | 'tcpConnectFailed'
  | 'handShakeFailed'
  | 'rtmpConnectFailed'
  | 'createStreamFailed'
  | 'playFailed'
  | 'retryFailed'
  | 'parseFileFailed'
  | 'illegalUrlFailed'
  | 'illegalFlvHeaderFailed'
  | 'httpTimeoutFailed'
  | 'parseFlvFileFailed'
  | 'unknownFailed';

/** Debug runs play every stream for this long (docs/protocols.md, "Streaming: HLS, HTTP-FLV and RTMP"). */
export const DEBUG_DURATION_MS = 3000;

/** Packet fields every streaming driver reads. */
export interface StreamFields {
  /** Playback time in ms. */
  durationMs: number;
  /** TCP connect timeout in ms (`connect_timeout`, default 5000). */
  connectTimeoutMs: number;
  /** Longest wait for any answer or media data in ms (`return_timeout`, default 5000). */
  idleTimeoutMs: number;
}

/** Reads `duration` (seconds, required, positive) and the two timeouts; problems go to `ctx`. */
export function streamFields(packet: ContentInfo, ctx: PrepareContext): StreamFields {
  const seconds = integerField(packet.duration);
  if (seconds === undefined || seconds < 1 || seconds > 86_400) {
    ctx.problems.push({ path: `${ctx.path}.duration`, message: 'duration must be an integer from 1 to 86400 seconds' });
  }
  return {
    durationMs: (seconds ?? 1) * 1000,
    connectTimeoutMs: timeoutField(packet, 'connect_timeout', SESSION_TIMEOUT, ctx),
    idleTimeoutMs: timeoutField(packet, 'return_timeout', SESSION_TIMEOUT, ctx),
  };
}

/** A failure being carried to the session's result. */
interface Failure {
  outcome: Outcome;
  cause: StreamFailure;
  error: string;
}

/**
 * One playback session: the deadline, the abort signal that every wait and socket of the session
 * follows, and the counters. Ends (signal aborts) when the duration is over, when the run stops, or
 * at the first failure.
 */
export class PlaySession implements MediaSink, Abortable {
  readonly startUs = nowUs();
  /** Aborts when the session is over for any reason. */
  readonly signal: AbortSignal;
  /** HTTP status of the last response (0 for RTMP). */
  status = 0;
  sentBytes = 0;
  recBytes = 0;
  /** Requests or protocol messages sent. */
  sendPackets = 0;
  audioBytes = 0;
  audioPackets = 0;
  videoBytes = 0;
  videoPackets = 0;
  keyFrames = 0;
  /** Driver-specific counters added to `streaming` as they are (e.g. HLS playlist requests). */
  readonly extra: Record<string, number> = {};
  private firstFrameUs = -1;
  private firstKeyFrameUs = -1;
  private failure: Failure | undefined;
  private endedUs = -1;
  /** The run stopped before the session was over (then it did not play its duration). */
  private stoppedByRun = false;
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly user: UserSession,
    durationMs: number,
  ) {
    this.signal = this.controller.signal;
    const ms = user.debug ? DEBUG_DURATION_MS : durationMs;
    this.timer = setTimeout(() => this.end(), ms);
    // All users of a run may share one signal: one fan-out listener serves every session.
    if (user.signal.aborted) this.abortNow();
    else watchAbort(user.signal, this);
  }

  /** The run stopped: ends the session now (called through the run signal's fan-out). */
  abortNow(): void {
    if (!this.over) this.stoppedByRun = true;
    this.end();
  }

  /** True once the session is over (duration reached, run stopped or failed). */
  get over(): boolean {
    return this.controller.signal.aborted;
  }

  /** Microseconds since the session started. */
  elapsedUs(): number {
    return nowUs() - this.startUs;
  }

  /** Records the session's failure (the first one wins) and ends the session. */
  fail(outcome: Outcome, cause: StreamFailure, error: string): void {
    if (this.failure === undefined && !this.over) this.failure = { outcome, cause, error };
    this.end();
  }

  /** True when a failure was recorded. */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  /**
   * Counts video bytes; `start` when they begin a packet (an FLV tag, an RTMP message, a PES),
   * `frame` when that packet is a picture (not codec configuration), `key` when a key frame.
   */
  video(bytes: number, start: boolean, frame: boolean, key: boolean): void {
    this.videoBytes += bytes;
    if (!start) return;
    this.videoPackets++;
    if (!frame) return;
    if (key) this.keyFrames++;
    if (this.firstFrameUs >= 0 && (!key || this.firstKeyFrameUs >= 0)) return;
    const t = this.elapsedUs();
    if (this.firstFrameUs < 0) this.firstFrameUs = t;
    if (key && this.firstKeyFrameUs < 0) this.firstKeyFrameUs = t;
  }

  /** Counts audio bytes; `start` when they begin a packet. */
  audio(bytes: number, start: boolean): void {
    this.audioBytes += bytes;
    if (start) this.audioPackets++;
  }

  /** Resolves after `ms`, or as soon as the session is over. */
  sleep(ms: number): Promise<void> {
    if (this.over || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.signal.removeEventListener('abort', done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Ends the session now (e.g. a VOD presentation played to its end). */
  end(): void {
    if (this.endedUs < 0) this.endedUs = this.elapsedUs();
    clearTimeout(this.timer);
    this.controller.abort();
  }

  /** The request's result; call once, after every socket of the session is closed. */
  result(url: string): RequestResult {
    this.end();
    unwatchAbort(this.user.signal, this);
    let failure = this.failure;
    if (failure === undefined && this.stoppedByRun) {
      failure = { outcome: 'othersFailed', cause: 'unknownFailed', error: 'aborted' };
    }
    const streaming: Record<string, number> = {
      streamingPlayTimes: 1,
      streamingErrorTimes: failure === undefined ? 0 : 1,
      playedUs: this.endedUs,
      sendPackets: this.sendPackets,
      recvPackets: this.audioPackets + this.videoPackets,
      audioRecBytes: this.audioBytes,
      audioRecPackets: this.audioPackets,
      videoRecBytes: this.videoBytes,
      videoRecPackets: this.videoPackets,
      keyFrameReceiveCnt: this.keyFrames,
      ...this.extra,
    };
    if (this.firstFrameUs >= 0) streaming.firstFrameDelayUs = this.firstFrameUs;
    if (this.firstKeyFrameUs >= 0) streaming.recvKeyFrameDelayUs = this.firstKeyFrameUs;
    if (failure !== undefined) streaming[failure.cause] = 1;
    const result: RequestResult = {
      outcome: failure?.outcome ?? 'success',
      status: this.status,
      statusText: failure?.error ?? 'OK',
      responseTimeUs: Math.max(0, this.elapsedUs()),
      sentBytes: this.sentBytes,
      recBytes: this.recBytes,
      url,
      streaming,
    };
    if (failure !== undefined) result.error = failure.error;
    return result;
  }
}

/** The result of a session that could not start (its rendered URL is not valid). */
export function illegalUrlResult(user: UserSession, url: string, error: string): RequestResult {
  const play = new PlaySession(user, 0);
  play.fail('othersFailed', 'illegalUrlFailed', error);
  return play.result(url);
}

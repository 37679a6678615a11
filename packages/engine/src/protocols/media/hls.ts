/**
 * HLS playback (`protocol_type` 7 with `url`, an .m3u8 playlist): one request plays the stream like
 * a player for `duration` seconds. A master playlist's variant is picked by `bitrate_type` (0 lowest
 * BANDWIDTH, 1 highest, 2 random); segments are fetched in order, at most one target duration ahead
 * of the playhead. A live playlist (no EXT-X-ENDLIST) is reloaded one target duration after the last
 * load; a reload with nothing new is retried after `retry_delay` ms, at most `retry_time` times in a
 * row, then the session fails. A VOD playlist plays to its end (success) or to the duration.
 * Transport stream segments are read for audio/video bytes, frames and key frames (mpegts.ts).
 */
import type { ContentInfo } from '@perftest/model';
import type { EngineOptions, PrepareContext, ProtocolDriver, VariableScope } from '../driver.js';
import { parsePlaylist, pickVariant, type MediaPlaylist, type PlaylistResult } from './m3u8.js';
import { TsError, TsReader } from './mpegts.js';
import { integerField } from '../packet-fields.js';
import { checkStreamUrl, createStreamDriver, planGet, readStreamPlan, StreamRequest, type StreamPlan, type StreamPlayback } from './stream-driver.js';
import { failHttp, readBody, renderHeaders, streamGet, type StreamAgents, type StreamGet } from './stream-http.js';
import type { PlaySession } from './stream-session.js';

/** Reloads with nothing new tolerated in a row when `retry_time` is absent or 0. */
export const DEFAULT_RETRY_TIME = 3;
/** Segments a live stream starts behind its newest one (RFC 8216 section 6.3.3). */
const LIVE_START_SEGMENTS = 3;
/** A media playlist's reload interval never drops below this, whatever its target duration says. */
const MIN_TARGET_DURATION_US = 500_000;

/** A packet's HLS settings, read once. */
interface HlsPlan extends StreamPlan {
  bitrateType: number;
  /** ms, or -1 for half the target duration. */
  retryDelayMs: number;
  retryTime: number;
}

/** One playback of an HLS stream. */
class HlsPlayback implements StreamPlayback {
  playlistRequests = 0;
  segmentRequests = 0;
  segmentBytes = 0;
  playlistRetries = 0;
  variantBandwidth = -1;
  private readonly ts: TsReader;
  private readonly headers: Record<string, string>;
  private readonly maps = new Set<string>();

  constructor(
    private readonly play: PlaySession,
    private readonly plan: HlsPlan,
    private readonly agents: StreamAgents,
    vars: VariableScope,
  ) {
    this.ts = new TsReader(play);
    this.headers = renderHeaders(plan.headers, vars);
  }

  /** Adds the playlist and segment counters (and the variant picked) to the session's extras. */
  report(play: PlaySession): void {
    play.extra.playlistRequests = this.playlistRequests;
    play.extra.segmentRequests = this.segmentRequests;
    play.extra.segmentBytes = this.segmentBytes;
    play.extra.playlistRetries = this.playlistRetries;
    if (this.variantBandwidth >= 0) play.extra.variantBandwidth = this.variantBandwidth;
  }

  /** Plays the stream until the session is over. */
  async run(url: URL): Promise<void> {
    let loaded = await this.load(url);
    if (loaded === undefined) return;
    if (loaded.playlist.kind === 'master') {
      const variant = pickVariant(loaded.playlist.variants, this.plan.bitrateType);
      this.variantBandwidth = variant.bandwidth;
      loaded = await this.load(new URL(variant.uri));
      if (loaded === undefined) return;
    }
    if (loaded.playlist.kind !== 'media') {
      return this.play.fail('parsedFailed', 'parseFileFailed', `${loaded.url.href} is a master playlist, expected a media playlist`);
    }
    await this.playMedia(loaded.url, loaded.playlist);
  }

  /** Fetches and parses a playlist; undefined when the session is over (failure recorded). */
  private async load(url: URL): Promise<{ url: URL; playlist: Exclude<PlaylistResult, { kind: 'error' }> } | undefined> {
    const res = await streamGet(this.play, this.get(url), () => this.playlistRequests++);
    if (res === undefined) return undefined;
    const body = await readBody(this.play, res.body);
    if (body === undefined) return undefined;
    const playlist = parsePlaylist(body.toString('utf8'), res.url);
    if (playlist.kind === 'error') {
      this.play.fail('parsedFailed', 'parseFileFailed', `${res.url.href}: ${playlist.error}`);
      return undefined;
    }
    return { url: res.url, playlist };
  }

  private get(url: URL): StreamGet {
    return planGet(this.plan, this.agents, url, this.headers);
  }

  private async playMedia(mediaUrl: URL, first: MediaPlaylist): Promise<void> {
    const play = this.play;
    let pl = first;
    let url = mediaUrl;
    let next = pl.endList ? pl.mediaSequence : pl.mediaSequence + Math.max(0, pl.segments.length - LIVE_START_SEGMENTS);
    let lastLoadUs = play.elapsedUs();
    let playStartUs = -1;
    let bufferedUs = 0;
    let emptyReloads = 0;
    while (!play.over) {
      const targetUs = Math.max(MIN_TARGET_DURATION_US, pl.targetDuration * 1e6);
      if (next < pl.mediaSequence) next = pl.mediaSequence; // fell behind a live window
      const seg = pl.segments[next - pl.mediaSequence];
      if (seg !== undefined) {
        if (playStartUs >= 0) {
          const aheadUs = bufferedUs - (play.elapsedUs() - playStartUs) - targetUs;
          if (aheadUs > 0) await play.sleep(aheadUs / 1000);
          if (play.over) return;
        }
        if (seg.map !== undefined && !this.maps.has(seg.map)) {
          this.maps.add(seg.map);
          if (!(await this.fetchSegment(new URL(seg.map), false))) return;
        }
        if (!(await this.fetchSegment(new URL(seg.uri), seg.encryption === 'NONE'))) return;
        bufferedUs += seg.duration * 1e6;
        if (playStartUs < 0) playStartUs = play.elapsedUs();
        next++;
        continue;
      }
      if (pl.endList) {
        // Everything was fetched: the presentation ends when the buffered media has played out.
        const leftUs = playStartUs < 0 ? 0 : bufferedUs - (play.elapsedUs() - playStartUs);
        await play.sleep(leftUs / 1000);
        return play.end();
      }
      const waitUs = emptyReloads === 0 ? lastLoadUs + targetUs - play.elapsedUs() : this.retryDelayUs(targetUs);
      await play.sleep(waitUs / 1000);
      if (play.over) return;
      if (emptyReloads > 0) this.playlistRetries++;
      const loaded = await this.load(url);
      if (loaded === undefined) return;
      if (loaded.playlist.kind !== 'media') {
        return play.fail('parsedFailed', 'parseFileFailed', `${loaded.url.href} turned into a master playlist`);
      }
      lastLoadUs = play.elapsedUs();
      url = loaded.url;
      pl = loaded.playlist;
      if (pl.endList || pl.mediaSequence + pl.segments.length > next) {
        emptyReloads = 0;
      } else if (++emptyReloads > this.plan.retryTime) {
        return play.fail('timeout', 'retryFailed', `live playlist ${url.href} had no new segment in ${emptyReloads} reloads (retry_time ${this.plan.retryTime})`);
      }
    }
  }

  private retryDelayUs(targetUs: number): number {
    return this.plan.retryDelayMs >= 0 ? this.plan.retryDelayMs * 1000 : targetUs / 2;
  }

  /** Fetches one segment, reading transport streams; false when the session is over. */
  private async fetchSegment(url: URL, parse: boolean): Promise<boolean> {
    const play = this.play;
    const res = await streamGet(play, this.get(url), () => this.segmentRequests++);
    if (res === undefined) return false;
    this.ts.reset();
    let transport: boolean | undefined = parse ? undefined : false;
    try {
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        play.recBytes += chunk.length;
        this.segmentBytes += chunk.length;
        if (transport === undefined) transport = chunk[0] === 0x47;
        if (transport) this.ts.push(chunk);
      }
    } catch (error) {
      if (error instanceof TsError) play.fail('parsedFailed', 'parseFileFailed', `${url.href}: ${error.message}`);
      else failHttp(play, error);
      return false;
    }
    if (transport && !this.ts.atBoundary) {
      play.fail('parsedFailed', 'parseFileFailed', `${url.href}: segment ends inside a transport stream packet`);
    }
    return !play.over;
  }
}

/** A prepared HLS packet. */
class HlsRequest extends StreamRequest<HlsPlan> {
  protected playback(play: PlaySession, vars: VariableScope): StreamPlayback {
    return new HlsPlayback(play, this.plan, this.agents, vars);
  }
}

/** Reads `bitrate_type`, `retry_delay` and `retry_time` (shared with nothing else, checked here). */
function readPlan(packet: ContentInfo, ctx: PrepareContext): HlsPlan {
  const urlText = packet.url ?? '';
  checkStreamUrl(urlText, 'url', 'the http(s) URL of an .m3u8 playlist', ctx);
  const bitrateType = integerField(packet.bitrate_type) ?? 0;
  if (bitrateType < 0 || bitrateType > 2) {
    ctx.problems.push({ path: `${ctx.path}.bitrate_type`, message: 'bitrate_type must be 0 (lowest), 1 (highest) or 2 (random)' });
  }
  const retryDelay = integerField(packet.retry_delay) ?? 0;
  if (retryDelay < 0 || retryDelay > 600_000) {
    ctx.problems.push({ path: `${ctx.path}.retry_delay`, message: 'retry_delay must be an integer from 0 to 600000 ms' });
  }
  const retryTime = integerField(packet.retry_time) ?? 0;
  if (retryTime < 0 || retryTime > 10_000) {
    ctx.problems.push({ path: `${ctx.path}.retry_time`, message: 'retry_time must be an integer from 0 to 10000' });
  }
  return {
    ...readStreamPlan(packet, urlText.trim(), ctx),
    bitrateType,
    retryDelayMs: retryDelay > 0 ? retryDelay : -1,
    retryTime: retryTime > 0 ? retryTime : DEFAULT_RETRY_TIME,
  };
}

/** Creates the HLS driver; its undici agents live until `close`. */
export function createHlsDriver(options: EngineOptions): ProtocolDriver {
  return createStreamDriver('hls', options, (packet, ctx, agents) => new HlsRequest(readPlan(packet, ctx), agents, 'url'));
}

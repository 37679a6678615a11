/**
 * HLS playlist parsing (RFC 8216): a master playlist lists variant streams (EXT-X-STREAM-INF), a
 * media playlist lists segments (EXTINF + URI) with its target duration, media sequence and end
 * marker. Only what a player needs to pick a variant and fetch segments in order is kept. URIs are
 * resolved against the playlist's own URL. Errors are returned, never thrown.
 */

/** One variant stream of a master playlist. */
export interface Variant {
  uri: string;
  /** Peak bits per second (BANDWIDTH, required). */
  bandwidth: number;
  averageBandwidth?: number;
  resolution?: string;
  codecs?: string;
}

/** A master playlist. */
export interface MasterPlaylist {
  kind: 'master';
  variants: Variant[];
}

/** One media segment. */
export interface Segment {
  uri: string;
  /** EXTINF duration in seconds. */
  duration: number;
  /** Media sequence number. */
  sequence: number;
  /** EXT-X-KEY METHOD in force ('NONE' when clear). */
  encryption: string;
  /** URI of the EXT-X-MAP initialization section in force, if any. */
  map?: string;
}

/** A media playlist. */
export interface MediaPlaylist {
  kind: 'media';
  targetDuration: number;
  mediaSequence: number;
  /** EXT-X-ENDLIST seen: no segment will be added. */
  endList: boolean;
  /** EXT-X-PLAYLIST-TYPE (VOD, EVENT) or '' when absent. */
  playlistType: string;
  segments: Segment[];
}

/** A parsed playlist, or why the text is not one. */
export type PlaylistResult = MasterPlaylist | MediaPlaylist | { kind: 'error'; error: string };

const ATTRIBUTE = /([A-Z0-9-]+)=("[^"]*"|[^,]*)/g;

/** Parses an attribute list (`KEY=value,KEY="quoted, text"`). */
export function parseAttributes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(ATTRIBUTE)) {
    const raw = m[2];
    out.set(m[1], raw.startsWith('"') ? raw.slice(1, -1) : raw);
  }
  return out;
}

function resolve(uri: string, base: URL): string | undefined {
  try {
    return new URL(uri, base).href;
  } catch {
    return undefined;
  }
}

function tagValue(line: string): string {
  const colon = line.indexOf(':');
  return colon < 0 ? '' : line.slice(colon + 1);
}

/** Parses a playlist fetched from `base`. */
export function parsePlaylist(text: string, base: URL): PlaylistResult {
  const lines = text.split(/\r?\n/);
  let first = 0;
  while (first < lines.length && lines[first].trim() === '') first++;
  if (lines[first]?.replace(/^\uFEFF/, '').trim() !== '#EXTM3U') {
    return { kind: 'error', error: 'playlist does not start with #EXTM3U' };
  }
  const variants: Variant[] = [];
  const segments: Segment[] = [];
  let targetDuration = -1;
  let mediaSequence = 0;
  let endList = false;
  let playlistType = '';
  let encryption = 'NONE';
  let map: string | undefined;
  let pendingVariant: Variant | undefined;
  let pendingDuration = -1;
  for (let i = first + 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const where = `line ${i + 1}`;
    if (!line.startsWith('#')) {
      const uri = resolve(line, base);
      if (uri === undefined) return { kind: 'error', error: `${where}: invalid URI ${line}` };
      if (pendingVariant !== undefined) {
        pendingVariant.uri = uri;
        variants.push(pendingVariant);
        pendingVariant = undefined;
      } else if (pendingDuration >= 0) {
        const seg: Segment = { uri, duration: pendingDuration, sequence: mediaSequence + segments.length, encryption };
        if (map !== undefined) seg.map = map;
        segments.push(seg);
        pendingDuration = -1;
      } else {
        return { kind: 'error', error: `${where}: URI without a preceding #EXTINF or #EXT-X-STREAM-INF` };
      }
      continue;
    }
    if (!line.startsWith('#EXT')) continue; // a comment
    const tag = line.includes(':') ? line.slice(0, line.indexOf(':')) : line;
    switch (tag) {
      case '#EXT-X-STREAM-INF': {
        const attrs = parseAttributes(tagValue(line));
        const bandwidth = Number(attrs.get('BANDWIDTH'));
        if (!Number.isFinite(bandwidth) || bandwidth <= 0) return { kind: 'error', error: `${where}: EXT-X-STREAM-INF without a valid BANDWIDTH` };
        pendingVariant = { uri: '', bandwidth };
        const avg = Number(attrs.get('AVERAGE-BANDWIDTH'));
        if (Number.isFinite(avg) && avg > 0) pendingVariant.averageBandwidth = avg;
        const resolution = attrs.get('RESOLUTION');
        if (resolution !== undefined) pendingVariant.resolution = resolution;
        const codecs = attrs.get('CODECS');
        if (codecs !== undefined) pendingVariant.codecs = codecs;
        break;
      }
      case '#EXTINF': {
        const value = tagValue(line);
        const comma = value.indexOf(',');
        const duration = Number(comma < 0 ? value : value.slice(0, comma));
        if (value.trim() === '' || !Number.isFinite(duration) || duration < 0) return { kind: 'error', error: `${where}: EXTINF without a valid duration` };
        pendingDuration = duration;
        break;
      }
      case '#EXT-X-TARGETDURATION': {
        const v = Number(tagValue(line));
        if (!Number.isInteger(v) || v < 0) return { kind: 'error', error: `${where}: invalid EXT-X-TARGETDURATION` };
        targetDuration = v;
        break;
      }
      case '#EXT-X-MEDIA-SEQUENCE': {
        const v = Number(tagValue(line));
        if (!Number.isInteger(v) || v < 0) return { kind: 'error', error: `${where}: invalid EXT-X-MEDIA-SEQUENCE` };
        if (segments.length > 0) return { kind: 'error', error: `${where}: EXT-X-MEDIA-SEQUENCE after the first segment` };
        mediaSequence = v;
        break;
      }
      case '#EXT-X-ENDLIST':
        endList = true;
        break;
      case '#EXT-X-PLAYLIST-TYPE':
        playlistType = tagValue(line).trim();
        break;
      case '#EXT-X-KEY':
        encryption = parseAttributes(tagValue(line)).get('METHOD') ?? 'NONE';
        break;
      case '#EXT-X-MAP': {
        const uri = parseAttributes(tagValue(line)).get('URI');
        const resolved = uri === undefined ? undefined : resolve(uri, base);
        if (resolved === undefined) return { kind: 'error', error: `${where}: EXT-X-MAP without a valid URI` };
        map = resolved;
        break;
      }
      default:
        break; // tags a player may ignore here (EXT-X-VERSION, EXT-X-MEDIA, EXT-X-PROGRAM-DATE-TIME...)
    }
  }
  if (pendingVariant !== undefined) return { kind: 'error', error: 'EXT-X-STREAM-INF without a URI line' };
  if (pendingDuration >= 0) return { kind: 'error', error: 'EXTINF without a URI line' };
  if (variants.length > 0 && segments.length > 0) return { kind: 'error', error: 'playlist mixes variant streams and segments' };
  if (variants.length > 0) return { kind: 'master', variants };
  if (targetDuration < 0) return { kind: 'error', error: 'media playlist without EXT-X-TARGETDURATION' };
  return { kind: 'media', targetDuration, mediaSequence, endList, playlistType, segments };
}

/**
 * Picks a variant by `bitrate_type`: 0 the lowest BANDWIDTH, 1 the highest, 2 a random one.
 * `random` is injectable for tests.
 */
export function pickVariant(variants: readonly Variant[], bitrateType: number, random: () => number = Math.random): Variant {
  if (bitrateType === 2) return variants[Math.min(variants.length - 1, Math.floor(random() * variants.length))];
  let best = variants[0];
  for (const v of variants) {
    if (bitrateType === 1 ? v.bandwidth > best.bandwidth : v.bandwidth < best.bandwidth) best = v;
  }
  return best;
}

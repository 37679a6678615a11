/**
 * An incremental FLV reader (FLV specification v10.1, annex E, plus Enhanced RTMP's extended video
 * and audio headers): the file header (signature "FLV", version 1, audio/video flags, data offset),
 * then tags (type 8 audio, 9 video, 18 script data; data size; timestamp; stream id) each followed by
 * a PreviousTagSize that must equal 11 + data size. Bodies are not kept: only their first two bytes
 * are looked at, enough to tell codec configuration from frames and key frames from the rest.
 * The same body layout is used by RTMP audio and video messages (see videoKind).
 */

/** The FLV header is not one: wrong signature, version or data offset. */
export class FlvHeaderError extends Error {
  override readonly name = 'FlvHeaderError';
}

/** A tag contradicts the format: unknown type, or a PreviousTagSize that does not match. */
export class FlvTagError extends Error {
  override readonly name = 'FlvTagError';
}

/** FLV tag type of audio. */
export const TAG_AUDIO = 8;
/** FLV tag type of video. */
export const TAG_VIDEO = 9;
/** FLV tag type of script data (onMetaData). */
export const TAG_SCRIPT = 18;

/** videoKind: codec configuration or another body that is not a picture. */
export const VIDEO_CONFIG = 0;
/** videoKind: a picture that is not a key frame. */
export const VIDEO_FRAME = 1;
/** videoKind: a key frame. */
export const VIDEO_KEY_FRAME = 2;

/**
 * What a video tag body (or RTMP video message) carries, from its first two bytes: VIDEO_CONFIG
 * for codec configuration, sequence end, metadata and command frames, VIDEO_KEY_FRAME or
 * VIDEO_FRAME for coded pictures. `b1` is -1 when the body has a single byte.
 */
export function videoKind(b0: number, b1: number): number {
  if (b0 & 0x80) {
    // Enhanced RTMP: IsExHeader | FrameType (3 bits) | PacketType (4 bits), then a FourCC.
    const frameType = (b0 >> 4) & 0x07;
    const packetType = b0 & 0x0f;
    if (frameType === 5 || (packetType !== 1 && packetType !== 3)) return VIDEO_CONFIG;
    return frameType === 1 ? VIDEO_KEY_FRAME : VIDEO_FRAME;
  }
  const frameType = b0 >> 4;
  const codecId = b0 & 0x0f;
  if (frameType === 5) return VIDEO_CONFIG; // video info / command frame
  // AVC (7) and the widespread pre-standard HEVC (12) and AV1 (13) ids carry a packet type byte.
  if ((codecId === 7 || codecId === 12 || codecId === 13) && b1 !== 1) return VIDEO_CONFIG;
  return frameType === 1 ? VIDEO_KEY_FRAME : VIDEO_FRAME;
}

/** Receives what the reader finds. */
export interface FlvSink {
  /** The header was read. */
  header?(version: number, hasAudio: boolean, hasVideo: boolean): void;
  /** A complete tag (its PreviousTagSize checked). `b0`/`b1` are its first body bytes, -1 if absent. */
  tag(type: number, timestamp: number, dataSize: number, b0: number, b1: number): void;
}

const HEADER_SIZE = 9;
const TAG_HEADER_SIZE = 11;

const S_HEADER = 0;
const S_SKIP_TO_DATA = 1;
const S_PREV_SIZE_0 = 2;
const S_TAG_HEADER = 3;
const S_BODY = 4;
const S_PREV_SIZE = 5;

/** Parses FLV bytes as they arrive; throws FlvHeaderError / FlvTagError on a broken stream. */
export class FlvReader {
  /** Bytes consumed so far. */
  offset = 0;
  private state = S_HEADER;
  /** Accumulates the fixed-size pieces (header, tag header, PreviousTagSize). */
  private readonly scratch = Buffer.alloc(TAG_HEADER_SIZE);
  private have = 0;
  private skip = 0;
  private tagType = 0;
  private tagSize = 0;
  private tagTime = 0;
  private bodyLeft = 0;
  private b0 = -1;
  private b1 = -1;

  constructor(private readonly sink: FlvSink) {}

  /** True when the bytes so far end exactly after a tag (or before the first): a clean place to stop. */
  get atBoundary(): boolean {
    return this.state === S_TAG_HEADER && this.have === 0;
  }

  /** Feeds the next bytes. */
  push(data: Buffer): void {
    let p = 0;
    const n = data.length;
    while (p < n) {
      switch (this.state) {
        case S_HEADER: {
          p = this.fill(data, p, HEADER_SIZE);
          if (this.have < HEADER_SIZE) break;
          this.readHeader();
          break;
        }
        case S_SKIP_TO_DATA: {
          const k = Math.min(this.skip, n - p);
          this.skip -= k;
          p += k;
          this.offset += k;
          if (this.skip === 0) this.state = S_PREV_SIZE_0;
          break;
        }
        case S_PREV_SIZE_0: {
          p = this.fill(data, p, 4);
          if (this.have < 4) break;
          this.have = 0;
          if (this.scratch.readUInt32BE(0) !== 0) throw new FlvTagError('PreviousTagSize0 is not 0');
          this.state = S_TAG_HEADER;
          break;
        }
        case S_TAG_HEADER: {
          p = this.fill(data, p, TAG_HEADER_SIZE);
          if (this.have < TAG_HEADER_SIZE) break;
          this.readTagHeader();
          break;
        }
        case S_BODY: {
          const k = Math.min(this.bodyLeft, n - p);
          const at = this.tagSize - this.bodyLeft;
          if (at === 0 && k > 0) this.b0 = data[p];
          if (at <= 1 && at + k > 1) this.b1 = data[p + 1 - at];
          this.bodyLeft -= k;
          p += k;
          this.offset += k;
          if (this.bodyLeft === 0) this.state = S_PREV_SIZE;
          break;
        }
        case S_PREV_SIZE: {
          p = this.fill(data, p, 4);
          if (this.have < 4) break;
          this.have = 0;
          const prev = this.scratch.readUInt32BE(0);
          if (prev !== TAG_HEADER_SIZE + this.tagSize) {
            throw new FlvTagError(`PreviousTagSize ${prev} does not match the tag size ${TAG_HEADER_SIZE + this.tagSize} at byte ${this.offset - 4}`);
          }
          this.state = S_TAG_HEADER;
          this.sink.tag(this.tagType, this.tagTime, this.tagSize, this.b0, this.b1);
          break;
        }
        default:
          throw new Error(`FlvReader in unknown state ${this.state}`);
      }
    }
  }

  /** Copies up to `size - have` bytes into scratch; returns the new position. */
  private fill(data: Buffer, p: number, size: number): number {
    const k = Math.min(size - this.have, data.length - p);
    data.copy(this.scratch, this.have, p, p + k);
    this.have += k;
    this.offset += k;
    return p + k;
  }

  private readHeader(): void {
    const s = this.scratch;
    this.have = 0;
    if (s[0] !== 0x46 || s[1] !== 0x4c || s[2] !== 0x56) {
      throw new FlvHeaderError(`not an FLV stream: signature ${JSON.stringify(s.toString('latin1', 0, 3))}`);
    }
    if (s[3] !== 1) throw new FlvHeaderError(`unsupported FLV version ${s[3]}`);
    const dataOffset = s.readUInt32BE(5);
    if (dataOffset < HEADER_SIZE) throw new FlvHeaderError(`FLV data offset ${dataOffset} is smaller than the header`);
    this.sink.header?.(s[3], (s[4] & 0x04) !== 0, (s[4] & 0x01) !== 0);
    this.skip = dataOffset - HEADER_SIZE;
    this.state = this.skip > 0 ? S_SKIP_TO_DATA : S_PREV_SIZE_0;
  }

  private readTagHeader(): void {
    const s = this.scratch;
    this.have = 0;
    const type = s[0] & 0x1f;
    if (type !== TAG_AUDIO && type !== TAG_VIDEO && type !== TAG_SCRIPT) {
      throw new FlvTagError(`unknown FLV tag type ${type} at byte ${this.offset - TAG_HEADER_SIZE}`);
    }
    this.tagType = type;
    this.tagSize = s.readUIntBE(1, 3);
    this.tagTime = (s[7] * 0x1000000 + s.readUIntBE(4, 3)) >>> 0;
    this.bodyLeft = this.tagSize;
    this.b0 = -1;
    this.b1 = -1;
    this.state = this.tagSize > 0 ? S_BODY : S_PREV_SIZE;
  }
}

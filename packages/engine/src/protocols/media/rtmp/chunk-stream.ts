/**
 * The RTMP chunk stream (RTMP specification section 5.3): messages are cut into chunks of at most
 * `chunkSize` payload bytes, each preceded by a basic header (format 0-3 and chunk stream id), a
 * message header whose size depends on the format, and an extended timestamp when the 24-bit field
 * overflows. ChunkReader reassembles messages from the bytes of a socket; ChunkWriter cuts messages
 * into chunks, compressing headers the same way. Set Chunk Size (type 1) and Abort (type 2) are
 * chunk-stream matters, so the reader applies them itself before passing them on.
 */

/** One reassembled RTMP message. */
export interface RtmpMessage {
  /** Chunk stream id it arrived on. */
  csid: number;
  /** Message type id (1 set chunk size, 8 audio, 9 video, 20 AMF0 command...). */
  type: number;
  /** Message stream id (0 for the connection's control and command messages). */
  streamId: number;
  /** Timestamp in milliseconds (32-bit, wraps). */
  timestamp: number;
  payload: Buffer;
}

/** A broken chunk stream: a header that contradicts the protocol. */
export class ChunkStreamError extends Error {
  override readonly name = 'ChunkStreamError';
}

/** Message type Set Chunk Size, which the chunk stream layer applies itself. */
export const MSG_SET_CHUNK_SIZE = 1;
/** Message type Abort, which the chunk stream layer applies itself. */
export const MSG_ABORT = 2;

/** The chunk size every RTMP connection starts with, in both directions. */
export const DEFAULT_CHUNK_SIZE = 128;
const MAX_CHUNK_SIZE = 0x7fffffff;
const EXTENDED = 0xffffff;

/** What a chunk stream remembers from its previous chunk (section 5.3.1.2). */
interface ChunkStreamState {
  timestamp: number;
  /** The last timestamp field read: absolute for format 0, a delta for formats 1 and 2. */
  tsField: number;
  length: number;
  type: number;
  streamId: number;
  /** Whether the last header carried an extended timestamp (then format 3 chunks repeat it). */
  extended: boolean;
  /** Payload of the message being reassembled, or null between messages. */
  payload: Buffer | null;
  received: number;
  /** Whether any header was seen on this chunk stream (formats 1-3 need one). */
  known: boolean;
}

function newState(): ChunkStreamState {
  return { timestamp: 0, tsField: 0, length: 0, type: 0, streamId: 0, extended: false, payload: null, received: 0, known: false };
}

/** Reassembles RTMP messages from socket bytes; calls `onMessage` synchronously for each one. */
export class ChunkReader {
  private chunkSizeIn = DEFAULT_CHUNK_SIZE;
  private readonly streams = new Map<number, ChunkStreamState>();
  private pending: Buffer | null = null;
  /** Chunk stream whose chunk payload is being read, and how many bytes of that chunk are left. */
  private current: ChunkStreamState | null = null;
  private currentCsid = 0;
  private chunkLeft = 0;

  constructor(private readonly onMessage: (msg: RtmpMessage) => void) {}

  /** The maximum chunk payload the peer sends (changed by its Set Chunk Size messages). */
  get chunkSize(): number {
    return this.chunkSizeIn;
  }

  /** Applies a Set Chunk Size from the peer. */
  setChunkSize(size: number): void {
    if (!Number.isInteger(size) || size < 1 || size > MAX_CHUNK_SIZE) {
      throw new ChunkStreamError(`invalid chunk size ${size}`);
    }
    this.chunkSizeIn = size;
  }

  /** Drops the partly received message of a chunk stream (Abort message). */
  abort(csid: number): void {
    const s = this.streams.get(csid);
    if (s === undefined) return;
    s.payload = null;
    s.received = 0;
    if (this.current === s) {
      this.current = null;
      this.chunkLeft = 0;
    }
  }

  /** Feeds bytes as they arrive. Throws ChunkStreamError on a broken stream. */
  push(data: Buffer): void {
    let buf = data;
    if (this.pending !== null) {
      buf = Buffer.concat([this.pending, data]);
      this.pending = null;
    }
    let pos = 0;
    while (pos < buf.length) {
      if (this.current === null) {
        const used = this.readHeader(buf, pos);
        if (used === 0) {
          this.pending = Buffer.from(buf.subarray(pos));
          return;
        }
        pos += used;
        continue;
      }
      const s = this.current;
      const n = Math.min(this.chunkLeft, buf.length - pos);
      buf.copy(s.payload!, s.received, pos, pos + n);
      s.received += n;
      this.chunkLeft -= n;
      pos += n;
      if (this.chunkLeft === 0) this.finishChunk(s);
    }
  }

  /** Parses one chunk header at `pos`; returns the bytes used, or 0 when more bytes are needed. */
  private readHeader(buf: Buffer, pos: number): number {
    const avail = buf.length - pos;
    if (avail < 1) return 0;
    const b0 = buf[pos];
    const fmt = b0 >> 6;
    let csid = b0 & 0x3f;
    let p = pos + 1;
    if (csid === 0) {
      if (avail < 2) return 0;
      csid = 64 + buf[p];
      p += 1;
    } else if (csid === 1) {
      if (avail < 3) return 0;
      csid = 64 + buf[p] + buf[p + 1] * 256;
      p += 2;
    }
    const headerLen = fmt === 0 ? 11 : fmt === 1 ? 7 : fmt === 2 ? 3 : 0;
    if (buf.length - p < headerLen) return 0;
    let s = this.streams.get(csid);
    if (s === undefined) {
      s = newState();
      this.streams.set(csid, s);
    }
    if (fmt !== 0 && !s.known) {
      throw new ChunkStreamError(`chunk format ${fmt} on chunk stream ${csid} before any format 0 header`);
    }
    const startsMessage = s.payload === null;
    if (fmt !== 3 && !startsMessage) {
      throw new ChunkStreamError(`new message header on chunk stream ${csid} before the previous message was complete`);
    }
    let tsField = s.tsField;
    let extended = s.extended;
    if (fmt <= 2) {
      tsField = buf.readUIntBE(p, 3);
      extended = tsField === EXTENDED;
    }
    const extLen = extended ? 4 : 0;
    if (buf.length - p - headerLen < extLen) return 0;
    if (extended) tsField = buf.readUInt32BE(p + headerLen);
    // Nothing is changed before the whole header is known to be present.
    if (fmt <= 1) {
      s.length = buf.readUIntBE(p + 3, 3);
      s.type = buf[p + 6];
    }
    if (fmt === 0) s.streamId = buf.readUInt32LE(p + 7);
    s.known = true;
    s.extended = extended;
    if (fmt === 0) {
      s.timestamp = tsField;
      s.tsField = tsField;
    } else if (startsMessage) {
      s.tsField = tsField;
      s.timestamp = (s.timestamp + tsField) >>> 0;
    }
    if (startsMessage) {
      s.payload = Buffer.allocUnsafe(s.length);
      s.received = 0;
    }
    this.current = s;
    this.currentCsid = csid;
    this.chunkLeft = Math.min(this.chunkSizeIn, s.length - s.received);
    if (this.chunkLeft === 0) this.finishChunk(s);
    return p - pos + headerLen + extLen;
  }

  private finishChunk(s: ChunkStreamState): void {
    this.current = null;
    if (s.received < s.length) return;
    const msg: RtmpMessage = {
      csid: this.currentCsid,
      type: s.type,
      streamId: s.streamId,
      timestamp: s.timestamp,
      payload: s.payload!,
    };
    s.payload = null;
    s.received = 0;
    if (msg.type === MSG_SET_CHUNK_SIZE) {
      if (msg.payload.length < 4) throw new ChunkStreamError('Set Chunk Size message shorter than 4 bytes');
      this.setChunkSize(msg.payload.readUInt32BE(0) & MAX_CHUNK_SIZE);
    } else if (msg.type === MSG_ABORT) {
      if (msg.payload.length < 4) throw new ChunkStreamError('Abort message shorter than 4 bytes');
      this.abort(msg.payload.readUInt32BE(0));
    }
    this.onMessage(msg);
  }
}

/** What ChunkWriter remembers of the last message it sent on a chunk stream. */
interface WriterState {
  timestamp: number;
  tsField: number;
  length: number;
  type: number;
  streamId: number;
}

/** Cuts messages into chunks, with headers compressed against the previous message of the chunk stream. */
export class ChunkWriter {
  private chunkSizeOut = DEFAULT_CHUNK_SIZE;
  private readonly streams = new Map<number, WriterState>();

  /**
   * @param compress use formats 1-3 for new messages when the previous header allows it; format 0
   *   otherwise (every message then starts with a full header).
   */
  constructor(private readonly compress = true) {}

  /** The maximum chunk payload this side sends; announce changes with a Set Chunk Size message first. */
  get chunkSize(): number {
    return this.chunkSizeOut;
  }

  set chunkSize(size: number) {
    if (!Number.isInteger(size) || size < 1 || size > MAX_CHUNK_SIZE) {
      throw new RangeError(`chunk size must be an integer in 1..${MAX_CHUNK_SIZE}, got ${size}`);
    }
    this.chunkSizeOut = size;
  }

  /** Encodes one message as chunks. A forced `fmt` (tests) must be valid for the previous header. */
  encode(msg: Omit<RtmpMessage, 'payload'> & { payload: Buffer }, forceFmt?: 0 | 1 | 2 | 3): Buffer {
    if (msg.csid < 2 || msg.csid > 65599) throw new RangeError(`chunk stream id must be in 2..65599, got ${msg.csid}`);
    const prev = this.streams.get(msg.csid);
    const ts = msg.timestamp >>> 0;
    const length = msg.payload.length;
    let fmt: 0 | 1 | 2 | 3 = 0;
    let tsField = ts;
    if (prev !== undefined && (this.compress || forceFmt !== undefined) && prev.streamId === msg.streamId && ts >= prev.timestamp) {
      const delta = ts - prev.timestamp;
      tsField = delta;
      if (prev.length !== length || prev.type !== msg.type) fmt = 1;
      else if (delta !== prev.tsField) fmt = 2;
      else fmt = 3;
    }
    if (forceFmt !== undefined) {
      if (forceFmt > fmt) throw new RangeError(`format ${forceFmt} cannot express this message after the previous one`);
      fmt = forceFmt;
      tsField = fmt === 0 ? ts : ts - prev!.timestamp;
    }
    if (fmt === 3) tsField = prev!.tsField;
    this.streams.set(msg.csid, { timestamp: ts, tsField, length, type: msg.type, streamId: msg.streamId });

    const extended = tsField >= EXTENDED;
    const basicLen = msg.csid < 64 ? 1 : msg.csid < 320 ? 2 : 3;
    const headerLen = fmt === 0 ? 11 : fmt === 1 ? 7 : fmt === 2 ? 3 : 0;
    const extLen = extended ? 4 : 0;
    const chunks = Math.max(1, Math.ceil(length / this.chunkSizeOut));
    const total = basicLen + headerLen + extLen + length + (chunks - 1) * (basicLen + extLen);
    const out = Buffer.allocUnsafe(total);
    let p = writeBasicHeader(out, 0, fmt, msg.csid);
    if (fmt <= 2) out.writeUIntBE(extended ? EXTENDED : tsField, p, 3);
    if (fmt <= 1) {
      out.writeUIntBE(length, p + 3, 3);
      out[p + 6] = msg.type;
    }
    if (fmt === 0) out.writeUInt32LE(msg.streamId, p + 7);
    p += headerLen;
    if (extended) p = out.writeUInt32BE(tsField, p);
    let sent = 0;
    for (;;) {
      const n = Math.min(this.chunkSizeOut, length - sent);
      msg.payload.copy(out, p, sent, sent + n);
      p += n;
      sent += n;
      if (sent >= length) break;
      p = writeBasicHeader(out, p, 3, msg.csid);
      if (extended) p = out.writeUInt32BE(tsField, p);
    }
    return out;
  }
}

function writeBasicHeader(out: Buffer, p: number, fmt: number, csid: number): number {
  if (csid < 64) {
    out[p] = (fmt << 6) | csid;
    return p + 1;
  }
  if (csid < 320) {
    out[p] = fmt << 6;
    out[p + 1] = csid - 64;
    return p + 2;
  }
  out[p] = (fmt << 6) | 1;
  out[p + 1] = (csid - 64) & 0xff;
  out[p + 2] = (csid - 64) >> 8;
  return p + 3;
}

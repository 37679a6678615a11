/**
 * A counting MPEG-2 transport stream reader (ISO/IEC 13818-1) for HLS segments: it follows the PAT
 * to the PMTs, learns which packet ids carry audio and which video, and reports payload bytes per
 * kind, one packet per PES start (a video PES is one frame), and key frames by the adaptation
 * field's random_access_indicator. Nothing is decoded or kept. A lost sync byte is an error.
 */

/** Receives media counts (PlaySession implements it). */
export interface MediaSink {
  /** Audio payload bytes; `start` when they begin a new packet. */
  audio(bytes: number, start: boolean): void;
  /** Video payload bytes; `start` when they begin a new packet, `frame` if it is a picture, `key` if a key frame. */
  video(bytes: number, start: boolean, frame: boolean, key: boolean): void;
}

/** The bytes are not a transport stream (sync byte missing, adaptation field overrun). */
export class TsError extends Error {
  override readonly name = 'TsError';
}

/** Size of a transport stream packet. */
export const TS_PACKET = 188;
const SYNC = 0x47;

const VIDEO_TYPES = new Set([0x01, 0x02, 0x10, 0x1b, 0x24, 0x42, 0xea]);
const AUDIO_TYPES = new Set([0x03, 0x04, 0x0f, 0x11, 0x81, 0x87]);
const KIND_AUDIO = 1;
const KIND_VIDEO = 2;

/** Reads transport stream bytes as they arrive, segment after segment. */
export class TsReader {
  /** Transport packets read. */
  packets = 0;
  private readonly pmtPids = new Set<number>();
  private readonly kinds = new Map<number, number>();
  private readonly partial = Buffer.allocUnsafe(TS_PACKET);
  private have = 0;

  constructor(private readonly sink: MediaSink) {}

  /** Starts a new segment: a partial packet left by the previous one is dropped. */
  reset(): void {
    this.have = 0;
  }

  /** True when the bytes so far end on a packet boundary. */
  get atBoundary(): boolean {
    return this.have === 0;
  }

  /** Feeds the next bytes of the segment. */
  push(data: Buffer): void {
    let p = 0;
    if (this.have > 0) {
      const k = Math.min(TS_PACKET - this.have, data.length);
      data.copy(this.partial, this.have, 0, k);
      this.have += k;
      p = k;
      if (this.have < TS_PACKET) return;
      this.have = 0;
      this.packet(this.partial, 0);
    }
    while (data.length - p >= TS_PACKET) {
      this.packet(data, p);
      p += TS_PACKET;
    }
    if (p < data.length) {
      data.copy(this.partial, 0, p);
      this.have = data.length - p;
    }
  }

  private packet(b: Buffer, o: number): void {
    if (b[o] !== SYNC) throw new TsError(`transport stream lost sync at packet ${this.packets}`);
    this.packets++;
    const start = (b[o + 1] & 0x40) !== 0;
    const pid = ((b[o + 1] & 0x1f) << 8) | b[o + 2];
    const control = (b[o + 3] >> 4) & 0x03;
    const end = o + TS_PACKET;
    let p = o + 4;
    let randomAccess = false;
    if (control & 0x02) {
      const len = b[p];
      if (len > 0) randomAccess = (b[p + 1] & 0x40) !== 0;
      p += 1 + len;
      if (p > end) throw new TsError(`adaptation field overruns packet ${this.packets - 1}`);
    }
    if ((control & 0x01) === 0 || p >= end) return;
    if (pid === 0) {
      if (start) this.readPat(b, p, end);
      return;
    }
    if (this.pmtPids.has(pid)) {
      if (start) this.readPmt(b, p, end);
      return;
    }
    const kind = this.kinds.get(pid);
    if (kind === KIND_VIDEO) this.sink.video(end - p, start, start, start && randomAccess);
    else if (kind === KIND_AUDIO) this.sink.audio(end - p, start);
  }

  /** Start and end (before the CRC) of the section that begins at the payload `p`, or undefined. */
  private section(b: Buffer, p: number, end: number): [number, number] | undefined {
    const s = p + 1 + b[p]; // pointer field
    if (s + 3 > end) return undefined;
    const length = ((b[s + 1] & 0x0f) << 8) | b[s + 2];
    return [s, Math.min(s + 3 + length, end) - 4];
  }

  private readPat(b: Buffer, p: number, end: number): void {
    const sec = this.section(b, p, end);
    if (sec === undefined || b[sec[0]] !== 0x00) return;
    for (let q = sec[0] + 8; q + 4 <= sec[1]; q += 4) {
      const program = b.readUInt16BE(q);
      if (program !== 0) this.pmtPids.add(((b[q + 2] & 0x1f) << 8) | b[q + 3]);
    }
  }

  private readPmt(b: Buffer, p: number, end: number): void {
    const sec = this.section(b, p, end);
    if (sec === undefined || b[sec[0]] !== 0x02) return;
    const s = sec[0];
    let q = s + 12 + (((b[s + 10] & 0x0f) << 8) | b[s + 11]);
    while (q + 5 <= sec[1]) {
      const type = b[q];
      const pid = ((b[q + 1] & 0x1f) << 8) | b[q + 2];
      if (VIDEO_TYPES.has(type)) this.kinds.set(pid, KIND_VIDEO);
      else if (AUDIO_TYPES.has(type)) this.kinds.set(pid, KIND_AUDIO);
      q += 5 + (((b[q + 3] & 0x0f) << 8) | b[q + 4]);
    }
  }
}

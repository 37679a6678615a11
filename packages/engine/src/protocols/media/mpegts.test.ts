import { describe, expect, it } from 'vitest';
import { TS_PACKET, TsError, TsReader, type MediaSink } from './mpegts.js';

/** One transport packet: header, optional adaptation field (random access flag), payload padded with 0xff. */
function packet(pid: number, start: boolean, payload: Buffer, randomAccess = false): Buffer {
  const p = Buffer.alloc(TS_PACKET, 0xff);
  p[0] = 0x47;
  p[1] = (start ? 0x40 : 0) | (pid >> 8);
  p[2] = pid & 0xff;
  let o = 4;
  if (randomAccess) {
    p[3] = 0x30; // adaptation field and payload
    p[4] = 1;
    p[5] = 0x40;
    o = 6;
  } else {
    p[3] = 0x10; // payload only
  }
  payload.copy(p, o);
  return p;
}

/** A PSI section after a zero pointer field; the CRC is not checked, so zeros do. */
function section(tableId: number, body: number[]): Buffer {
  const length = 5 + body.length + 4;
  return Buffer.from([0, tableId, 0xb0 | (length >> 8), length & 0xff, 0, 1, 0xc1, 0, 0, ...body, 0, 0, 0, 0]);
}

const pat = packet(0, true, section(0x00, [0, 0, 0xe0, 0x10, 0, 1, 0xf0, 0x00])); // NIT 0x10, program 1 -> PMT 0x1000
const pmt = packet(0x1000, true, section(0x02, [0xe1, 0x00, 0xf0, 0x00, 0x1b, 0xe1, 0x00, 0xf0, 0x00, 0x0f, 0xe1, 0x01, 0xf0, 0x00, 0x06, 0xe1, 0x02, 0xf0, 0x00]));
const pes = Buffer.from([0, 0, 1, 0xe0]);
const stream = Buffer.concat([
  pat,
  pmt,
  packet(0x100, true, pes, true), // key frame
  packet(0x100, false, pes),
  packet(0x101, true, pes),
  packet(0x102, true, pes), // private data: neither audio nor video
  packet(0x100, true, pes), // inter frame
  packet(0x101, false, pes),
  packet(0x1fff, false, Buffer.alloc(0)), // null packet
]);

function counter(): MediaSink & { c: Record<string, number> } {
  const c = { audioBytes: 0, audio: 0, videoBytes: 0, video: 0, frames: 0, keys: 0 };
  return {
    c,
    audio(bytes, start) {
      c.audioBytes += bytes;
      if (start) c.audio++;
    },
    video(bytes, start, frame, key) {
      c.videoBytes += bytes;
      if (start) c.video++;
      if (frame) c.frames++;
      if (key) c.keys++;
    },
  };
}

describe('transport stream reader', () => {
  for (const slice of [1, 100, TS_PACKET, 5000]) {
    it(`counts audio and video from slices of ${slice} bytes`, () => {
      const sink = counter();
      const r = new TsReader(sink);
      for (let p = 0; p < stream.length; p += slice) r.push(stream.subarray(p, p + slice));
      expect(r.packets).toBe(9);
      expect(r.atBoundary).toBe(true);
      expect(sink.c).toEqual({ audioBytes: 2 * 184, audio: 1, videoBytes: 182 + 2 * 184, video: 2, frames: 2, keys: 1 });
    });
  }

  it('drops a partial packet when a new segment starts, and keeps the program tables', () => {
    const sink = counter();
    const r = new TsReader(sink);
    r.push(stream.subarray(0, 2 * TS_PACKET + 50));
    expect(r.atBoundary).toBe(false);
    r.reset();
    r.push(packet(0x100, true, pes, true));
    expect(sink.c.keys).toBe(1);
  });

  it('reports lost sync and an overlong adaptation field', () => {
    const bad = Buffer.from(stream);
    bad[3 * TS_PACKET] = 0x48;
    expect(() => new TsReader(counter()).push(bad)).toThrow(/lost sync at packet 3/);
    const overrun = packet(0x100, false, Buffer.alloc(0));
    overrun[3] = 0x30;
    overrun[4] = 200;
    expect(() => new TsReader(counter()).push(overrun)).toThrow(TsError);
  });
});

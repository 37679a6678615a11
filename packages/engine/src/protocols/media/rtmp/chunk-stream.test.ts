import { describe, expect, it } from 'vitest';
import { ChunkReader, ChunkStreamError, ChunkWriter, type RtmpMessage } from './chunk-stream.js';
import { seededRandom as rng } from '../../../../test/seeded-random.js';

function payload(n: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

/** Feeds `bytes` to a reader in random slices and returns what it emitted. */
function readAll(bytes: Buffer, seed: number, reader?: (onMsg: (m: RtmpMessage) => void) => ChunkReader): RtmpMessage[] {
  const out: RtmpMessage[] = [];
  const r = reader ? reader((m) => out.push(m)) : new ChunkReader((m) => out.push(m));
  const rand = rng(seed);
  let pos = 0;
  while (pos < bytes.length) {
    const n = 1 + Math.floor(rand() * 300);
    r.push(bytes.subarray(pos, pos + n));
    pos += n;
  }
  return out;
}

describe('RTMP chunk stream', () => {
  it('writes the header layout of the specification', () => {
    const w = new ChunkWriter();
    const setChunk = Buffer.alloc(4);
    setChunk.writeUInt32BE(4096);
    const bytes = w.encode({ csid: 2, type: 1, streamId: 0, timestamp: 0, payload: setChunk });
    expect(bytes.toString('hex')).toBe('02' + '000000' + '000004' + '01' + '00000000' + '00001000');
    // 200 bytes at chunk size 128: format 0 header, 128 bytes, format 3 basic header, 72 bytes.
    const big = w.encode({ csid: 3, type: 20, streamId: 1, timestamp: 5, payload: payload(200, 1) });
    expect(big.length).toBe(12 + 128 + 1 + 72);
    expect(big[0]).toBe(0x03);
    expect(big[12 + 128]).toBe(0xc3);
    expect(big.readUInt32LE(8)).toBe(1);
  });

  const chunkSizes = [1, 128, 4096, 60_000];
  const sizes = [0, 1, 127, 128, 129, 1000, 70_000];
  const csids = [2, 3, 63, 64, 319, 320, 65_599];
  for (const chunkSize of chunkSizes) {
    it(`reassembles messages of every size and chunk stream id at chunk size ${chunkSize}`, () => {
      const w = new ChunkWriter();
      const parts: Buffer[] = [];
      if (chunkSize !== 128) {
        const b = Buffer.alloc(4);
        b.writeUInt32BE(chunkSize);
        parts.push(w.encode({ csid: 2, type: 1, streamId: 0, timestamp: 0, payload: b }));
        w.chunkSize = chunkSize;
      }
      const sent: RtmpMessage[] = [];
      let i = 0;
      for (const size of sizes) {
        for (const csid of csids) {
          if (chunkSize === 1 && size > 1000) continue; // 70 000 one-byte chunks add nothing but time
          const ts = i === 3 ? 0xffffff : i === 4 ? 0x1234567 : i * 40;
          const msg = { csid, type: i % 2 ? 9 : 8, streamId: 1, timestamp: ts, payload: payload(size, i) };
          sent.push(msg);
          parts.push(w.encode(msg));
          i++;
        }
      }
      const got = readAll(Buffer.concat(parts), chunkSize).filter((m) => m.type !== 1);
      expect(got.length).toBe(sent.length);
      for (let k = 0; k < sent.length; k++) {
        expect(got[k].csid).toBe(sent[k].csid);
        expect(got[k].type).toBe(sent[k].type);
        expect(got[k].streamId).toBe(sent[k].streamId);
        expect(got[k].timestamp).toBe(sent[k].timestamp);
        expect(got[k].payload.equals(sent[k].payload)).toBe(true);
      }
    });
  }

  it('reads every header format and keeps timestamps as deltas', () => {
    const w = new ChunkWriter();
    const msgs: Array<[RtmpMessage, 0 | 1 | 2 | 3]> = [
      [{ csid: 6, type: 9, streamId: 1, timestamp: 1000, payload: payload(300, 1) }, 0],
      [{ csid: 6, type: 9, streamId: 1, timestamp: 1040, payload: payload(50, 2) }, 1], // new length
      [{ csid: 6, type: 9, streamId: 1, timestamp: 1100, payload: payload(50, 3) }, 2], // new delta
      [{ csid: 6, type: 9, streamId: 1, timestamp: 1160, payload: payload(50, 4) }, 3], // same delta
      [{ csid: 6, type: 9, streamId: 1, timestamp: 1220, payload: payload(50, 5) }, 3],
      [{ csid: 6, type: 8, streamId: 1, timestamp: 1220 + 0x1000000, payload: payload(400, 6) }, 1], // extended delta
      [{ csid: 6, type: 8, streamId: 1, timestamp: 1220 + 0x2000000, payload: payload(400, 7) }, 3], // same again
      [{ csid: 6, type: 8, streamId: 1, timestamp: 50, payload: payload(10, 8) }, 0], // going back needs format 0
    ];
    const encoded = msgs.map(([m, f]) => w.encode(m, f));
    expect(encoded[3].length).toBe(1 + 50); // a format 3 start is a one-byte header
    expect(encoded[6].length).toBe(4 * (1 + 4) + 400); // extended timestamp on every chunk
    const bytes = Buffer.concat(encoded);
    const got = readAll(bytes, 7);
    expect(got.map((m) => m.timestamp)).toEqual(msgs.map(([m]) => m.timestamp));
    expect(got.map((m) => m.payload.length)).toEqual(msgs.map(([m]) => m.payload.length));
    expect(got.every((m, k) => m.payload.equals(msgs[k][0].payload))).toBe(true);
    expect(() => w.encode({ csid: 9, type: 9, streamId: 1, timestamp: 0, payload: payload(1, 1) }, 3)).toThrow(RangeError);
  });

  it('compresses headers on its own and the reader follows', () => {
    const w = new ChunkWriter();
    const sent: RtmpMessage[] = [];
    for (let i = 0; i < 50; i++) sent.push({ csid: 4, type: 8, streamId: 1, timestamp: i * 23, payload: payload(i % 5 === 0 ? 7 : 9, i) });
    const bytes = Buffer.concat(sent.map((m) => w.encode(m)));
    const uncompressed = Buffer.concat(sent.map((m) => new ChunkWriter(false).encode(m)));
    expect(bytes.length).toBeLessThan(uncompressed.length);
    const got = readAll(bytes, 3);
    expect(got.map((m) => [m.timestamp, m.payload.length])).toEqual(sent.map((m) => [m.timestamp, m.payload.length]));
  });

  it('reassembles messages whose chunks interleave across chunk streams', () => {
    const a = new ChunkWriter().encode({ csid: 4, type: 8, streamId: 1, timestamp: 1, payload: payload(300, 1) });
    const b = new ChunkWriter().encode({ csid: 6, type: 9, streamId: 1, timestamp: 2, payload: payload(300, 2) });
    const cut = (x: Buffer) => [x.subarray(0, 140), x.subarray(140, 269), x.subarray(269)];
    const [a1, a2, a3] = cut(a);
    const [b1, b2, b3] = cut(b);
    const got = readAll(Buffer.concat([a1, b1, a2, b2, b3, a3]), 11);
    expect(got.map((m) => m.csid)).toEqual([6, 4]);
    expect(got[0].payload.equals(payload(300, 2))).toBe(true);
    expect(got[1].payload.equals(payload(300, 1))).toBe(true);
  });

  it('drops a partial message on Abort', () => {
    const w = new ChunkWriter();
    const partial = w.encode({ csid: 5, type: 9, streamId: 1, timestamp: 0, payload: payload(300, 1) }).subarray(0, 140);
    const abort = Buffer.alloc(4);
    abort.writeUInt32BE(5);
    const ctl = new ChunkWriter().encode({ csid: 2, type: 2, streamId: 0, timestamp: 0, payload: abort });
    const next = new ChunkWriter().encode({ csid: 5, type: 9, streamId: 1, timestamp: 9, payload: payload(20, 2) });
    const got = readAll(Buffer.concat([partial, ctl, next]), 5);
    expect(got.map((m) => m.type)).toEqual([2, 9]);
    expect(got[1].payload.equals(payload(20, 2))).toBe(true);
  });

  it('rejects a compressed header on an unknown chunk stream', () => {
    const r = new ChunkReader(() => {});
    expect(() => r.push(Buffer.from('4300000000000109', 'hex'))).toThrow(ChunkStreamError);
    const r2 = new ChunkReader(() => {});
    expect(() => r2.push(Buffer.from('02000000000004010000000000000000', 'hex'))).toThrow(/invalid chunk size 0/);
  });
});

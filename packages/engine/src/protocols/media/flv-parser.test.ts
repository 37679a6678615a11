import { describe, expect, it } from 'vitest';
import { FlvHeaderError, FlvReader, FlvTagError, videoKind, VIDEO_CONFIG, VIDEO_FRAME, VIDEO_KEY_FRAME } from './flv-parser.js';

function header(flags = 0x05, dataOffset = 9, extra = Buffer.alloc(0)): Buffer {
  const h = Buffer.from([0x46, 0x4c, 0x56, 1, flags, 0, 0, 0, 0]);
  h.writeUInt32BE(dataOffset, 5);
  return Buffer.concat([h, extra, Buffer.alloc(4)]);
}

function tag(type: number, time: number, body: Buffer, prevSize = 11 + body.length): Buffer {
  const t = Buffer.alloc(11 + body.length + 4);
  t[0] = type;
  t.writeUIntBE(body.length, 1, 3);
  t.writeUIntBE(time & 0xffffff, 4, 3);
  t[7] = time >>> 24;
  body.copy(t, 11);
  t.writeUInt32BE(prevSize, 11 + body.length);
  return t;
}

interface Seen {
  header?: [number, boolean, boolean];
  tags: Array<[number, number, number, number, number]>;
}

function parse(bytes: Buffer, slice: number): Seen & { reader: FlvReader } {
  const seen: Seen = { tags: [] };
  const reader = new FlvReader({
    header: (v, a, vid) => (seen.header = [v, a, vid]),
    tag: (...args) => seen.tags.push(args),
  });
  for (let p = 0; p < bytes.length; p += slice) reader.push(bytes.subarray(p, p + slice));
  return { ...seen, reader };
}

const stream = Buffer.concat([
  header(0x05, 13, Buffer.from('pad!')),
  tag(18, 0, Buffer.from('\x02\x00\x0aonMetaData', 'latin1')),
  tag(9, 0, Buffer.from([0x17, 0x00, 0, 0, 0, 1, 2])), // AVC sequence header
  tag(8, 0, Buffer.from([0xaf, 0x00, 0x12, 0x10])), // AAC sequence header
  tag(9, 40, Buffer.from([0x17, 0x01, 0, 0, 0, 9, 9, 9])), // AVC key frame
  tag(8, 46, Buffer.from([0xaf, 0x01, 1, 2, 3])),
  tag(9, 80, Buffer.from([0x27, 0x01, 0, 0, 0, 9])), // AVC inter frame
  tag(9, 0x01000010, Buffer.from([0x27])), // timestamp with the extension byte, one-byte body
  tag(8, 120, Buffer.alloc(0)),
]);

describe('FLV reader', () => {
  for (const slice of [1, 3, 11, 4096]) {
    it(`reads header and tags from slices of ${slice} bytes`, () => {
      const seen = parse(stream, slice);
      expect(seen.header).toEqual([1, true, true]);
      expect(seen.tags).toEqual([
        [18, 0, 13, 0x02, 0x00],
        [9, 0, 7, 0x17, 0x00],
        [8, 0, 4, 0xaf, 0x00],
        [9, 40, 8, 0x17, 0x01],
        [8, 46, 5, 0xaf, 0x01],
        [9, 80, 6, 0x27, 0x01],
        [9, 0x01000010, 1, 0x27, -1],
        [8, 120, 0, -1, -1],
      ]);
      expect(seen.reader.atBoundary).toBe(true);
      expect(seen.reader.offset).toBe(stream.length);
    });
  }

  it('knows when it stopped inside a tag', () => {
    const seen = parse(stream.subarray(0, stream.length - 3), 64);
    expect(seen.reader.atBoundary).toBe(false);
    expect(seen.tags.length).toBe(7);
  });

  it('rejects a wrong signature, version or data offset', () => {
    const bad = Buffer.from(stream);
    bad[2] = 0x58; // "FLX"
    expect(() => parse(bad, 100)).toThrow(FlvHeaderError);
    expect(() => parse(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\n')]), 100)).toThrow(/signature "HTT"/);
    const v2 = Buffer.from(stream);
    v2[3] = 2;
    expect(() => parse(v2, 100)).toThrow(/version 2/);
    expect(() => parse(header(5, 4), 100)).toThrow(/data offset 4/);
  });

  it('rejects a PreviousTagSize that does not match and unknown tag types', () => {
    const wrongSize = Buffer.concat([header(), tag(9, 0, Buffer.from([0x17, 1, 2]), 99)]);
    expect(() => parse(wrongSize, 5)).toThrow(FlvTagError);
    expect(() => parse(Buffer.concat([header(), tag(7, 0, Buffer.from([1]))]), 5)).toThrow(/unknown FLV tag type 7/);
    expect(() => parse(Buffer.concat([header().subarray(0, 9), Buffer.from([0, 0, 0, 5])]), 5)).toThrow(/PreviousTagSize0/);
  });

  it('tells configuration, key frames and inter frames apart', () => {
    const table: Array<[number, number, number]> = [
      [0x17, 0x00, VIDEO_CONFIG], // AVC sequence header
      [0x17, 0x01, VIDEO_KEY_FRAME],
      [0x27, 0x01, VIDEO_FRAME],
      [0x17, 0x02, VIDEO_CONFIG], // AVC end of sequence
      [0x1c, 0x01, VIDEO_KEY_FRAME], // HEVC (id 12)
      [0x12, -1, VIDEO_KEY_FRAME], // Sorenson H.263 has no packet type
      [0x22, 0x00, VIDEO_FRAME],
      [0x52, 0x00, VIDEO_CONFIG], // command frame
      [0x90, 0x68, VIDEO_CONFIG], // enhanced: key frame, SequenceStart
      [0x91, 0x68, VIDEO_KEY_FRAME], // enhanced: key frame, CodedFrames
      [0xa3, 0x68, VIDEO_FRAME], // enhanced: inter frame, CodedFramesX
      [0xd1, 0x68, VIDEO_CONFIG], // enhanced: command frame
    ];
    for (const [b0, b1, kind] of table) expect([b0, b1, videoKind(b0, b1)]).toEqual([b0, b1, kind]);
  });
});

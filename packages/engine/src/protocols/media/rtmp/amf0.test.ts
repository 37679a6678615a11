import { describe, expect, it } from 'vitest';
import { Amf0Error, decodeAmf0, encodeAmf0, encodeAmf0EcmaArray, type AmfValue } from './amf0.js';

describe('AMF0', () => {
  it('encodes the byte layout of the specification', () => {
    expect(encodeAmf0('connect').toString('hex')).toBe('0200076' + '36f6e6e656374');
    expect(encodeAmf0(1).toString('hex')).toBe('003ff0000000000000');
    expect(encodeAmf0(true, false).toString('hex')).toBe('01010100');
    expect(encodeAmf0(null, undefined).toString('hex')).toBe('0506');
    expect(encodeAmf0({ a: true }).toString('hex')).toBe('030001610101000009');
    expect(encodeAmf0([1]).toString('hex')).toBe('0a00000001003ff0000000000000');
    expect(encodeAmf0EcmaArray({ w: 2 }).toString('hex')).toBe('080000000100017700' + '4000000000000000' + '000009');
  });

  const cases: Array<[string, AmfValue]> = [
    ['number', 29.97],
    ['negative number', -1],
    ['zero', 0],
    ['empty string', ''],
    ['unicode string', 'stréam/名前'],
    ['long string', 'x'.repeat(70_000)],
    ['true', true],
    ['null', null],
    ['undefined', undefined],
    ['date', new Date(1_700_000_000_123)],
    ['strict array', [1, 'two', null, [3]]],
    [
      'nested object',
      {
        app: 'live',
        tcUrl: 'rtmp://127.0.0.1:1935/live',
        fpad: false,
        capabilities: 239,
        info: { level: 'status', code: 'NetStream.Play.Start', nested: { deep: [1, 2] } },
        '': 'empty key',
      },
    ],
  ];

  for (const [name, value] of cases) {
    it(`round-trips ${name}`, () => {
      expect(decodeAmf0(encodeAmf0(value))).toEqual([value]);
    });
  }

  it('round-trips a whole command message', () => {
    const cmd: AmfValue[] = ['play', 0, null, 'test?token=1', -2, -1, true];
    expect(decodeAmf0(encodeAmf0(...cmd))).toEqual(cmd);
  });

  it('decodes an ECMA array to an object whatever its count says', () => {
    const buf = encodeAmf0EcmaArray({ width: 160, height: 120, encoder: 'Lavf' });
    buf.writeUInt32BE(0, 1); // encoders often write 0 here
    expect(decodeAmf0(buf)).toEqual([{ width: 160, height: 120, encoder: 'Lavf' }]);
  });

  it('reports truncated data and unknown markers', () => {
    const full = encodeAmf0({ code: 'NetConnection.Connect.Success' });
    for (let cut = 1; cut < full.length; cut++) {
      expect(() => decodeAmf0(full.subarray(0, cut))).toThrow(Amf0Error);
    }
    expect(() => decodeAmf0(Buffer.from([0x11, 0x00]))).toThrow(/unsupported AMF0 marker 0x11/);
    expect(() => decodeAmf0(Buffer.from('0affffffff', 'hex'))).toThrow(/overruns/);
  });
});

/**
 * AMF0 (Action Message Format, version 0): the encoding of RTMP command and data messages. Only the
 * types a playing client meets are supported: number, boolean, string, long string, object, ECMA
 * array, strict array, date, null and undefined. Decoding errors throw Amf0Error.
 */

/** A decoded AMF0 value. ECMA arrays decode to plain objects, dates to Date. */
export type AmfValue = number | boolean | string | null | undefined | Date | AmfValue[] | AmfObject;

/** An AMF0 anonymous object (or ECMA array) as a plain record. */
export interface AmfObject {
  [key: string]: AmfValue;
}

/** Why an AMF0 payload could not be decoded (truncated data or an unsupported marker). */
export class Amf0Error extends Error {
  override readonly name = 'Amf0Error';
}

const MARKER_NUMBER = 0x00;
const MARKER_BOOLEAN = 0x01;
const MARKER_STRING = 0x02;
const MARKER_OBJECT = 0x03;
const MARKER_NULL = 0x05;
const MARKER_UNDEFINED = 0x06;
const MARKER_ECMA_ARRAY = 0x08;
const MARKER_OBJECT_END = 0x09;
const MARKER_STRICT_ARRAY = 0x0a;
const MARKER_DATE = 0x0b;
const MARKER_LONG_STRING = 0x0c;
const MARKER_UNSUPPORTED = 0x0d;

/** A growable output buffer for the encoder. */
class ByteWriter {
  private buf = Buffer.allocUnsafe(256);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  u8(v: number): void {
    this.reserve(1);
    this.buf[this.length++] = v;
  }

  u16(v: number): void {
    this.reserve(2);
    this.buf.writeUInt16BE(v, this.length);
    this.length += 2;
  }

  u32(v: number): void {
    this.reserve(4);
    this.buf.writeUInt32BE(v, this.length);
    this.length += 4;
  }

  f64(v: number): void {
    this.reserve(8);
    this.buf.writeDoubleBE(v, this.length);
    this.length += 8;
  }

  bytes(b: Buffer): void {
    this.reserve(b.length);
    b.copy(this.buf, this.length);
    this.length += b.length;
  }

  result(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.length));
  }
}

function writeKey(w: ByteWriter, key: string): void {
  const b = Buffer.from(key, 'utf8');
  if (b.length > 0xffff) throw new Amf0Error(`AMF0 property name longer than 65535 bytes`);
  w.u16(b.length);
  w.bytes(b);
}

function writeProperties(w: ByteWriter, obj: AmfObject): void {
  for (const key of Object.keys(obj)) {
    writeKey(w, key);
    writeValue(w, obj[key]);
  }
  w.u16(0);
  w.u8(MARKER_OBJECT_END);
}

function writeValue(w: ByteWriter, value: AmfValue): void {
  if (value === null) return w.u8(MARKER_NULL);
  if (value === undefined) return w.u8(MARKER_UNDEFINED);
  switch (typeof value) {
    case 'number':
      w.u8(MARKER_NUMBER);
      return w.f64(value);
    case 'boolean':
      w.u8(MARKER_BOOLEAN);
      return w.u8(value ? 1 : 0);
    case 'string': {
      const b = Buffer.from(value, 'utf8');
      if (b.length > 0xffff) {
        w.u8(MARKER_LONG_STRING);
        w.u32(b.length);
      } else {
        w.u8(MARKER_STRING);
        w.u16(b.length);
      }
      return w.bytes(b);
    }
    default:
      break;
  }
  if (value instanceof Date) {
    w.u8(MARKER_DATE);
    w.f64(value.getTime());
    return w.u16(0);
  }
  if (Array.isArray(value)) {
    w.u8(MARKER_STRICT_ARRAY);
    w.u32(value.length);
    for (const item of value) writeValue(w, item);
    return;
  }
  w.u8(MARKER_OBJECT);
  writeProperties(w, value);
}

/** Encodes values one after another, as in a command message (name, transaction id, arguments...). */
export function encodeAmf0(...values: AmfValue[]): Buffer {
  const w = new ByteWriter();
  for (const v of values) writeValue(w, v);
  return w.result();
}

/** Encodes an object as an AMF0 ECMA array (the form of onMetaData's argument). */
export function encodeAmf0EcmaArray(obj: AmfObject): Buffer {
  const w = new ByteWriter();
  w.u8(MARKER_ECMA_ARRAY);
  w.u32(Object.keys(obj).length);
  writeProperties(w, obj);
  return w.result();
}

/** Reads AMF0 values from a buffer, keeping the position between calls. */
export class Amf0Reader {
  offset: number;

  constructor(
    private readonly buf: Buffer,
    offset = 0,
  ) {
    this.offset = offset;
  }

  /** True when every byte was consumed. */
  get done(): boolean {
    return this.offset >= this.buf.length;
  }

  private need(n: number): void {
    if (this.offset + n > this.buf.length) {
      throw new Amf0Error(`AMF0 data truncated at byte ${this.offset} (need ${n} more)`);
    }
  }

  private utf8(len: number): string {
    this.need(len);
    const s = this.buf.toString('utf8', this.offset, this.offset + len);
    this.offset += len;
    return s;
  }

  private u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  private u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  private f64(): number {
    this.need(8);
    const v = this.buf.readDoubleBE(this.offset);
    this.offset += 8;
    return v;
  }

  private properties(): AmfObject {
    const obj: AmfObject = {};
    for (;;) {
      const key = this.utf8(this.u16());
      if (key === '') {
        this.need(1);
        if (this.buf[this.offset] === MARKER_OBJECT_END) {
          this.offset += 1;
          return obj;
        }
      }
      obj[key] = this.value();
    }
  }

  /** Decodes the next value. */
  value(): AmfValue {
    this.need(1);
    const marker = this.buf[this.offset++];
    switch (marker) {
      case MARKER_NUMBER:
        return this.f64();
      case MARKER_BOOLEAN:
        this.need(1);
        return this.buf[this.offset++] !== 0;
      case MARKER_STRING:
        return this.utf8(this.u16());
      case MARKER_LONG_STRING:
        return this.utf8(this.u32());
      case MARKER_OBJECT:
        return this.properties();
      case MARKER_NULL:
        return null;
      case MARKER_UNDEFINED:
      case MARKER_UNSUPPORTED:
        return undefined;
      case MARKER_ECMA_ARRAY:
        this.u32(); // the count is a hint only; the end marker terminates the list
        return this.properties();
      case MARKER_STRICT_ARRAY: {
        const n = this.u32();
        if (n > this.buf.length - this.offset) throw new Amf0Error(`AMF0 strict array of ${n} items overruns the data`);
        const items: AmfValue[] = new Array(n);
        for (let i = 0; i < n; i++) items[i] = this.value();
        return items;
      }
      case MARKER_DATE: {
        const ms = this.f64();
        this.u16(); // time zone, reserved
        return new Date(ms);
      }
      default:
        throw new Amf0Error(`unsupported AMF0 marker 0x${marker.toString(16).padStart(2, '0')} at byte ${this.offset - 1}`);
    }
  }
}

/** Decodes every value of a payload (e.g. a whole command message). */
export function decodeAmf0(buf: Buffer): AmfValue[] {
  const r = new Amf0Reader(buf);
  const out: AmfValue[] = [];
  while (!r.done) out.push(r.value());
  return out;
}

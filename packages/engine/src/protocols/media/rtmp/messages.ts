/**
 * The RTMP messages a playing client sends and reads (RTMP specification sections 5.4, 6.2 and 7):
 * protocol control messages, user control events, and the AMF0 commands connect, createStream,
 * play and deleteStream with their answers (_result, _error, onStatus).
 */
import { decodeAmf0, encodeAmf0, type AmfObject, type AmfValue } from './amf0.js';

/** Message type ids. */
export const MSG = {
  SetChunkSize: 1,
  Abort: 2,
  Acknowledgement: 3,
  UserControl: 4,
  WindowAckSize: 5,
  SetPeerBandwidth: 6,
  Audio: 8,
  Video: 9,
  DataAmf3: 15,
  CommandAmf3: 17,
  DataAmf0: 18,
  CommandAmf0: 20,
  Aggregate: 22,
} as const;

/** User control event types (section 7.1.7). */
export const EVENT = {
  StreamBegin: 0,
  StreamEof: 1,
  StreamDry: 2,
  SetBufferLength: 3,
  StreamIsRecorded: 4,
  PingRequest: 6,
  PingResponse: 7,
} as const;

/** Chunk stream id of protocol control messages (fixed by the specification). */
export const CSID_CONTROL = 2;
/** Chunk stream id this client sends connection commands on. */
export const CSID_COMMAND = 3;
/** Chunk stream id this client sends stream commands (play) on. */
export const CSID_STREAM = 8;

/** A protocol control message body carrying one 32-bit value (types 1, 2, 3, 5). */
export function u32Body(value: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(value >>> 0);
  return b;
}

/** A user control message body: event type, then 32-bit values. */
export function userControlBody(event: number, ...values: number[]): Buffer {
  const b = Buffer.allocUnsafe(2 + 4 * values.length);
  b.writeUInt16BE(event);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, 2 + 4 * i));
  return b;
}

/** The connect command (transaction 1) for an application. */
export function connectCommand(app: string, tcUrl: string): Buffer {
  return encodeAmf0('connect', 1, {
    app,
    flashVer: 'LNX 9,0,124,2',
    tcUrl,
    fpad: false,
    capabilities: 15,
    audioCodecs: 0x0fff,
    videoCodecs: 0x00ff,
    videoFunction: 1,
    objectEncoding: 0,
  });
}

/** The createStream command. */
export function createStreamCommand(transaction: number): Buffer {
  return encodeAmf0('createStream', transaction, null);
}

/** The play command: -2 plays a live stream, else a recorded one; -1 plays to the end. */
export function playCommand(stream: string): Buffer {
  return encodeAmf0('play', 0, null, stream, -2, -1, true);
}

/** The deleteStream command, sent when the client stops playing. */
export function deleteStreamCommand(streamId: number): Buffer {
  return encodeAmf0('deleteStream', 0, null, streamId);
}

/** A decoded command message. */
export interface Command {
  name: string;
  transaction: number;
  /** The command object (often null). */
  object: AmfValue;
  /** Everything after the command object (the info object of _result/_error/onStatus...). */
  args: AmfValue[];
}

/** Decodes an AMF0 command (type 20) or an AMF3 command (type 17, whose body starts with a 0 byte). */
export function decodeCommand(type: number, payload: Buffer): Command {
  const values = decodeAmf0(type === MSG.CommandAmf3 && payload[0] === 0 ? payload.subarray(1) : payload);
  const [name, transaction, object, ...args] = values;
  return {
    name: typeof name === 'string' ? name : '',
    transaction: typeof transaction === 'number' ? transaction : -1,
    object: object ?? null,
    args,
  };
}

/** The info object (`level`, `code`, `description`) of a _result, _error or onStatus, if any. */
export function infoOf(cmd: Command): { level: string; code: string; description: string } {
  const info = [...cmd.args, cmd.object].find((v): v is AmfObject => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && 'code' in v);
  const text = (v: AmfValue) => (typeof v === 'string' ? v : '');
  return { level: text(info?.level), code: text(info?.code), description: text(info?.description) };
}

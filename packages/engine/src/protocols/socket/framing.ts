/**
 * Where a TCP or UDP response ends (`check_end_type`): after `check_end_length` bytes (1), at the
 * first occurrence of `check_end_str` (2), or, without an end check, with the first chunk (TCP read)
 * or datagram (UDP). A ResponseFramer cuts a byte stream into responses: bytes past the end of one
 * response stay buffered and begin the next, so responses on a kept connection never mix.
 */
import type { ContentInfo } from '@perftest/model';
import type { PrepareContext } from '../driver.js';
import { hexProblem } from '../payload.js';
import { integerField } from '../packet-fields.js';

/** How one packet's response is delimited. */
export type FramingSpec =
  | { readonly kind: 'chunk' }
  | { readonly kind: 'length'; readonly length: number }
  | { readonly kind: 'marker'; readonly marker: Buffer };

const FIRST_CHUNK: FramingSpec = { kind: 'chunk' };

/** Largest response length accepted for `check_end_length` (64 MiB). */
export const MAX_END_LENGTH = 64 * 1024 * 1024;

/**
 * Reads `check_end_type`, `check_end_length` and `check_end_str` of a packet. With `hex` (header
 * `encoding: hex`) the end marker is written in hex too.
 */
export function readFramingSpec(packet: ContentInfo, hex: boolean, ctx: PrepareContext): FramingSpec {
  const type = integerField(packet.check_end_type);
  if (packet.check_end_type === null || packet.check_end_type === undefined || packet.check_end_type === '' || type === 0) {
    return FIRST_CHUNK;
  }
  if (type === 1) {
    const length = integerField(packet.check_end_length);
    if (length === undefined || length < 1 || length > MAX_END_LENGTH) {
      ctx.problems.push({
        path: `${ctx.path}.check_end_length`,
        message: `check_end_length must be an integer from 1 to ${MAX_END_LENGTH} when check_end_type is 1`,
      });
      return FIRST_CHUNK;
    }
    return { kind: 'length', length };
  }
  if (type === 2) {
    const text = typeof packet.check_end_str === 'string' ? packet.check_end_str : '';
    if (text === '') {
      ctx.problems.push({ path: `${ctx.path}.check_end_str`, message: 'check_end_str must be a non-empty string when check_end_type is 2' });
      return FIRST_CHUNK;
    }
    if (hex) {
      const problem = hexProblem(text);
      if (problem !== undefined) {
        ctx.problems.push({ path: `${ctx.path}.check_end_str`, message: problem.replace('payload', 'end marker') });
        return FIRST_CHUNK;
      }
    }
    return { kind: 'marker', marker: Buffer.from(text, hex ? 'hex' : 'utf8') };
  }
  ctx.problems.push({ path: `${ctx.path}.check_end_type`, message: 'check_end_type must be 1 (length) or 2 (end marker)' });
  return FIRST_CHUNK;
}

const EMPTY = Buffer.alloc(0);

/** Buffers received bytes and cuts complete responses out of them, one spec per response. */
export class ResponseFramer {
  private buffered: Buffer = EMPTY;
  /** For marker search: bytes before this offset are known not to start the marker. */
  private searchFrom = 0;

  /** Bytes received and not yet part of a response. */
  get pendingBytes(): number {
    return this.buffered.length;
  }

  /** Appends received bytes. */
  push(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
  }

  /** Drops buffered bytes (they answered nothing the next request asks). Returns how many. */
  discard(): number {
    const n = this.buffered.length;
    this.buffered = EMPTY;
    this.searchFrom = 0;
    return n;
  }

  /** The next complete response under `spec`, or undefined when more bytes are needed. */
  take(spec: FramingSpec): Buffer | undefined {
    const data = this.buffered;
    if (data.length === 0) return undefined;
    switch (spec.kind) {
      case 'chunk':
        this.buffered = EMPTY;
        this.searchFrom = 0;
        return data;
      case 'length':
        return data.length >= spec.length ? this.cut(spec.length) : undefined;
      case 'marker': {
        const at = data.indexOf(spec.marker, this.searchFrom);
        if (at < 0) {
          this.searchFrom = Math.max(0, data.length - spec.marker.length + 1);
          return undefined;
        }
        return this.cut(at + spec.marker.length);
      }
    }
  }

  private cut(end: number): Buffer {
    const data = this.buffered;
    const response = data.subarray(0, end);
    this.buffered = end === data.length ? EMPTY : data.subarray(end);
    this.searchFrom = 0;
    return response;
  }
}

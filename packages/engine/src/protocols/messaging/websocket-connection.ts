/**
 * One virtual user's WebSocket connection (on `ws`): the opening handshake, sending frames, and
 * the frames the server sends, which wait in a bounded queue when no step is reading. Byte counts are
 * computed from frame sizes (RFC 6455 headers, client frames masked; no compression is negotiated),
 * and from the socket's counters for the handshake.
 */
import WebSocket from 'ws';
import type { Outcome } from '@perftest/model';
import { webSocketConnection } from '../../net/connect.js';
import type { TargetPolicy } from '../../net/target-policy.js';
import { unwatchAbort, watchAbort, type Abortable } from '../abort-fanout.js';
import { BoundedQueue } from './bounded-queue.js';
import { describeError, outcomeOfError } from '../socket/socket-result.js';

/** Frames kept per connection while no step reads; older ones are dropped beyond this. */
export const MAX_QUEUED_FRAMES = 1024;
/** Largest frame accepted from a server (16 MiB). */
const MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** A frame received from the server. */
export interface WsFrame {
  data: Buffer;
  binary: boolean;
  /** Size on the wire: payload plus frame header. */
  wireBytes: number;
}

/** Why a step on the connection failed. */
export interface WsFailure {
  outcome: Outcome;
  error: string;
  /** HTTP status of a refused upgrade, else 0. */
  status: number;
}

/** Bytes of the opening handshake: request sent and response received. */
export interface HandshakeBytes {
  sent: number;
  received: number;
}

/** Wire size of a frame header for a payload of `length` bytes (mask key included when masked). */
export function frameHeaderBytes(length: number, masked: boolean): number {
  const extended = length < 126 ? 0 : length < 65536 ? 2 : 8;
  return 2 + extended + (masked ? 4 : 0);
}

/** Options of the opening handshake. */
export interface WsOpenOptions {
  headers: Record<string, string>;
  protocols: string[];
  timeoutMs: number;
  tlsVerify: boolean;
  targetPolicy: TargetPolicy;
}

/** A per-user WebSocket connection; its methods resolve with failures instead of rejecting. */
export class WsConnection implements Abortable {
  private socket: WebSocket | undefined;
  private readonly queue = new BoundedQueue<WsFrame>(MAX_QUEUED_FRAMES);
  private waiter: ((frame: WsFrame | WsFailure) => void) | undefined;
  private waitTimer: NodeJS.Timeout | undefined;
  private waitTimeoutMs = 0;
  private opened = false;
  private closed = false;
  private closeWaiter: ((closeFrameBytes: number) => void) | undefined;

  constructor(
    readonly url: string,
    private readonly signal: AbortSignal,
    private readonly onClosed: (connection: WsConnection) => void,
  ) {
    watchAbort(signal, this);
  }

  /** True while the connection can send and receive. */
  get isOpen(): boolean {
    return this.opened && !this.closed;
  }

  /** True when frames wait to be read (they stay readable after the server closed). */
  get hasQueuedFrames(): boolean {
    return this.queue.size > 0;
  }

  /** Frames dropped because nobody read them and the queue was full. */
  get droppedFrames(): number {
    return this.queue.dropped;
  }

  /** Runs the opening handshake. Resolves with its bytes, or with why it failed. */
  open(options: WsOpenOptions): Promise<HandshakeBytes | WsFailure> {
    return new Promise((resolve) => {
      const handshake: HandshakeBytes = { sent: 0, received: 0 };
      let httpStatus = 0;
      let settled = false;
      const settle = (value: HandshakeBytes | WsFailure): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(value);
      };
      const socket = new WebSocket(this.url, options.protocols, {
        headers: options.headers,
        perMessageDeflate: false,
        rejectUnauthorized: options.tlsVerify,
        maxPayload: MAX_FRAME_BYTES,
        followRedirects: false,
        createConnection: webSocketConnection(options.targetPolicy, /^wss:/i.test(this.url)),
      });
      this.socket = socket;
      const timer = setTimeout(() => {
        settle({ outcome: 'timeout', error: `connect timeout after ${options.timeoutMs} ms`, status: 0 });
        this.terminate();
      }, options.timeoutMs);
      socket.on('upgrade', (response) => {
        handshake.sent = response.socket.bytesWritten;
        handshake.received = response.socket.bytesRead;
      });
      socket.on('unexpected-response', (_request, response) => {
        httpStatus = response.statusCode ?? 0;
        socket.terminate();
      });
      socket.on('open', () => {
        this.opened = true;
        settle(handshake);
      });
      socket.on('error', (error) => {
        if (httpStatus !== 0) {
          settle({ outcome: 'checkPointFailed', error: `upgrade refused with HTTP ${httpStatus}`, status: httpStatus });
        } else {
          settle({ outcome: outcomeOfError(error), error: describeError(error), status: 0 });
        }
      });
      socket.on('message', this.onMessage);
      socket.on('close', (code, reason) => {
        settle({ outcome: 'othersFailed', error: `connection closed during the handshake (${code})`, status: httpStatus });
        this.onSocketClose(code, reason);
      });
    });
  }

  /** Sends one frame; resolves when it was handed to the socket, or with why it was not. */
  send(data: Buffer, binary: boolean): Promise<WsFailure | undefined> {
    const socket = this.socket;
    if (socket === undefined || !this.isOpen) {
      return Promise.resolve({ outcome: 'othersFailed', error: 'connection is not open', status: 0 });
    }
    return new Promise((resolve) => {
      socket.send(data, { binary }, (error) => {
        resolve(error ? { outcome: 'parsedFailed', error: `send failed: ${describeError(error)}`, status: 0 } : undefined);
      });
    });
  }

  /**
   * The next frame: the oldest queued one when `fromQueue`, else the next to arrive from now on.
   * Waits up to `timeoutMs`; arm it before sending when the frame answers a send.
   */
  nextFrame(timeoutMs: number, fromQueue: boolean): Promise<WsFrame | WsFailure> {
    if (fromQueue) {
      const queued = this.queue.shift();
      if (queued !== undefined) return Promise.resolve(queued);
    }
    if (!this.isOpen) {
      return Promise.resolve({ outcome: 'parsedFailed', error: 'connection closed before a frame arrived', status: 0 });
    }
    return new Promise((resolve) => {
      this.waiter = resolve;
      this.waitTimeoutMs = timeoutMs;
      this.waitTimer = setTimeout(this.onWaitTimeout, timeoutMs);
    });
  }

  /**
   * Runs the closing handshake and waits up to `timeoutMs` for the server's close frame. Resolves
   * with the size of the close frame received, or undefined when none came (the socket is then cut).
   */
  disconnect(timeoutMs: number): Promise<number | undefined> {
    const socket = this.socket;
    if (socket === undefined || this.closed) return Promise.resolve(0);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.closeWaiter = undefined;
        resolve(undefined);
        this.terminate();
      }, timeoutMs);
      this.closeWaiter = (bytes) => {
        clearTimeout(timer);
        resolve(bytes);
      };
      socket.close(1000);
    });
  }

  /** Cuts the connection at once. */
  terminate(): void {
    this.socket?.terminate();
    if (this.socket === undefined) this.onSocketClose(1006, Buffer.alloc(0));
  }

  private settleWait(value: WsFrame | WsFailure): void {
    const waiter = this.waiter;
    if (waiter === undefined) return;
    this.waiter = undefined;
    if (this.waitTimer !== undefined) clearTimeout(this.waitTimer);
    this.waitTimer = undefined;
    waiter(value);
  }

  private readonly onMessage = (data: WebSocket.RawData, isBinary: boolean): void => {
    const buffer = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    const frame: WsFrame = { data: buffer, binary: isBinary, wireBytes: buffer.length + frameHeaderBytes(buffer.length, false) };
    if (this.waiter !== undefined) this.settleWait(frame);
    else this.queue.push(frame);
  };

  private readonly onWaitTimeout = (): void => {
    this.waitTimer = undefined;
    this.settleWait({ outcome: 'timeout', error: `no frame within ${this.waitTimeoutMs} ms`, status: 0 });
  };

  private onSocketClose(code: number, reason: Buffer): void {
    if (this.closed) return;
    this.closed = true;
    unwatchAbort(this.signal, this);
    this.settleWait({ outcome: 'parsedFailed', error: `connection closed (${code}) before a frame arrived`, status: 0 });
    const closeWaiter = this.closeWaiter;
    this.closeWaiter = undefined;
    // A close frame carries a 2-byte code plus the reason, unless the code is 1005 (none) or 1006 (no frame).
    const payload = code === 1005 || code === 1006 ? 0 : 2 + reason.length;
    closeWaiter?.(code === 1006 ? 0 : payload + frameHeaderBytes(payload, false));
    this.onClosed(this);
  }

  /** Ends the step in progress and closes: the run is stopping. */
  abortNow(): void {
    this.settleWait({ outcome: 'othersFailed', error: 'aborted', status: 0 });
    this.terminate();
  }
}

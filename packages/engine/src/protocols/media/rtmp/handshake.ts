/**
 * The client side of the RTMP handshake (RTMP specification section 5.2), in its simple form that
 * every server accepts: C0 (version 3) and C1 (time, zero, 1528 random bytes) go out together; the
 * server answers S0, S1 and S2; the client echoes S1 as C2. Driven by the bytes that arrive, so the
 * socket code only forwards data and writes what the state machine hands back.
 */
import { randomBytes } from 'node:crypto';

/** The only RTMP version in use (byte C0/S0). */
export const RTMP_VERSION = 3;
/** Size of C1, C2, S1 and S2. */
export const HANDSHAKE_SIZE = 1536;

/** The server answered something that is not an RTMP handshake. */
export class HandshakeError extends Error {
  override readonly name = 'HandshakeError';
}

/** What one call of ClientHandshake.push produced. */
export interface HandshakeStep {
  /** Bytes to send now (C2), if any. */
  send?: Buffer;
  /** True once S2 was received: the chunk stream starts. */
  done: boolean;
  /** Bytes received after S2, which belong to the chunk stream. */
  rest?: Buffer;
}

/** The client's handshake state machine. */
export class ClientHandshake {
  /** C0 and C1, to be written as soon as the TCP connection is up. */
  readonly c0c1: Buffer;
  /** Whether S2 echoed C1's random bytes (servers using the digest handshake do not). */
  echoed = false;
  private readonly received = Buffer.allocUnsafe(1 + 2 * HANDSHAKE_SIZE);
  private have = 0;
  private c2Sent = false;
  private readonly start: number;

  /** @param epochMs client time origin for the 4-byte time fields (milliseconds). */
  constructor(epochMs = Date.now()) {
    this.start = epochMs;
    this.c0c1 = Buffer.allocUnsafe(1 + HANDSHAKE_SIZE);
    this.c0c1[0] = RTMP_VERSION;
    this.c0c1.writeUInt32BE(0, 1); // our time origin is zero
    this.c0c1.writeUInt32BE(0, 5); // zero: the simple handshake
    randomBytes(HANDSHAKE_SIZE - 8).copy(this.c0c1, 9);
  }

  /** Feeds bytes from the server. Throws HandshakeError on a wrong version byte. */
  push(data: Buffer, nowMs = Date.now()): HandshakeStep {
    const total = this.received.length;
    const n = Math.min(data.length, total - this.have);
    data.copy(this.received, this.have, 0, n);
    this.have += n;
    if (this.have >= 1 && this.received[0] !== RTMP_VERSION) {
      throw new HandshakeError(`server answered RTMP version ${this.received[0]}, expected ${RTMP_VERSION}`);
    }
    const step: HandshakeStep = { done: false };
    if (!this.c2Sent && this.have >= 1 + HANDSHAKE_SIZE) {
      // C2 echoes S1: its time, the time we read it, and its random bytes.
      const c2 = Buffer.allocUnsafe(HANDSHAKE_SIZE);
      this.received.copy(c2, 0, 1, 1 + HANDSHAKE_SIZE);
      c2.writeUInt32BE((nowMs - this.start) >>> 0, 4);
      this.c2Sent = true;
      step.send = c2;
    }
    if (this.have === total) {
      const s2Random = this.received.subarray(1 + HANDSHAKE_SIZE + 8, total);
      this.echoed = s2Random.equals(this.c0c1.subarray(9));
      step.done = true;
      if (n < data.length) step.rest = data.subarray(n);
    }
    return step;
  }
}

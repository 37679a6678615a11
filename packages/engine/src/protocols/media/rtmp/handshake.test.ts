import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ClientHandshake, HANDSHAKE_SIZE, HandshakeError, type HandshakeStep } from './handshake.js';

/** What a simple-handshake server sends for a client's C1: S0, S1 (its own random), S2 (echo of C1). */
function serverReply(c1: Buffer): { bytes: Buffer; s1: Buffer } {
  const s1 = Buffer.concat([Buffer.from([0, 0, 0, 7, 0, 0, 0, 0]), randomBytes(HANDSHAKE_SIZE - 8)]);
  const s2 = Buffer.from(c1);
  return { bytes: Buffer.concat([Buffer.from([3]), s1, s2]), s1 };
}

describe('RTMP client handshake', () => {
  it('sends C0+C1 in the simple form', () => {
    const hs = new ClientHandshake();
    expect(hs.c0c1.length).toBe(1 + HANDSHAKE_SIZE);
    expect(hs.c0c1[0]).toBe(3);
    expect(hs.c0c1.readUInt32BE(5)).toBe(0);
    expect(new ClientHandshake().c0c1.subarray(9).equals(hs.c0c1.subarray(9))).toBe(false);
  });

  for (const slice of [1, 7, 1536, 5000]) {
    it(`completes when the server's bytes arrive in slices of ${slice}`, () => {
      const hs = new ClientHandshake(1_000);
      const { bytes, s1 } = serverReply(hs.c0c1.subarray(1));
      const chunkData = Buffer.from('02000000000004010000000000001000', 'hex');
      const all = Buffer.concat([bytes, chunkData]);
      const steps: HandshakeStep[] = [];
      for (let p = 0; p < all.length && !steps.at(-1)?.done; p += slice) steps.push(hs.push(all.subarray(p, p + slice), 1_250));
      const sends = steps.filter((s) => s.send !== undefined);
      expect(sends.length).toBe(1);
      const c2 = sends[0].send!;
      expect(c2.length).toBe(HANDSHAKE_SIZE);
      expect(c2.readUInt32BE(0)).toBe(7); // S1's time
      expect(c2.readUInt32BE(4)).toBe(250); // when we read S1, on our clock
      expect(c2.subarray(8).equals(s1.subarray(8))).toBe(true);
      const last = steps.at(-1)!;
      expect(last.done).toBe(true);
      expect(hs.echoed).toBe(true);
      // Whatever followed S2 in the last slice is handed back for the chunk stream.
      const pushedEnd = Math.min(steps.length * slice, all.length);
      const rest = Buffer.concat([last.rest ?? Buffer.alloc(0), all.subarray(pushedEnd)]);
      expect(rest.equals(chunkData)).toBe(true);
    });
  }

  it('rejects a server that speaks another version', () => {
    const hs = new ClientHandshake();
    expect(() => hs.push(Buffer.from('HTTP/1.1 400 Bad Request\r\n'))).toThrow(HandshakeError);
    expect(() => new ClientHandshake().push(Buffer.from([6]))).toThrow(/version 6/);
  });

  it('notices an S2 that does not echo C1', () => {
    const hs = new ClientHandshake();
    const { bytes } = serverReply(randomBytes(HANDSHAKE_SIZE));
    const step = hs.push(bytes);
    expect(step.done).toBe(true);
    expect(hs.echoed).toBe(false);
  });
});

/**
 * The UDP driver against real dgram responders on 127.0.0.1: echo, replies split over several
 * datagrams, lost replies, a closed port (ICMP port unreachable) and hex payloads.
 */
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ProtocolType } from '@perftest/model';
import type { ContentInfo } from '@perftest/model';
import { createUdpDriver } from '../src/protocols/socket/udp.js';
import { DEFAULT_ENGINE_OPTIONS } from '../src/protocols/driver.js';
import { headers, outcomes, prepareOk, runSequence, testSession, testVars } from './proto-harness.js';

interface Responder {
  port: number;
  datagrams: Buffer[];
  /** Source ports the responder saw, one per client socket. */
  sources: Set<number>;
  close(): Promise<void>;
}

const responders: Responder[] = [];

/** A UDP responder: `reply` returns the datagrams to send back for each received one. */
async function responder(reply: (datagram: Buffer, index: number) => Buffer[]): Promise<Responder> {
  const socket = dgram.createSocket('udp4');
  const state: Responder = {
    port: 0,
    datagrams: [],
    sources: new Set(),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
  socket.on('message', (datagram, from) => {
    const index = state.datagrams.length;
    state.datagrams.push(datagram);
    state.sources.add(from.port);
    for (const out of reply(datagram, index)) socket.send(out, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  state.port = (socket.address() as AddressInfo).port;
  responders.push(state);
  return state;
}

afterEach(async () => {
  await Promise.all(responders.splice(0).map((r) => r.close()));
});

function udpPacket(port: number, extra: Partial<ContentInfo> = {}): ContentInfo {
  return { protocol_type: ProtocolType.Udp, url: `udp://127.0.0.1:${port}`, body: 'ping', ...extra };
}

const driver = createUdpDriver(DEFAULT_ENGINE_OPTIONS);

describe('UDP driver', () => {
  it('echoes datagrams on one kept socket; responder count equals results', async () => {
    const echo = await responder((d) => [Buffer.concat([Buffer.from('echo:'), d])]);
    const prepared = prepareOk(driver, udpPacket(echo.port, { body: 'msg-${i}' }));
    const session = testSession();
    const vars = testVars();
    const bodies: string[] = [];
    for (let i = 0; i < 25; i++) {
      vars.set('i', String(i));
      const result = await prepared.execute(session, vars);
      expect(result.outcome).toBe('success');
      expect(result.sentBytes).toBe(`msg-${i}`.length);
      expect(result.recBytes).toBe(`echo:msg-${i}`.length);
      bodies.push(result.body!.toString());
    }
    expect(bodies).toEqual(Array.from({ length: 25 }, (_, i) => `echo:msg-${i}`));
    expect(echo.datagrams.length).toBe(25);
    expect(echo.sources.size).toBe(1);
    await driver.closeSession!(session);
  });

  it('uses a new socket per request with keep_alive: false', async () => {
    const echo = await responder((d) => [d]);
    const prepared = prepareOk(driver, udpPacket(echo.port, { headers: headers({ keep_alive: 'no' }) }));
    const results = await runSequence(prepared, testSession(), 5);
    expect(outcomes(results)).toEqual({ success: 5 });
    expect(echo.datagrams.length).toBe(5);
    expect(echo.sources.size).toBe(5);
  });

  it('frames a reply by length and by end marker across several datagrams', async () => {
    const split = await responder(() => [Buffer.from('abc'), Buffer.from('defg'), Buffer.from('hij#')]);
    const session = testSession();
    const byLength = await prepareOk(driver, udpPacket(split.port, { check_end_type: 1, check_end_length: 10 })).execute(session, testVars());
    expect(byLength.outcome).toBe('success');
    expect(byLength.body!.toString()).toBe('abcdefghij');
    expect(byLength.recBytes).toBe(10);
    // The "#" left over from the first reply begins the next one.
    const byMarker = await prepareOk(driver, udpPacket(split.port, { check_end_type: 2, check_end_str: 'g' })).execute(session, testVars());
    expect(byMarker.body!.toString()).toBe('#abcdefg');
    expect(split.datagrams.length).toBe(2);
    await driver.closeSession!(session);
  });

  it('counts a lost reply as a timeout and goes on with the next request', async () => {
    // Every second datagram gets no reply.
    const lossy = await responder((d, index) => (index % 2 === 1 ? [] : [d]));
    const prepared = prepareOk(driver, udpPacket(lossy.port, { return_timeout: 100 }));
    const session = testSession();
    const results = await runSequence(prepared, session, 6);
    expect(results.map((r) => r.outcome)).toEqual(['success', 'timeout', 'success', 'timeout', 'success', 'timeout']);
    expect(lossy.datagrams.length).toBe(6);
    for (const r of results.filter((x) => x.outcome === 'timeout')) expect(r.responseTimeUs).toBeGreaterThanOrEqual(90_000);
    await driver.closeSession!(session);
  });

  it('classifies ICMP port unreachable as refusedFailed', async () => {
    const probe = await responder(() => []);
    const port = probe.port;
    await probe.close();
    responders.splice(responders.indexOf(probe), 1);
    const session = testSession();
    const results = await runSequence(prepareOk(driver, udpPacket(port, { return_timeout: 2000 })), session, 3);
    expect(outcomes(results)).toEqual({ refusedFailed: 3 });
    for (const r of results) expect(r.responseTimeUs).toBeLessThan(1_500_000);
    await driver.closeSession!(session);
  });

  it('sends hex payloads and matches a hex end marker', async () => {
    const binary = await responder((d) => [Buffer.concat([d, Buffer.from([0xff, 0x00])])]);
    const prepared = prepareOk(
      driver,
      udpPacket(binary.port, { body: '0001abcd', headers: headers({ encoding: 'hex' }), check_end_type: 2, check_end_str: 'ff00' }),
    );
    const session = testSession();
    const result = await prepared.execute(session, testVars());
    expect(result.outcome).toBe('success');
    expect(binary.datagrams[0].toString('hex')).toBe('0001abcd');
    expect(result.body!.toString('hex')).toBe('0001abcdff00');
    await driver.closeSession!(session);
  });

  it('drops the body when the session does not keep responses', async () => {
    const echo = await responder((d) => [d]);
    const session = testSession(0, false);
    const result = await prepareOk(driver, udpPacket(echo.port)).execute(session, testVars());
    expect(result.outcome).toBe('success');
    expect(result.body).toBeUndefined();
    expect(result.recBytes).toBe(4);
    await driver.closeSession!(session);
  });
});

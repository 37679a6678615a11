/**
 * The TCP driver against real servers on 127.0.0.1 (echo, fixed-length and end-marker responders,
 * early close, silence, refused port, full backlog).
 */
import net from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProtocolType } from '@perftest/model';
import type { ContentInfo } from '@perftest/model';
import { createTcpDriver } from '../src/protocols/socket/tcp.js';
import { DEFAULT_ENGINE_OPTIONS } from '../src/protocols/driver.js';
import { headers, outcomes, prepareOk, problemsOf, runSequence, testSession, testVars } from './proto-harness.js';

/** A line-oriented server: `respond` gets each received line and the socket. */
interface LineServer {
  port: number;
  connections: number;
  lines: string[];
  close(): Promise<void>;
}

async function lineServer(respond: (line: string, socket: net.Socket) => void): Promise<LineServer> {
  const state = { connections: 0, lines: [] as string[] };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      let at: number;
      while ((at = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, at);
        buffered = buffered.slice(at + 1);
        state.lines.push(line);
        respond(line, socket);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    get connections() {
      return state.connections;
    },
    lines: state.lines,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function tcpPacket(port: number, extra: Partial<ContentInfo> = {}): ContentInfo {
  return { protocol_type: ProtocolType.Tcp, url: `tcp://127.0.0.1:${port}`, body: 'ping\n', ...extra };
}

const driver = createTcpDriver(DEFAULT_ENGINE_OPTIONS);
const servers: LineServer[] = [];
async function server(respond: (line: string, socket: net.Socket) => void): Promise<LineServer> {
  const s = await lineServer(respond);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('TCP driver', () => {
  it('keeps one connection per user and frames responses by end marker; server count equals results', async () => {
    const srv = await server((line, socket) => socket.write(`echo:${line}|`));
    const prepared = prepareOk(driver, tcpPacket(srv.port, { body: 'n=${n}\n', check_end_type: 2, check_end_str: '|' }));
    const session = testSession();
    const vars = testVars();
    const bodies: string[] = [];
    for (let i = 0; i < 20; i++) {
      vars.set('n', String(i));
      const result = await prepared.execute(session, vars);
      expect(result.outcome).toBe('success');
      expect(result.sentBytes).toBe(`n=${i}\n`.length);
      expect(result.recBytes).toBe(`echo:n=${i}|`.length);
      expect(result.responseTimeUs).toBeGreaterThan(0);
      bodies.push(result.body!.toString());
    }
    expect(bodies).toEqual(Array.from({ length: 20 }, (_, i) => `echo:n=${i}|`));
    expect(srv.lines.length).toBe(20);
    expect(srv.connections).toBe(1);
    await driver.closeSession!(session);
  });

  it('closes after each response with keep_alive: false (one connection per request)', async () => {
    const srv = await server((line, socket) => socket.write(`ok:${line}|`));
    const prepared = prepareOk(
      driver,
      tcpPacket(srv.port, { headers: headers({ keep_alive: 'false' }), check_end_type: '2', check_end_str: '|' }),
    );
    const session = testSession();
    const results = await runSequence(prepared, session, 6);
    expect(outcomes(results)).toEqual({ success: 6 });
    expect(srv.lines.length).toBe(6);
    expect(srv.connections).toBe(6);
    expect(session.state.get('tcp')).toEqual(new Map());
  });

  it('assembles a fixed-length response from several chunks and keeps the excess for the next response', async () => {
    // Every request gets 10 bytes ("hello" as 3 + 7 bytes with a pause); request "pair" gets two
    // responses in one write, so the second one must answer the next request, not mix into this one.
    const srv = await server((line, socket) => {
      if (line === 'pair') {
        socket.write('AAAAAAAAAABBBBBBBBBB');
        return;
      }
      const text = line.padEnd(10, '.').slice(0, 10);
      if (line !== 'hello') {
        socket.write(text);
        return;
      }
      socket.write(text.slice(0, 3));
      setTimeout(() => socket.write(text.slice(3)), 20);
    });
    const prepared = prepareOk(driver, tcpPacket(srv.port, { body: '${line}\n', check_end_type: 1, check_end_length: '10' }));
    const session = testSession();
    const vars = testVars();
    const bodies: string[] = [];
    for (const line of ['hello', 'pair', 'z', 'w']) {
      vars.set('line', line);
      const result = await prepared.execute(session, vars);
      expect(result.recBytes).toBe(10);
      bodies.push(result.body!.toString());
    }
    // The second response of "pair" answers "z"; the response to "z" answers "w": a stream, never mixed.
    expect(bodies).toEqual(['hello.....', 'AAAAAAAAAA', 'BBBBBBBBBB', 'z.........']);
    await expect.poll(() => srv.lines).toEqual(['hello', 'pair', 'z', 'w']);
    expect(srv.connections).toBe(1);
    await driver.closeSession!(session);
  });

  it('splits a stream of end-marked responses at the first marker', async () => {
    const srv = await server((_line, socket) => socket.write('one\r\ntwo\r\nthree\r\n'));
    const prepared = prepareOk(driver, tcpPacket(srv.port, { check_end_type: 2, check_end_str: '\r\n' }));
    const session = testSession();
    const first = await prepared.execute(session, testVars());
    expect(first.body!.toString()).toBe('one\r\n');
    const second = await prepared.execute(session, testVars());
    expect(second.body!.toString()).toBe('two\r\n');
    await expect.poll(() => srv.lines.length).toBe(2);
    await driver.closeSession!(session);
  });

  it('without an end check answers with the first chunk', async () => {
    const srv = await server((line, socket) => socket.write(`first chunk for ${line}`));
    const prepared = prepareOk(driver, tcpPacket(srv.port));
    const session = testSession();
    const results = await runSequence(prepared, session, 5);
    expect(results.map((r) => r.body!.toString())).toEqual(Array(5).fill('first chunk for ping'));
    expect(srv.lines.length).toBe(5);
    await driver.closeSession!(session);
  });

  it('sends and frames hex payloads', async () => {
    const received: string[] = [];
    const binary = net.createServer((socket) => {
      socket.on('data', (chunk) => {
        received.push(chunk.toString('hex'));
        socket.write(Buffer.from('0102ff0d0a', 'hex'));
      });
    });
    await new Promise<void>((resolve) => binary.listen(0, '127.0.0.1', resolve));
    const port = (binary.address() as net.AddressInfo).port;
    const prepared = prepareOk(
      driver,
      tcpPacket(port, { body: 'DEADbeef00', headers: headers({ encoding: 'hex' }), check_end_type: 2, check_end_str: '0d0a' }),
    );
    const session = testSession();
    const result = await prepared.execute(session, testVars());
    expect(result.outcome).toBe('success');
    expect(result.sentBytes).toBe(5);
    expect(result.body!.toString('hex')).toBe('0102ff0d0a');
    expect(received).toEqual(['deadbeef00']);
    await driver.closeSession!(session);
    await new Promise<void>((resolve) => binary.close(() => resolve()));
  });

  it('classifies an early close as parsedFailed, silence as timeout and a closed port as refusedFailed', async () => {
    const early = await server((_line, socket) => socket.end('part'));
    const silent = await server(() => undefined);
    const closedPort = await freePort();
    const session = testSession();
    const parsed = await prepareOk(driver, tcpPacket(early.port, { check_end_type: 1, check_end_length: 100 })).execute(session, testVars());
    expect(parsed.outcome).toBe('parsedFailed');
    expect(parsed.error).toMatch(/closed/);
    const timeout = await prepareOk(driver, tcpPacket(silent.port, { return_timeout: 150 })).execute(session, testVars());
    expect(timeout.outcome).toBe('timeout');
    expect(timeout.responseTimeUs).toBeGreaterThanOrEqual(140_000);
    const refused = await prepareOk(driver, tcpPacket(closedPort)).execute(session, testVars());
    expect(refused.outcome).toBe('refusedFailed');
    expect(refused.sentBytes).toBe(0);
    expect(early.lines.length + silent.lines.length).toBe(2);
    await driver.closeSession!(session);
  });

  it('reconnects after a failure on a kept connection', async () => {
    let n = 0;
    const srv = await server((_line, socket) => {
      n++;
      if (n === 2) socket.destroy();
      else socket.write('ok|');
    });
    const prepared = prepareOk(driver, tcpPacket(srv.port, { check_end_type: 2, check_end_str: '|' }));
    const session = testSession();
    const results = await runSequence(prepared, session, 4);
    expect(results.map((r) => r.outcome)).toEqual(['success', 'parsedFailed', 'success', 'success']);
    expect(srv.connections).toBe(2);
    expect(srv.lines.length).toBe(4);
    await driver.closeSession!(session);
  });

  it('ends a wait promptly when the session aborts', async () => {
    const silent = await server(() => undefined);
    const session = testSession();
    const pending = prepareOk(driver, tcpPacket(silent.port, { return_timeout: 30_000 })).execute(session, testVars());
    setTimeout(() => session.abort.abort(), 50);
    const started = Date.now();
    const result = await pending;
    expect(result.outcome).toBe('othersFailed');
    expect(result.error).toBe('aborted');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('ends the waits of every user sharing one run signal when it aborts', async () => {
    const silent = await server(() => undefined);
    const run = new AbortController();
    const prepared = prepareOk(driver, tcpPacket(silent.port, { return_timeout: 30_000 }));
    const sessions = Array.from({ length: 30 }, (_, userIndex) => ({ ...testSession(userIndex), signal: run.signal }));
    const pending = sessions.map((s) => prepared.execute(s, testVars()));
    await expect.poll(() => silent.lines.length).toBe(30);
    run.abort();
    const results = await Promise.all(pending);
    expect(outcomes(results)).toEqual({ othersFailed: 30 });
    expect(sessions.every((s) => (s.state.get('tcp') as Map<string, unknown>).size === 0)).toBe(true);
  });

  it('reports packet problems at prepare time', () => {
    const base = tcpPacket(1000);
    expect(problemsOf(driver, { ...base, body: 'abc', headers: headers({ encoding: 'hex' }) })[0]).toMatchObject({
      path: 'contents[0].content[0].body',
      message: 'hex payload must have an even number of characters',
    });
    expect(problemsOf(driver, { ...base, body: 'zz', headers: headers({ encoding: 'hex' }) })[0].message).toMatch(/0-9 and a-f/);
    expect(problemsOf(driver, { ...base, check_end_type: 1 })[0].path).toBe('contents[0].content[0].check_end_length');
    expect(problemsOf(driver, { ...base, check_end_type: 2 })[0].path).toBe('contents[0].content[0].check_end_str');
    expect(problemsOf(driver, { ...base, url: 'http://127.0.0.1:80' })[0].message).toMatch(/tcp:\/\//);
    expect(problemsOf(driver, { ...base, return_timeout: 5 })[0].path).toBe('contents[0].content[0].return_timeout');
    expect(problemsOf(driver, { ...base, headers: headers({ keep_alive: 'maybe' }) })[0].message).toMatch(/keep_alive/);
    expect(problemsOf(driver, { ...base, body: '${x}0a', headers: headers({ encoding: 'hex' }) })).toEqual([]);
  });

  it('fails a request whose rendered hex payload is invalid as parsedFailed without sending', async () => {
    const srv = await server((_line, socket) => socket.write('x'));
    const prepared = prepareOk(driver, tcpPacket(srv.port, { body: '${x}', headers: headers({ encoding: 'hex' }) }));
    const result = await prepared.execute(testSession(), testVars({ x: 'abc' }));
    expect(result.outcome).toBe('parsedFailed');
    expect(srv.connections).toBe(0);
  });
});

describe('TCP connect timeout', () => {
  let listener: ChildProcess | undefined;
  let port = 0;
  const fillers: net.Socket[] = [];
  beforeAll(async () => {
    // A listener that never accepts (its event loop is blocked), with backlog 1: once its queue is
    // full, further SYNs are dropped and a connect gets no answer.
    listener = spawn(process.execPath, [
      '-e',
      "const s = require('net').createServer(); s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {" +
        ' console.log(s.address().port); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60000); });',
    ]);
    port = await new Promise<number>((resolve, reject) => {
      listener!.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
      listener!.once('error', reject);
    });
    for (let i = 0; i < 4; i++) {
      const filler = net.connect(port, '127.0.0.1');
      filler.on('error', () => undefined);
      fillers.push(filler);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  });
  afterAll(() => {
    for (const f of fillers) f.destroy();
    listener?.kill();
  });

  it('classifies a connect that gets no answer as timeout', async () => {
    const result = await prepareOk(driver, tcpPacket(port, { connect_timeout: 200 })).execute(testSession(), testVars());
    expect(result.outcome).toBe('timeout');
    expect(result.error).toMatch(/connect timeout/);
  });
});

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

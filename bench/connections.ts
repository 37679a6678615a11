/**
 * bench:connections — how many WebSocket and MQTT connections one engine process holds, at what
 * memory, and how many messages per second it sustains over them. The engine's own drivers
 * (protocols/messaging/websocket.ts, protocols/messaging/mqtt.ts) run N virtual users' sessions in ONE client process
 * against local servers in child processes: a `ws` echo server, then an aedes broker.
 *
 *   pnpm bench:connections [--connections 20000] [--seconds 20] [--only ws|mqtt]
 *
 * Per protocol: connect N users (256 handshakes in flight), hold them, run a closed loop for
 * --seconds (WebSocket: WRITE_READ of 64 bytes to the echo server; MQTT: PUBLISH QoS 1 of 64 bytes,
 * acknowledged by the broker), check every connection is still open, then close. Reported: peak RSS
 * of the client process (VmHWM) and of the server, messages per second, failures. Each process runs
 * under `ulimit -n <hard limit>`; N is capped to what that limit allows (one descriptor per socket).
 * Traffic stays on 127.0.0.1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { ContentInfo } from '../packages/model/src/index.js';
import { compileTemplate } from '../packages/engine/src/compile/template.js';
import {
  DEFAULT_ENGINE_OPTIONS,
  type PrepareContext,
  type PreparedRequest,
  type ProtocolDriver,
  type UserSession,
  type VariableScope,
} from '../packages/engine/src/protocols/driver.js';
import { createMqttDriver } from '../packages/engine/src/protocols/messaging/mqtt.js';
import { createWebSocketDriver } from '../packages/engine/src/protocols/messaging/websocket.js';

type Kind = 'ws' | 'mqtt';
const SELF = fileURLToPath(import.meta.url);
/** Resolves packages the engine depends on (ws, aedes), which the repository root does not list. */
const engineRequire = createRequire(new URL('../packages/engine/package.json', import.meta.url));
const IN_FLIGHT_CONNECTS = 256;
const PAYLOAD = 'x'.repeat(64);
/** Descriptors a process needs besides its sockets (stdio, epoll, pipes, libuv threads). */
const FD_RESERVE = 64;

/** A flag's value from argv. */
function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
}

/** Soft and hard "Max open files" of this process, from /proc. */
function openFileLimits(): { soft: number; hard: number } {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const [soft, hard] = (line ?? '').split(/\s{2,}/).slice(1, 3).map((v) => (v === 'unlimited' ? Infinity : Number(v)));
  return { soft, hard };
}

/** Peak resident set size of a process in MiB (VmHWM). */
function peakRssMiB(pid: number | 'self'): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : NaN;
}

/** Starts this file with `role` under the hard descriptor limit; resolves with the child and its first line. */
function spawnRole(role: string, extra: string[]): Promise<{ child: ChildProcess; firstLine: string }> {
  const { hard } = openFileLimits();
  const command = [process.execPath, '--expose-gc', '--import', 'tsx', SELF, '--role', role, ...extra].map((a) => `'${a}'`).join(' ');
  const child = spawn('bash', ['-c', `ulimit -n ${hard === Infinity ? 'unlimited' : hard} && exec ${command}`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString();
      const newline = buffered.indexOf('\n');
      if (newline < 0) return;
      child.stdout!.off('data', onData);
      resolve({ child, firstLine: buffered.slice(0, newline) });
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code} before reporting`)));
  });
}

// ---------------------------------------------------------------------------------------------
// Server roles

/** The part of `ws` the echo server uses (the repository root does not resolve its types). */
interface EchoSocket {
  on(event: 'message', listener: (data: Buffer, binary: boolean) => void): void;
  send(data: Buffer, options: { binary: boolean }): void;
}
interface EchoServer {
  on(event: 'connection', listener: (socket: EchoSocket) => void): void;
  on(event: 'listening', listener: () => void): void;
  address(): net.AddressInfo;
}

async function serveWebSocket(): Promise<void> {
  const { WebSocketServer } = engineRequire('ws') as { WebSocketServer: new (options: object) => EchoServer };
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, backlog: 4096, perMessageDeflate: false, clientTracking: false });
  wss.on('connection', (socket) => socket.on('message', (data, binary) => socket.send(data, { binary })));
  await new Promise<void>((resolve) => wss.on('listening', resolve));
  process.stdout.write(`READY ${wss.address().port}\n`);
}

async function serveMqtt(): Promise<void> {
  const { Aedes } = (await import(pathToFileURL(engineRequire.resolve('aedes')).href)) as {
    Aedes: { createBroker(options?: object): Promise<{ handle: (socket: net.Socket) => void }> };
  };
  const broker = await Aedes.createBroker({ heartbeatInterval: 3_600_000, connectTimeout: 120_000 });
  const server = net.createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
  process.stdout.write(`READY ${(server.address() as net.AddressInfo).port}\n`);
}

// ---------------------------------------------------------------------------------------------
// Client role: the engine's drivers holding the connections

const NO_VARS: VariableScope = { get: () => undefined, set: () => undefined };

function prepare(driver: ProtocolDriver, packet: ContentInfo): PreparedRequest {
  const ctx: PrepareContext = { path: 'bench', problems: [], template: (t) => compileTemplate(t), options: DEFAULT_ENGINE_OPTIONS };
  const prepared = driver.prepare(packet, ctx);
  if (prepared === undefined || ctx.problems.length > 0) throw new Error(JSON.stringify(ctx.problems));
  return prepared;
}

interface ClientReport {
  kind: Kind;
  connections: number;
  connected: number;
  connectFailures: Record<string, number>;
  connectSeconds: number;
  rssAfterConnectMiB: number;
  messages: number;
  messageFailures: Record<string, number>;
  seconds: number;
  messagesPerSecond: number;
  openAtEnd: number;
  peakRssMiB: number;
}

async function runClient(kind: Kind, port: number, connections: number, seconds: number): Promise<ClientReport> {
  const driver = kind === 'ws' ? createWebSocketDriver(DEFAULT_ENGINE_OPTIONS) : createMqttDriver(DEFAULT_ENGINE_OPTIONS);
  const url = kind === 'ws' ? `ws://127.0.0.1:${port}/` : `mqtt://127.0.0.1:${port}`;
  const headers = (h: Record<string, string>) => Object.entries(h).map(([key, value]) => ({ key, value }));
  const timeouts = { connect_timeout: 60_000, return_timeout: 60_000 };
  const connect = prepare(driver, { protocol_type: kind === 'ws' ? 9 : 11, method: 'CONNECT', url, ...timeouts });
  const message =
    kind === 'ws'
      ? prepare(driver, { protocol_type: 9, method: 'WRITE_READ', url, body: PAYLOAD, ...timeouts })
      : prepare(driver, { protocol_type: 11, method: 'PUBLISH', url, headers: headers({ topic: 'bench/load', qos: '1' }), body: PAYLOAD, ...timeouts });
  const abort = new AbortController();
  const sessions: UserSession[] = Array.from({ length: connections }, (_, userIndex) => ({
    state: new Map(),
    userIndex,
    signal: abort.signal,
    keepResponse: false,
    debug: false,
  }));

  const connectFailures: Record<string, number> = {};
  let connected = 0;
  let next = 0;
  const connectStart = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT_CONNECTS }, async () => {
      while (next < sessions.length) {
        const result = await connect.execute(sessions[next++], NO_VARS);
        if (result.outcome === 'success') connected++;
        else connectFailures[`${result.outcome}: ${result.error}`] = (connectFailures[`${result.outcome}: ${result.error}`] ?? 0) + 1;
      }
    }),
  );
  const connectSeconds = (performance.now() - connectStart) / 1000;
  (globalThis as { gc?: () => void }).gc?.();
  const rssAfterConnectMiB = Math.round(process.memoryUsage().rss / 1024 / 1024);
  process.stderr.write(`[${kind}] ${connected}/${connections} connected in ${connectSeconds.toFixed(1)} s, rss ${rssAfterConnectMiB} MiB\n`);

  const messageFailures: Record<string, number> = {};
  let messages = 0;
  const deadline = performance.now() + seconds * 1000;
  const loopStart = performance.now();
  await Promise.all(
    sessions.map(async (session) => {
      while (performance.now() < deadline) {
        const result = await message.execute(session, NO_VARS);
        if (result.outcome === 'success') messages++;
        else {
          messageFailures[`${result.outcome}: ${result.error}`] = (messageFailures[`${result.outcome}: ${result.error}`] ?? 0) + 1;
          return;
        }
      }
    }),
  );
  const loopSeconds = (performance.now() - loopStart) / 1000;
  let openAtEnd = 0;
  for (const session of sessions) {
    for (const connection of ((session.state.get(driver.name) as Map<string, { isOpen: boolean }> | undefined) ?? new Map()).values()) {
      if (connection.isOpen) openAtEnd++;
    }
  }
  const peak = peakRssMiB('self');
  for (const session of sessions) await driver.closeSession?.(session);
  return {
    kind,
    connections,
    connected,
    connectFailures,
    connectSeconds: Number(connectSeconds.toFixed(1)),
    rssAfterConnectMiB,
    messages,
    messageFailures,
    seconds: Number(loopSeconds.toFixed(1)),
    messagesPerSecond: Math.round(messages / loopSeconds),
    openAtEnd,
    peakRssMiB: peak,
  };
}

// ---------------------------------------------------------------------------------------------
// Orchestration

async function measure(kind: Kind, connections: number, seconds: number): Promise<ClientReport & { serverPeakRssMiB: number }> {
  const server = await spawnRole(kind === 'ws' ? 'ws-server' : 'mqtt-server', []);
  const port = server.firstLine.split(' ')[1];
  try {
    const client = await spawnRole('client', ['--kind', kind, '--port', port, '--connections', String(connections), '--seconds', String(seconds)]);
    const report = JSON.parse(client.firstLine) as ClientReport;
    const serverPeakRssMiB = peakRssMiB(server.child.pid!);
    client.child.kill();
    return { ...report, serverPeakRssMiB };
  } finally {
    server.child.kill();
  }
}

async function main(): Promise<void> {
  const role = arg('role', '');
  if (role === 'ws-server') return serveWebSocket();
  if (role === 'mqtt-server') return serveMqtt();
  if (role === 'client') {
    const report = await runClient(arg('kind', 'ws') as Kind, Number(arg('port', '0')), Number(arg('connections', '0')), Number(arg('seconds', '20')));
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  const requested = Number(arg('connections', '20000'));
  const seconds = Number(arg('seconds', '20'));
  const only = arg('only', '');
  const { hard } = openFileLimits();
  const connections = Math.min(requested, hard - FD_RESERVE);
  if (connections < requested) {
    console.log(`open-file hard limit is ${hard}: holding ${connections} connections per process instead of ${requested}`);
  }
  console.log(`node ${process.version}, ${connections} connections per protocol, ${seconds} s message loop`);
  const rows: string[] = [];
  for (const kind of ['ws', 'mqtt'] as const) {
    if (only !== '' && only !== kind) continue;
    const r = await measure(kind, connections, seconds);
    console.log(JSON.stringify(r));
    rows.push(
      `| ${kind === 'ws' ? 'WebSocket' : 'MQTT'} | ${r.connected}/${r.connections} | ${r.connectSeconds} s | ${r.rssAfterConnectMiB} MiB | ` +
        `${r.peakRssMiB} MiB | ${r.messagesPerSecond} | ${Object.values(r.messageFailures).reduce((a, b) => a + b, 0)} | ${r.openAtEnd} | ${r.serverPeakRssMiB} MiB |`,
    );
  }
  console.log('\n| protocol | connected | connect time | client RSS held | client peak RSS | messages/s | failed | open at end | server peak RSS |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
}

await main();

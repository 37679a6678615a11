/**
 * The real servers of the mixed-protocol test, on 127.0.0.1 port 0, each counting what it receives:
 * an HTTP/1.1 server, a cleartext HTTP/2 (h2c) server, a TCP line responder, a UDP responder, a `ws` echo server and an embedded `aedes`
 * broker. `ws` and `aedes` are the engine's dependencies, not the API's, so they are resolved through
 * the engine's package (as bench/connections.ts does) and typed here by the little this file uses.
 */
import dgram from 'node:dgram';
import http from 'node:http';
import http2 from 'node:http2';
import { createRequire } from 'node:module';
import net from 'node:net';
import { pathToFileURL } from 'node:url';

const engineRequire = createRequire(new URL('../../../packages/engine/package.json', import.meta.url));

/** What each server received so far. */
export interface MixedCounts {
  /** HTTP requests. */
  http: number;
  /** HTTP/2 streams. */
  http2: number;
  /** Newline-terminated TCP messages. */
  tcp: number;
  /** UDP datagrams. */
  udp: number;
  /** WebSocket upgrades (connections opened). */
  wsUpgrades: number;
  /** WebSocket frames received. */
  wsFrames: number;
  /** MQTT CONNECTs the broker accepted. */
  mqttConnects: number;
  /** MQTT PUBLISH packets the broker received from clients. */
  mqttPublishes: number;
}

/** The started servers: their addresses, their counts and how to close them. */
export interface MixedServers {
  httpUrl: string;
  http2Url: string;
  tcpUrl: string;
  udpUrl: string;
  wsUrl: string;
  mqttUrl: string;
  counts: MixedCounts;
  /** A copy of the counts with their sum. */
  snapshot(): MixedCounts & { total: number };
  close(): Promise<void>;
}

interface WsSocket {
  on(event: 'message', listener: (data: Buffer) => void): void;
  send(data: string): void;
}
interface WsServer {
  on(event: 'connection', listener: (socket: WsSocket) => void): void;
  close(): void;
}
interface Broker {
  handle: (socket: net.Socket) => void;
  on(event: 'client', listener: (client: unknown) => void): void;
  on(event: 'publish', listener: (packet: unknown, client: unknown) => void): void;
  close(cb: () => void): void;
}

const listen = (server: net.Server | http.Server | http2.Http2Server): Promise<number> =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));

/** Starts the five servers. */
export async function startMixedServers(): Promise<MixedServers> {
  const counts: MixedCounts = { http: 0, http2: 0, tcp: 0, udp: 0, wsUpgrades: 0, wsFrames: 0, mqttConnects: 0, mqttPublishes: 0 };

  const httpServer = http.createServer((req, res) => {
    counts.http++;
    req.resume();
    res.setHeader('content-type', 'application/json');
    res.end('{"ok":true}');
  });
  const httpPort = await listen(httpServer);

  const http2Server = http2.createServer();
  http2Server.on('stream', (stream) => {
    counts.http2++;
    stream.on('error', () => undefined);
    stream.respond({ ':status': 200, 'content-type': 'application/json' });
    stream.end('{"h2":true}');
  });
  const http2Port = await listen(http2Server);

  const tcpServer = net.createServer((socket) => {
    let buffered = '';
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      buffered += chunk.toString();
      let at: number;
      while ((at = buffered.indexOf('\n')) >= 0) {
        counts.tcp++;
        socket.write(`tcp got ${buffered.slice(0, at)}\n`);
        buffered = buffered.slice(at + 1);
      }
    });
  });
  const tcpPort = await listen(tcpServer);

  const udpSocket = dgram.createSocket('udp4');
  udpSocket.on('message', (data, from) => {
    counts.udp++;
    udpSocket.send(data.toString().toUpperCase(), from.port, from.address);
  });
  await new Promise<void>((resolve) => udpSocket.bind(0, '127.0.0.1', resolve));

  const wsHttp = http.createServer();
  const { WebSocketServer } = engineRequire('ws') as { WebSocketServer: new (options: object) => WsServer };
  const wss = new WebSocketServer({ server: wsHttp });
  wss.on('connection', (socket) => {
    counts.wsUpgrades++;
    socket.on('message', (data) => {
      counts.wsFrames++;
      socket.send(`ws echo ${data.toString()}`);
    });
  });
  const wsPort = await listen(wsHttp);

  const { Aedes } = (await import(pathToFileURL(engineRequire.resolve('aedes')).href)) as { Aedes: { createBroker(): Promise<Broker> } };
  const broker = await Aedes.createBroker();
  broker.on('client', () => counts.mqttConnects++);
  broker.on('publish', (_packet, client) => {
    // The broker's own $SYS publishes have no client.
    if (client) counts.mqttPublishes++;
  });
  const mqttServer = net.createServer(broker.handle);
  const mqttPort = await listen(mqttServer);

  return {
    httpUrl: `http://127.0.0.1:${httpPort}`,
    http2Url: `http://127.0.0.1:${http2Port}`,
    tcpUrl: `tcp://127.0.0.1:${tcpPort}`,
    udpUrl: `udp://127.0.0.1:${udpSocket.address().port}`,
    wsUrl: `ws://127.0.0.1:${wsPort}/`,
    mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
    counts,
    snapshot: () => ({ ...counts, total: Object.values(counts).reduce((a, b) => a + b, 0) }),
    close: async () => {
      httpServer.closeAllConnections();
      httpServer.close();
      http2Server.close();
      tcpServer.close();
      udpSocket.close();
      wss.close();
      wsHttp.closeAllConnections();
      wsHttp.close();
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      mqttServer.close();
    },
  };
}

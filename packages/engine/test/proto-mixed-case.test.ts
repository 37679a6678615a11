/**
 * One case mixing HTTP, TCP, UDP, WebSocket and MQTT cards, compiled with compileCase and run by
 * virtual users: a token extracted from the HTTP response travels through every other protocol,
 * and checkpoints on the TCP/UDP/WebSocket/MQTT bodies decide success.
 */
import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Aedes } from 'aedes';
import { WebSocketServer } from 'ws';
import type { Contents } from '@perftest/model';
import { caseOf, card, checkpoint, compileOrThrow, extraction, packet, runUsers, startServer, type TestServer } from './vu-helpers.js';

let httpServer: TestServer;
let tcpServer: net.Server;
let udpSocket: dgram.Socket;
let wsHttp: http.Server;
let broker: Aedes;
let mqttServer: net.Server;
const seen = { http: 0, tcp: 0, udp: 0, ws: 0, wsConnections: 0, mqtt: 0 };
const ports = { tcp: 0, udp: 0, ws: 0, mqtt: 0 };

beforeAll(async () => {
  let issued = 0;
  httpServer = await startServer((_req, res) => {
    seen.http++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ token: `tok${++issued}` }));
  });
  tcpServer = net.createServer((socket) => {
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString();
      let at: number;
      while ((at = buffered.indexOf('\n')) >= 0) {
        seen.tcp++;
        socket.write(`tcp got ${buffered.slice(0, at)}\n`);
        buffered = buffered.slice(at + 1);
      }
    });
  });
  await new Promise<void>((resolve) => tcpServer.listen(0, '127.0.0.1', resolve));
  ports.tcp = (tcpServer.address() as net.AddressInfo).port;
  udpSocket = dgram.createSocket('udp4');
  udpSocket.on('message', (d, from) => {
    seen.udp++;
    udpSocket.send(d.toString().toUpperCase(), from.port, from.address);
  });
  await new Promise<void>((resolve) => udpSocket.bind(0, '127.0.0.1', resolve));
  ports.udp = udpSocket.address().port;
  wsHttp = http.createServer();
  new WebSocketServer({ server: wsHttp }).on('connection', (socket) => {
    seen.wsConnections++;
    socket.on('message', (data) => {
      seen.ws++;
      socket.send(`ws echo ${data.toString()}`);
    });
  });
  await new Promise<void>((resolve) => wsHttp.listen(0, '127.0.0.1', resolve));
  ports.ws = (wsHttp.address() as net.AddressInfo).port;
  broker = await Aedes.createBroker();
  broker.on('publish', (_packet, client) => {
    if (client) seen.mqtt++;
  });
  mqttServer = net.createServer(broker.handle);
  await new Promise<void>((resolve) => mqttServer.listen(0, '127.0.0.1', resolve));
  ports.mqtt = (mqttServer.address() as net.AddressInfo).port;
});

afterAll(async () => {
  await httpServer.close();
  tcpServer.close();
  udpSocket.close();
  wsHttp.closeAllConnections();
  wsHttp.close();
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  mqttServer.close();
});

const bodyContains = (value: string) => checkpoint([{ source: 'body', operator: 'contains', value }]);

function mixedCase(): Contents[] {
  const ws = `ws://127.0.0.1:${ports.ws}/`;
  const mqtt = `mqtt://127.0.0.1:${ports.mqtt}`;
  const hdrs = (h: Record<string, string>) => Object.entries(h).map(([key, value]) => ({ key, value }));
  return [
    card(packet({ url: `${httpServer.url}/token` }), extraction({ name: 'token', source: 'json', expression: 'token' })),
    card(
      packet({ protocol_type: 3, method: 'SEND', url: `tcp://127.0.0.1:${ports.tcp}`, body: '${token}\n', check_end_type: 2, check_end_str: '\n' }),
      bodyContains('tcp got ${token}'),
    ),
    card(packet({ protocol_type: 4, method: 'SEND', url: `udp://127.0.0.1:${ports.udp}`, body: 'udp ${token}' }), bodyContains('UDP TOK')),
    card(packet({ protocol_type: 9, method: 'CONNECT', url: ws })),
    card(
      packet({ protocol_type: 9, method: 'WRITE_READ', url: ws, body: '${token}' }),
      extraction({ name: 'echoed', source: 'body', expression: 'ws echo (\\w+)', match_no: 1, group_index: 1 }),
      bodyContains('ws echo ${token}'),
    ),
    card(packet({ protocol_type: 9, method: 'DISCONNECT', url: ws })),
    card(packet({ protocol_type: 11, method: 'CONNECT', url: mqtt, headers: hdrs({ client_id: 'mixed-${token}' }) })),
    card(packet({ protocol_type: 11, method: 'PUBLISH', url: mqtt, headers: hdrs({ topic: 'mix/${echoed}', qos: '1', retain: 'true' }), body: 'from ${echoed}' })),
    card(packet({ protocol_type: 11, method: 'SUBSCRIBE', url: mqtt, headers: hdrs({ topic: 'mix/${token}', qos: '1' }) }), bodyContains('from ${token}')),
    card(packet({ protocol_type: 11, method: 'DISCONNECT', url: mqtt })),
  ];
}

describe('a case mixing HTTP, TCP, UDP, WebSocket and MQTT', () => {
  it('runs through compileCase and virtual users with every request succeeding', async () => {
    const compiled = compileOrThrow({ case: caseOf(mixedCase()) });
    const { recorder } = await runUsers(compiled, 3, 2, { setup: false });
    await compiled.close();
    expect(recorder.outcomes()).toEqual({ success: 60 });
    expect(recorder.iterations.length).toBe(6);
    expect(recorder.iterations.every((i) => i.ok)).toBe(true);
    // aedes emits 'publish' after delivering, so its count may trail the results briefly.
    await expect.poll(() => seen).toEqual({ http: 6, tcp: 6, udp: 6, ws: 6, wsConnections: 6, mqtt: 6 });
    const sent = recorder.requests.filter((r) => r.result.sentBytes > 0).length;
    // Every step puts bytes on the wire, handshakes and disconnects included.
    expect(sent).toBe(60);
  });
});

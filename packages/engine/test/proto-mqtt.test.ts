/**
 * The MQTT driver against an embedded aedes broker on 127.0.0.1 (TCP and WebSocket listeners) and,
 * for MQTT 5, the Mosquitto broker at 127.0.0.1:1883 (aedes speaks 3.1/3.1.1 only).
 */
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Aedes, type Client, type PublishPacket } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { ProtocolType } from '@perftest/model';
import type { ContentInfo } from '@perftest/model';
import { createMqttDriver } from '../src/protocols/messaging/mqtt.js';
import { DEFAULT_ENGINE_OPTIONS, type RequestResult } from '../src/protocols/driver.js';
import { headers, outcomes, prepareOk, problemsOf, testSession, testVars } from './proto-harness.js';

let broker: Aedes;
let tcpServer: net.Server;
let httpServer: http.Server;
let tlsServer: tls.Server;
let mqttUrl = '';
let wsUrl = '';
let mqttsUrl = '';
/** PUBLISH packets that clients sent, by topic. */
const published = new Map<string, PublishPacket[]>();
const subscribeListeners: ((topic: string, client: Client) => void)[] = [];
/** Ids of the clients connected to the broker now. */
const connectedIds = new Set<string>();

beforeAll(async () => {
  broker = await Aedes.createBroker({
    authenticate: (_client, username, password, done) => {
      if (username === 'denied') {
        const error = Object.assign(new Error('bad credentials'), { returnCode: 4 as const });
        done(error, false);
        return;
      }
      done(null, username !== 'wrong' || password?.toString() !== 'wrong');
    },
  });
  broker.on('publish', (packet, client) => {
    if (!client) return;
    const list = published.get(packet.topic) ?? [];
    list.push(packet);
    published.set(packet.topic, list);
  });
  broker.on('client', (client) => void connectedIds.add(client.id));
  broker.on('clientDisconnect', (client) => void connectedIds.delete(client.id));
  broker.on('subscribe', (subscriptions, client) => {
    for (const s of subscriptions) for (const l of subscribeListeners) l(s.topic, client);
  });
  tcpServer = net.createServer(broker.handle);
  await new Promise<void>((resolve) => tcpServer.listen(0, '127.0.0.1', resolve));
  mqttUrl = `mqtt://127.0.0.1:${(tcpServer.address() as net.AddressInfo).port}`;
  const fixtures = new URL('./fixtures/', import.meta.url);
  tlsServer = tls.createServer(
    { key: readFileSync(new URL('proto-tls-key.pem', fixtures)), cert: readFileSync(new URL('proto-tls-cert.pem', fixtures)) },
    broker.handle,
  );
  await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
  mqttsUrl = `mqtts://127.0.0.1:${(tlsServer.address() as net.AddressInfo).port}`;
  httpServer = http.createServer();
  const wss = new WebSocketServer({ server: httpServer });
  wss.on('connection', (socket, request) => broker.handle(createWebSocketStream(socket), request));
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  wsUrl = `ws://127.0.0.1:${(httpServer.address() as net.AddressInfo).port}/mqtt`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  tcpServer.close();
  tlsServer.close();
  httpServer.close();
});

function mqttPacket(method: string, hdrs: Record<string, string> = {}, extra: Partial<ContentInfo> = {}): ContentInfo {
  return { protocol_type: ProtocolType.Mqtt, method, url: mqttUrl, headers: headers(hdrs), ...extra };
}

/** Resolves when the broker has a subscription on `topic`. */
function subscribed(topic: string): Promise<void> {
  return new Promise((resolve) => {
    const listener = (t: string): void => {
      if (t !== topic) return;
      subscribeListeners.splice(subscribeListeners.indexOf(listener), 1);
      resolve();
    };
    subscribeListeners.push(listener);
  });
}

const driver = createMqttDriver(DEFAULT_ENGINE_OPTIONS);

describe('MQTT driver on aedes', () => {
  it('connects, publishes at QoS 0, 1 and 2 and disconnects; broker count equals results', async () => {
    const session = testSession();
    const connect = await prepareOk(driver, mqttPacket('CONNECT', { client_id: 'pub-${u}' })).execute(session, testVars({ u: '1' }));
    expect(connect.outcome).toBe('success');
    expect(connect.sentBytes).toBe(2 + 10 + 2 + 'pub-1'.length);
    expect(connect.recBytes).toBe(4);
    expect(connectedIds.has('pub-1')).toBe(true);

    const results: Record<number, RequestResult[]> = { 0: [], 1: [], 2: [] };
    for (const qos of [0, 1, 2] as const) {
      const publish = prepareOk(driver, mqttPacket('PUBLISH', { topic: `t/qos${qos}`, qos: String(qos) }, { body: 'payload-${i}' }));
      for (let i = 0; i < 5; i++) results[qos].push(await publish.execute(session, testVars({ i: String(i) })));
    }
    for (const qos of [0, 1, 2]) {
      expect(outcomes(results[qos])).toEqual({ success: 5 });
      // QoS 0 succeeds when written; the broker's 'publish' event trails it.
      await expect.poll(() => published.get(`t/qos${qos}`)?.map((p) => p.payload.toString())).toEqual(
        Array.from({ length: 5 }, (_, i) => `payload-${i}`),
      );
      expect(published.get(`t/qos${qos}`)!.every((p) => p.qos === qos)).toBe(true);
    }
    // PUBLISH: 2 fixed header + 2 + topic + (packet id at QoS > 0) + payload; acks are 4 bytes each.
    const publishBytes = (qos: number): number => 2 + 2 + 't/qos0'.length + (qos > 0 ? 2 : 0) + 'payload-0'.length;
    expect([results[0][0].sentBytes, results[0][0].recBytes]).toEqual([publishBytes(0), 0]);
    expect([results[1][0].sentBytes, results[1][0].recBytes]).toEqual([publishBytes(1), 4]);
    expect([results[2][0].sentBytes, results[2][0].recBytes]).toEqual([publishBytes(2) + 4, 8]);

    const disconnect = await prepareOk(driver, mqttPacket('DISCONNECT')).execute(session, testVars());
    expect(disconnect.outcome).toBe('success');
    expect(disconnect.sentBytes).toBe(2);
    await expect.poll(() => connectedIds.has('pub-1')).toBe(false);
  });

  it('receives on SUBSCRIBE a message that another user publishes', async () => {
    const subscriber = testSession(0);
    const publisher = testSession(1);
    const subscribe = prepareOk(driver, mqttPacket('SUBSCRIBE', { topic: 'chat/+/in', qos: '1' }, { return_timeout: 5000 }));
    const ready = subscribed('chat/+/in');
    const pending = subscribe.execute(subscriber, testVars());
    await ready;
    const publish = await prepareOk(driver, mqttPacket('PUBLISH', { topic: 'chat/room7/in', qos: '1' }, { body: '{"id":42}' })).execute(
      publisher,
      testVars(),
    );
    expect(publish.outcome).toBe('success');
    const received = await pending;
    expect(received.outcome).toBe('success');
    expect(received.body!.toString()).toBe('{"id":42}');
    // SUBSCRIBE + SUBACK were part of this step (implicit connect too), and the PUBLISH it received.
    expect(received.recBytes).toBe(4 + 5 + (2 + 2 + 'chat/room7/in'.length + 2 + 9));
    // aedes emits its 'publish' event after delivering, so the count may trail the result briefly.
    await expect.poll(() => published.get('chat/room7/in')?.length).toBe(1);
    await driver.closeSession!(subscriber);
    await driver.closeSession!(publisher);
  });

  it('keeps messages that arrive between SUBSCRIBE steps in order, and times out when none comes', async () => {
    const session = testSession();
    const publisher = testSession(1);
    const subscribe = prepareOk(driver, mqttPacket('SUBSCRIBE', { topic: 'feed', qos: '2' }, { return_timeout: 200 }));
    const publish = prepareOk(driver, mqttPacket('PUBLISH', { topic: 'feed', qos: '2' }, { body: 'm${i}' }));
    const ready = subscribed('feed');
    const first = subscribe.execute(session, testVars());
    await ready;
    for (let i = 0; i < 4; i++) await publish.execute(publisher, testVars({ i: String(i) }));
    expect((await first).body!.toString()).toBe('m0');
    const later: string[] = [];
    for (let i = 0; i < 3; i++) later.push((await subscribe.execute(session, testVars())).body!.toString());
    expect(later).toEqual(['m1', 'm2', 'm3']);
    const none = await subscribe.execute(session, testVars());
    expect(none.outcome).toBe('timeout');
    await driver.closeSession!(session);
    await driver.closeSession!(publisher);
  });

  it('delivers a retained message to a later subscriber', async () => {
    const publisher = testSession(1);
    const retained = await prepareOk(driver, mqttPacket('PUBLISH', { topic: 'status/door', qos: '1', retain: 'true' }, { body: 'open' })).execute(
      publisher,
      testVars(),
    );
    expect(retained.outcome).toBe('success');
    const session = testSession();
    const got = await prepareOk(driver, mqttPacket('SUBSCRIBE', { topic: 'status/#' })).execute(session, testVars());
    expect(got.body!.toString()).toBe('open');
    await driver.closeSession!(session);
    await driver.closeSession!(publisher);
  });

  it('works over WebSocket (ws://) and sends hex payloads', async () => {
    const session = testSession();
    const packet = (method: string, hdrs: Record<string, string>, extra: Partial<ContentInfo> = {}) => ({
      ...mqttPacket(method, hdrs, extra),
      url: wsUrl,
    });
    expect((await prepareOk(driver, packet('CONNECT', { client_id: 'ws-user' })).execute(session, testVars())).outcome).toBe('success');
    const result = await prepareOk(driver, packet('PUBLISH', { topic: 'bin', qos: '1', encoding: 'hex' }, { body: '00ff7f' })).execute(
      session,
      testVars(),
    );
    expect(result.outcome).toBe('success');
    await expect.poll(() => published.get('bin')?.[0].payload).toEqual(Buffer.from([0, 255, 127]));
    await driver.closeSession!(session);
  });

  it('works over TLS (mqtts://), verifying the certificate per tlsVerify', async () => {
    const strict = await prepareOk(driver, { ...mqttPacket('CONNECT'), url: mqttsUrl }).execute(testSession(), testVars());
    expect(strict.outcome).toBe('othersFailed');
    expect(strict.error).toMatch(/certificate/i);
    const session = testSession();
    const publish = prepareOk(driver, { ...mqttPacket('PUBLISH', { topic: 'secure', qos: '2' }, { body: 'tls' }), url: mqttsUrl }, { tlsVerify: false });
    const result = await publish.execute(session, testVars());
    expect(result.outcome).toBe('success');
    await expect.poll(() => published.get('secure')?.map((p) => p.payload.toString())).toEqual(['tls']);
    await driver.closeSession!(session);
  });

  it('keeps one connection per user: 20 users publishing at QoS 1', async () => {
    const sessions = Array.from({ length: 20 }, (_, i) => testSession(i));
    const publish = prepareOk(driver, mqttPacket('PUBLISH', { topic: 'load/${u}', qos: '1', client_id: 'load-${u}' }, { body: 'x' }));
    const results = await Promise.all(
      sessions.map(async (s, u) => {
        const out = [];
        for (let i = 0; i < 3; i++) out.push(await publish.execute(s, testVars({ u: String(u) })));
        return out;
      }),
    );
    expect(outcomes(results.flat())).toEqual({ success: 60 });
    await expect.poll(() => Array.from({ length: 20 }, (_, u) => published.get(`load/${u}`)?.length)).toEqual(Array(20).fill(3));
    expect([...connectedIds].filter((id) => id.startsWith('load-')).length).toBe(20);
    await Promise.all(sessions.map((s) => driver.closeSession!(s)));
  });

  it('classifies refused port, rejected credentials, unsupported version, silence and takeover', async () => {
    const session = testSession();
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await prepareOk(driver, { ...mqttPacket('CONNECT'), url: `mqtt://127.0.0.1:${closedPort}` }).execute(session, testVars());
    expect(refused.outcome).toBe('refusedFailed');

    const denied = await prepareOk(driver, mqttPacket('CONNECT', { username: 'wrong', password: 'wrong' })).execute(session, testVars());
    expect(denied).toMatchObject({ outcome: 'checkPointFailed', status: 5 });
    const badUser = await prepareOk(driver, mqttPacket('CONNECT', { username: 'denied' })).execute(session, testVars());
    expect(badUser).toMatchObject({ outcome: 'checkPointFailed', status: 4 });

    const v5 = await prepareOk(driver, mqttPacket('CONNECT', { protocol_version: '5' })).execute(session, testVars());
    expect(v5).toMatchObject({ outcome: 'checkPointFailed', status: 1 });

    const mute = net.createServer(() => undefined);
    const muteSockets: net.Socket[] = [];
    mute.on('connection', (s) => muteSockets.push(s));
    await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
    const silent = await prepareOk(driver, {
      ...mqttPacket('CONNECT'),
      url: `mqtt://127.0.0.1:${(mute.address() as net.AddressInfo).port}`,
      connect_timeout: 150,
    }).execute(session, testVars());
    expect(silent.outcome).toBe('timeout');
    muteSockets.forEach((s) => s.destroy());
    mute.close();

    // A second connection with the same client id takes the session over: the first one is closed.
    const waiting = prepareOk(driver, mqttPacket('SUBSCRIBE', { topic: 'never', client_id: 'twin' }, { return_timeout: 5000 })).execute(
      session,
      testVars(),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const other = testSession(1);
    await prepareOk(driver, mqttPacket('CONNECT', { client_id: 'twin' })).execute(other, testVars());
    const cut = await waiting;
    expect(cut.outcome).toBe('parsedFailed');
    await driver.closeSession!(session);
    await driver.closeSession!(other);
  });

  it('ends a SUBSCRIBE wait promptly when the session aborts', async () => {
    const session = testSession();
    const pending = prepareOk(driver, mqttPacket('SUBSCRIBE', { topic: 'quiet' }, { return_timeout: 60_000 })).execute(session, testVars());
    setTimeout(() => session.abort.abort(), 150);
    const result = await pending;
    expect(result.outcome).toBe('othersFailed');
    expect(result.error).toBe('aborted');
  });

  it('reports bad methods, URLs, topics, QoS and versions at prepare time', () => {
    const paths = (packet: ContentInfo) => problemsOf(driver, packet).map((p) => p.path.replace('contents[0].content[0].', ''));
    expect(paths(mqttPacket('SEND'))).toEqual(['method']);
    expect(paths({ ...mqttPacket('CONNECT'), url: 'http://x' })).toEqual(['url']);
    expect(paths(mqttPacket('PUBLISH', { topic: 'a/#' }))).toEqual(['headers.topic']);
    expect(paths(mqttPacket('SUBSCRIBE', { topic: 'a/b#' }))).toEqual(['headers.topic']);
    expect(paths(mqttPacket('SUBSCRIBE', { topic: 'a/+/c/#', qos: '3' }))).toEqual(['headers.qos']);
    expect(paths(mqttPacket('CONNECT', { protocol_version: '6' }))).toEqual(['headers.protocol_version']);
    expect(paths(mqttPacket('PUBLISH', { topic: 'x/${id}' }))).toEqual([]);
  });
});

/** True when something accepts TCP connections on 127.0.0.1:1883. */
async function mosquittoListening(): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect(1883, '127.0.0.1');
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

const mosquitto = await mosquittoListening();
if (!mosquitto) console.warn('proto-mqtt: nothing listens on 127.0.0.1:1883, skipping the MQTT 5 test against Mosquitto');

describe('MQTT driver on Mosquitto', () => {
  it.skipIf(!mosquitto)('speaks MQTT 5: connect, subscribe, and QoS 1/2 publishes from another user', async () => {
    const url = 'mqtt://127.0.0.1:1883';
    const topic = `perftest/v5/${process.pid}/${Date.now()}`;
    const v5 = (method: string, hdrs: Record<string, string>, extra: Partial<ContentInfo> = {}) =>
      mqttPacket(method, { protocol_version: '5', ...hdrs }, { url, ...extra });
    const subscriber = testSession(0);
    const publisher = testSession(1);
    const connected = await prepareOk(driver, v5('CONNECT', {})).execute(subscriber, testVars());
    expect(connected.outcome).toBe('success');
    // MQTT 5 CONNECT carries a properties length byte: 2 + 11 + 2 + 23 (client id).
    expect(connected.sentBytes).toBe(38);
    const subscribe = prepareOk(driver, v5('SUBSCRIBE', { topic, qos: '2' }, { return_timeout: 300 }));
    const publish = (qos: string) => prepareOk(driver, v5('PUBLISH', { topic, qos }, { body: 'v5-${i}' }));
    // The first SUBSCRIBE registers the subscription (SUBACK) and times out: nothing was published yet.
    expect((await subscribe.execute(subscriber, testVars())).outcome).toBe('timeout');
    const results = [
      await publish('1').execute(publisher, testVars({ i: '0' })),
      await publish('2').execute(publisher, testVars({ i: '1' })),
      await publish('0').execute(publisher, testVars({ i: '2' })),
    ];
    expect(outcomes(results)).toEqual({ success: 3 });
    const bodies: string[] = [];
    for (let i = 0; i < 3; i++) bodies.push((await subscribe.execute(subscriber, testVars())).body!.toString());
    // MQTT orders messages per QoS only: a QoS 2 message is delivered after its PUBREL and may come last.
    expect(bodies.sort()).toEqual(['v5-0', 'v5-1', 'v5-2']);
    expect((await prepareOk(driver, v5('DISCONNECT', {})).execute(subscriber, testVars())).outcome).toBe('success');
    await driver.closeSession!(publisher);
  });
});

/**
 * One virtual user's UDP socket to one endpoint. The socket is connected (so that an ICMP "port
 * unreachable" reply surfaces as ECONNREFUSED), sends one datagram per request and frames the reply
 * from the datagrams that come back, as TCP does. A lost reply ends in a timeout; after any failure
 * the socket is closed so that late datagrams cannot answer the next request.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { Outcome } from '@perftest/model';
import { unwatchAbort, watchAbort, type Abortable } from './abort-fanout.js';
import type { RequestResult } from './driver.js';
import { ResponseFramer, type FramingSpec } from './framing.js';
import type { Endpoint } from './packet-fields.js';
import { describeError, finishResult, nowUs, outcomeOfError, type RequestMeter } from './socket-result.js';

/** What one request asks of the socket. */
export interface UdpExchange {
  payload: Buffer;
  framing: FramingSpec;
  /** Bounds the connect step (a DNS lookup when the host is a name). */
  connectTimeoutMs: number;
  returnTimeoutMs: number;
  /** Close the socket after the reply (header `keep_alive: false`). */
  keepAlive: boolean;
  keepBody: boolean;
  url: string;
}

type Phase = 'idle' | 'connect' | 'response';

/** A per-user connected UDP socket; `request` never rejects. */
export class UdpEndpointSocket implements Abortable {
  private readonly socket: dgram.Socket;
  private connected = false;
  private closed = false;
  private readonly framer = new ResponseFramer();
  private phase: Phase = 'idle';
  private exchange: UdpExchange | undefined;
  private meter: RequestMeter = { startUs: 0, sentBytes: 0, recBytes: 0 };
  private resolve: ((result: RequestResult) => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly endpoint: Endpoint,
    private readonly signal: AbortSignal,
    private readonly onClosed: (socket: UdpEndpointSocket) => void,
  ) {
    this.socket = dgram.createSocket(net.isIPv6(endpoint.host) ? 'udp6' : 'udp4');
    this.socket.on('message', this.onMessage);
    this.socket.on('error', this.onError);
    watchAbort(signal, this);
  }

  /** True once closed; the owner then opens a new socket. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends the payload as one datagram and waits for the framed reply. */
  request(exchange: UdpExchange): Promise<RequestResult> {
    this.exchange = exchange;
    this.meter = { startUs: nowUs(), sentBytes: 0, recBytes: 0 };
    return new Promise<RequestResult>((resolve) => {
      this.resolve = resolve;
      if (this.connected) {
        this.send();
        return;
      }
      this.phase = 'connect';
      this.timer = setTimeout(this.onTimer, exchange.connectTimeoutMs);
      this.socket.connect(this.endpoint.port, this.endpoint.host, this.onConnect);
    });
  }

  /** Closes the socket. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    unwatchAbort(this.signal, this);
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.socket.close();
    this.onClosed(this);
  }

  private send(): void {
    const exchange = this.exchange as UdpExchange;
    this.phase = 'response';
    // Without an end check the reply is the first datagram after sending; older ones are dropped.
    if (exchange.framing.kind === 'chunk') this.framer.discard();
    this.timer = setTimeout(this.onTimer, exchange.returnTimeoutMs);
    this.socket.send(exchange.payload, this.onSent);
    this.meter.sentBytes = exchange.payload.length;
    if (exchange.framing.kind !== 'chunk') this.deliver();
  }

  private deliver(): void {
    const exchange = this.exchange as UdpExchange;
    const reply = this.framer.take(exchange.framing);
    if (reply === undefined) return;
    this.meter.recBytes = reply.length;
    this.finish('success', exchange.keepBody ? reply : undefined, undefined);
    if (!exchange.keepAlive) this.close();
  }

  private finish(outcome: Outcome, body: Buffer | undefined, error: string | undefined): void {
    const resolve = this.resolve;
    const exchange = this.exchange;
    if (resolve === undefined || exchange === undefined) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.resolve = undefined;
    this.phase = 'idle';
    resolve(finishResult(this.meter, outcome, exchange.url, body, error));
  }

  private fail(outcome: Outcome, error: string): void {
    this.finish(outcome, undefined, error);
    this.close();
  }

  private readonly onConnect = (error?: Error): void => {
    if (this.phase !== 'connect') return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (error) {
      this.fail(outcomeOfError(error), describeError(error));
      return;
    }
    this.connected = true;
    this.send();
  };

  private readonly onSent = (error: Error | null): void => {
    if (error && this.phase === 'response') {
      this.meter.sentBytes = 0;
      this.fail(outcomeOfError(error), describeError(error));
    }
  };

  private readonly onMessage = (datagram: Buffer): void => {
    this.framer.push(datagram);
    if (this.phase === 'response') this.deliver();
  };

  private readonly onError = (error: Error): void => {
    // On a connected socket an ICMP "port unreachable" arrives here as ECONNREFUSED.
    if (this.phase !== 'idle') this.fail(outcomeOfError(error), describeError(error));
  };

  private readonly onTimer = (): void => {
    this.timer = undefined;
    const exchange = this.exchange as UdpExchange;
    if (this.phase === 'connect') this.fail('timeout', `connect (address lookup) timeout after ${exchange.connectTimeoutMs} ms`);
    else if (this.phase === 'response') this.fail('timeout', `no complete reply within ${exchange.returnTimeoutMs} ms`);
  };

  /** Ends the step in progress and closes: the run is stopping. */
  abortNow(): void {
    this.fail('othersFailed', 'aborted');
  }
}

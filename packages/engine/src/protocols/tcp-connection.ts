/**
 * One virtual user's TCP connection to one endpoint: connects on first use, sends a payload, and
 * reads one framed response per request. Bytes past the end of a response stay buffered for the
 * next request (ResponseFramer). After a timeout or a broken response the connection is closed,
 * because what the peer sends next can no longer be attributed to a request.
 */
import net from 'node:net';
import type { Outcome } from '@perftest/model';
import { unwatchAbort, watchAbort, type Abortable } from './abort-fanout.js';
import type { RequestResult } from './driver.js';
import { ResponseFramer, type FramingSpec } from './framing.js';
import type { Endpoint } from './packet-fields.js';
import { describeError, finishResult, nowUs, outcomeOfError, type RequestMeter } from './socket-result.js';

/** What one request asks of the connection. */
export interface TcpExchange {
  payload: Buffer;
  framing: FramingSpec;
  connectTimeoutMs: number;
  returnTimeoutMs: number;
  /** Close the connection after the response (header `keep_alive: false`). */
  keepAlive: boolean;
  keepBody: boolean;
  url: string;
}

type Phase = 'idle' | 'connect' | 'response';

/** A per-user TCP connection; `request` never rejects. */
export class TcpConnection implements Abortable {
  private socket: net.Socket | undefined;
  private connected = false;
  private closed = false;
  private readonly framer = new ResponseFramer();
  private phase: Phase = 'idle';
  private exchange: TcpExchange | undefined;
  private meter: RequestMeter = { startUs: 0, sentBytes: 0, recBytes: 0 };
  private resolve: ((result: RequestResult) => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly endpoint: Endpoint,
    private readonly signal: AbortSignal,
    private readonly onClosed: (connection: TcpConnection) => void,
  ) {
    watchAbort(signal, this);
  }

  /** True once the connection is closed or broken; the owner then opens a new one. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends the exchange's payload (connecting first when needed) and waits for its framed response. */
  request(exchange: TcpExchange): Promise<RequestResult> {
    this.exchange = exchange;
    this.meter = { startUs: nowUs(), sentBytes: 0, recBytes: 0 };
    return new Promise<RequestResult>((resolve) => {
      this.resolve = resolve;
      if (this.connected) this.send();
      else this.connect();
    });
  }

  /** Closes the connection: gracefully (FIN) by default, at once when `destroy` is set. */
  close(destroy = false): void {
    if (this.closed) return;
    this.closed = true;
    unwatchAbort(this.signal, this);
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (destroy) this.socket?.destroy();
    else this.socket?.end();
    this.onClosed(this);
  }

  private connect(): void {
    const exchange = this.exchange as TcpExchange;
    this.phase = 'connect';
    const socket = net.connect({ host: this.endpoint.host, port: this.endpoint.port, noDelay: true });
    this.socket = socket;
    socket.on('connect', this.onConnect);
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('error', this.onError);
    socket.on('close', this.onSocketClose);
    this.timer = setTimeout(this.onTimer, exchange.connectTimeoutMs);
  }

  private send(): void {
    const exchange = this.exchange as TcpExchange;
    this.phase = 'response';
    // Without an end check the response is the first chunk read after sending: older bytes answered
    // nothing this request asked and are dropped.
    if (exchange.framing.kind === 'chunk') this.framer.discard();
    (this.socket as net.Socket).write(exchange.payload);
    this.meter.sentBytes = exchange.payload.length;
    this.timer = setTimeout(this.onTimer, exchange.returnTimeoutMs);
    if (exchange.framing.kind !== 'chunk') this.deliver();
  }

  /** Completes the request when the buffered bytes hold a whole response. */
  private deliver(): void {
    const exchange = this.exchange as TcpExchange;
    const response = this.framer.take(exchange.framing);
    if (response === undefined) return;
    this.meter.recBytes = response.length;
    this.finish('success', exchange.keepBody ? response : undefined, undefined);
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

  /** Fails the request in progress and drops the connection. */
  private fail(outcome: Outcome, error: string): void {
    this.finish(outcome, undefined, error);
    this.close(true);
  }

  private readonly onConnect = (): void => {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.connected = true;
    if (this.phase === 'connect') this.send();
  };

  private readonly onData = (chunk: Buffer): void => {
    this.framer.push(chunk);
    if (this.phase === 'response') this.deliver();
  };

  private readonly onEnd = (): void => {
    if (this.phase === 'response') this.fail('parsedFailed', 'connection closed by the peer before the response was complete');
    else this.close(true);
  };

  private readonly onError = (error: Error): void => {
    if (this.phase === 'connect') this.fail(outcomeOfError(error), describeError(error));
    else if (this.phase === 'response') this.fail('parsedFailed', `connection broken before the response was complete: ${describeError(error)}`);
    else this.close(true);
  };

  private readonly onSocketClose = (): void => {
    if (this.phase !== 'idle') this.fail('parsedFailed', 'connection closed before the response was complete');
    else this.close(true);
  };

  private readonly onTimer = (): void => {
    this.timer = undefined;
    const exchange = this.exchange as TcpExchange;
    if (this.phase === 'connect') this.fail('timeout', `connect timeout after ${exchange.connectTimeoutMs} ms`);
    else if (this.phase === 'response') this.fail('timeout', `no complete response within ${exchange.returnTimeoutMs} ms`);
  };

  /** Ends the step in progress and closes: the run is stopping. */
  abortNow(): void {
    this.fail('othersFailed', 'aborted');
  }
}

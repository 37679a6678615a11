/**
 * What a user's TCP connection and UDP socket share: one request at a time, its payload sent and its
 * response framed from the bytes that come back (ResponseFramer; bytes past a response stay for the
 * next one), a connect step then a response step, each bounded by its timeout, and the result built
 * once. A subclass opens, writes to and closes its own transport and reports its events here.
 */
import type { Outcome } from '@perftest/model';
import { unwatchAbort, watchAbort, type Abortable } from '../abort-fanout.js';
import type { RequestResult } from '../driver.js';
import { ResponseFramer, type FramingSpec } from './framing.js';
import type { Endpoint } from '../packet-fields.js';
import { finishResult, startMeter, type RequestMeter } from './socket-result.js';

/** What one request asks of the connection or socket. */
export interface SocketExchange {
  payload: Buffer;
  framing: FramingSpec;
  /** Bounds the connect step (for UDP, a DNS lookup when the host is a name). */
  connectTimeoutMs: number;
  returnTimeoutMs: number;
  /** Close the connection or socket after the response (header `keep_alive: false`). */
  keepAlive: boolean;
  keepBody: boolean;
  url: string;
}

type Phase = 'idle' | 'connect' | 'response';

/** A per-user channel to one endpoint; `request` never rejects. */
export abstract class FramedChannel implements Abortable {
  protected connected = false;
  protected phase: Phase = 'idle';
  protected exchange: SocketExchange | undefined;
  protected meter: RequestMeter = { startUs: 0, sentBytes: 0, recBytes: 0 };
  protected timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly framer = new ResponseFramer();
  private resolve: ((result: RequestResult) => void) | undefined;

  /**
   * @param connectStep names the connect step in its timeout message
   * @param responseNoun names what comes back in the response timeout message
   */
  constructor(
    readonly endpoint: Endpoint,
    private readonly signal: AbortSignal,
    private readonly connectStep: string,
    private readonly responseNoun: string,
  ) {
    watchAbort(signal, this);
  }

  /** True once closed or broken; the owner then opens a new one. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends the exchange's payload (connecting first when needed) and waits for its framed response. */
  request(exchange: SocketExchange): Promise<RequestResult> {
    this.exchange = exchange;
    this.meter = startMeter();
    return new Promise<RequestResult>((resolve) => {
      this.resolve = resolve;
      if (this.connected) this.send();
      else this.connect();
    });
  }

  /** Closes: gracefully by default, at once when `destroy` is set (where the transport tells them apart). */
  close(destroy = false): void {
    if (this.closed) return;
    this.closed = true;
    unwatchAbort(this.signal, this);
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.release(destroy);
  }

  /** Ends the step in progress and closes: the run is stopping. */
  abortNow(): void {
    this.fail('othersFailed', 'aborted');
  }

  /** Starts the connect step (phase, timer, transport). */
  protected abstract connect(): void;

  /** Writes the payload, counts it as sent and starts the response timer, in the transport's order. */
  protected abstract transmit(exchange: SocketExchange): void;

  /** Closes the transport and tells the owner. */
  protected abstract release(destroy: boolean): void;

  /** Starts the response step. */
  protected send(): void {
    const exchange = this.exchange as SocketExchange;
    this.phase = 'response';
    // Without an end check the response is the first chunk or datagram read after sending: older
    // bytes answered nothing this request asked and are dropped.
    if (exchange.framing.kind === 'chunk') this.framer.discard();
    this.transmit(exchange);
    if (exchange.framing.kind !== 'chunk') this.deliver();
  }

  /** Completes the request when the buffered bytes hold a whole response. */
  private deliver(): void {
    const exchange = this.exchange as SocketExchange;
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

  /** Fails the request in progress and drops the channel at once. */
  protected fail(outcome: Outcome, error: string): void {
    this.finish(outcome, undefined, error);
    this.close(true);
  }

  /** Takes bytes read from the transport. */
  protected readonly onData = (chunk: Buffer): void => {
    this.framer.push(chunk);
    if (this.phase === 'response') this.deliver();
  };

  protected readonly onTimer = (): void => {
    this.timer = undefined;
    const exchange = this.exchange as SocketExchange;
    if (this.phase === 'connect') this.fail('timeout', `${this.connectStep} timeout after ${exchange.connectTimeoutMs} ms`);
    else if (this.phase === 'response') this.fail('timeout', `no complete ${this.responseNoun} within ${exchange.returnTimeoutMs} ms`);
  };
}

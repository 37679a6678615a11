/**
 * One virtual user's TCP connection to one endpoint: connects on first use, sends a payload, and
 * reads one framed response per request. Bytes past the end of a response stay buffered for the
 * next request (ResponseFramer). After a timeout or a broken response the connection is closed,
 * because what the peer sends next can no longer be attributed to a request.
 */
import type net from 'node:net';
import { connectTcp } from '../../net/connect.js';
import type { TargetPolicy } from '../../net/target-policy.js';
import { FramedChannel, type SocketExchange } from './framed-channel.js';
import type { Endpoint } from '../packet-fields.js';
import { describeError, outcomeOfError } from './socket-result.js';

/** A per-user TCP connection; `request` never rejects. */
export class TcpConnection extends FramedChannel {
  private socket: net.Socket | undefined;

  constructor(
    endpoint: Endpoint,
    signal: AbortSignal,
    private readonly onClosed: (connection: TcpConnection) => void,
    private readonly policy: TargetPolicy,
  ) {
    super(endpoint, signal, 'connect', 'response');
  }

  protected connect(): void {
    const exchange = this.exchange as SocketExchange;
    this.phase = 'connect';
    const socket = connectTcp(this.policy, { host: this.endpoint.host, port: this.endpoint.port, noDelay: true });
    this.socket = socket;
    socket.on('connect', this.onConnect);
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('error', this.onError);
    socket.on('close', this.onSocketClose);
    this.timer = setTimeout(this.onTimer, exchange.connectTimeoutMs);
  }

  protected transmit(exchange: SocketExchange): void {
    (this.socket as net.Socket).write(exchange.payload);
    this.meter.sentBytes = exchange.payload.length;
    this.timer = setTimeout(this.onTimer, exchange.returnTimeoutMs);
  }

  /** Ends the socket (FIN), or destroys it at once. */
  protected release(destroy: boolean): void {
    if (destroy) this.socket?.destroy();
    else this.socket?.end();
    this.onClosed(this);
  }

  private readonly onConnect = (): void => {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.connected = true;
    if (this.phase === 'connect') this.send();
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
}

/**
 * One virtual user's UDP socket to one endpoint. The socket is connected (so that an ICMP "port
 * unreachable" reply surfaces as ECONNREFUSED), sends one datagram per request and frames the reply
 * from the datagrams that come back, as TCP does. A lost reply ends in a timeout; after any failure
 * the socket is closed so that late datagrams cannot answer the next request.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { TargetPolicy } from '../../net/target-policy.js';
import { FramedChannel, type SocketExchange } from './framed-channel.js';
import type { Endpoint } from '../packet-fields.js';
import { describeError, outcomeOfError } from './socket-result.js';

/** A per-user connected UDP socket; `request` never rejects. */
export class UdpEndpointSocket extends FramedChannel {
  private readonly socket: dgram.Socket;

  constructor(
    endpoint: Endpoint,
    signal: AbortSignal,
    private readonly onClosed: (socket: UdpEndpointSocket) => void,
    policy: TargetPolicy,
  ) {
    super(endpoint, signal, 'connect (address lookup)', 'reply');
    // dgram looks every address up, literals included: the policy's lookup checks each one.
    this.socket = dgram.createSocket({
      type: net.isIPv6(endpoint.host) ? 'udp6' : 'udp4',
      lookup: policy.lookupFor(endpoint.port) as dgram.SocketOptions['lookup'],
    });
    this.socket.on('message', this.onData);
    this.socket.on('error', this.onError);
  }

  protected connect(): void {
    const exchange = this.exchange as SocketExchange;
    this.phase = 'connect';
    this.timer = setTimeout(this.onTimer, exchange.connectTimeoutMs);
    this.socket.connect(this.endpoint.port, this.endpoint.host, this.onConnect);
  }

  protected transmit(exchange: SocketExchange): void {
    this.timer = setTimeout(this.onTimer, exchange.returnTimeoutMs);
    this.socket.send(exchange.payload, this.onSent);
    this.meter.sentBytes = exchange.payload.length;
  }

  /** Closes the socket (a datagram socket has no graceful close). */
  protected release(): void {
    this.socket.close();
    this.onClosed(this);
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

  private readonly onError = (error: Error): void => {
    // On a connected socket an ICMP "port unreachable" arrives here as ECONNREFUSED.
    if (this.phase !== 'idle') this.fail(outcomeOfError(error), describeError(error));
  };
}

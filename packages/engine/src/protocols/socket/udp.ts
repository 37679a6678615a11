/**
 * The UDP driver (`protocol_type` 4). A packet is `url` udp://host:port and a body sent as one
 * datagram (UTF-8 text, or bytes with the header `encoding: hex`). The reply is framed as for TCP:
 * `check_end_type` 1 (length) and 2 (end marker) may span several datagrams; without an end check the
 * reply is the first datagram. There is no connect phase on the wire; `connect_timeout` bounds the
 * address lookup. A reply that never comes is a timeout after `return_timeout`; an ICMP "port
 * unreachable" is refusedFailed. Each user keeps one socket per endpoint (`keep_alive: false` closes
 * it after each reply). sentBytes/recBytes are UDP payload bytes.
 */
import type { EngineOptions, ProtocolDriver } from '../driver.js';
import { createSocketDriver } from './socket-driver.js';
import { UdpEndpointSocket } from './udp-socket.js';

/** Creates the UDP driver. */
export function createUdpDriver(options: EngineOptions): ProtocolDriver {
  const policy = options.targetPolicy;
  return createSocketDriver('udp', 'udp', (endpoint, signal, onClosed) => new UdpEndpointSocket(endpoint, signal, onClosed, policy));
}

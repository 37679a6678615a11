/**
 * The TCP driver (`protocol_type` 3). A packet is `url` tcp://host:port and a body sent as UTF-8
 * text, or as bytes when the header `encoding: hex` is given. The response ends per `check_end_type`
 * (framing.ts). Each virtual user keeps one connection per endpoint across requests; the header
 * `keep_alive: false` closes it after each response instead (the reference's `connect_type` is
 * "unused" and is ignored). RT runs from the start of the request (including the connect when one is
 * needed) to the end of the response; sentBytes/recBytes are TCP payload bytes of the request and of
 * its response.
 */
import type { EngineOptions, ProtocolDriver } from '../driver.js';
import { createSocketDriver } from './socket-driver.js';
import { TcpConnection } from './tcp-connection.js';

/** Creates the TCP driver. */
export function createTcpDriver(options: EngineOptions): ProtocolDriver {
  const policy = options.targetPolicy;
  return createSocketDriver('tcp', 'tcp', (endpoint, signal, onClosed) => new TcpConnection(endpoint, signal, onClosed, policy));
}

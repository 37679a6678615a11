/**
 * The compiled form of a TCP or UDP packet (`protocol_type` 3 and 4), which share their fields:
 * `url` scheme://host:port, body (text or hex), `connect_timeout`, `return_timeout`, the end check
 * (`check_end_type`, `check_end_length`, `check_end_str`) and the header `keep_alive`.
 */
import type { ContentInfo } from '@perftest/model';
import type { PrepareContext, Template, VariableScope } from '../driver.js';
import { readFramingSpec, type FramingSpec } from './framing.js';
import {
  SOCKET_TIMEOUT,
  bodyText,
  booleanHeader,
  headerMap,
  parseEndpoint,
  timeoutField,
  type Endpoint,
} from '../packet-fields.js';
import { Payload, isHexEncoding } from '../payload.js';

/** Resolves a packet's URL to an endpoint: once when constant, else per execution (last one cached). */
export class EndpointResolver {
  private readonly fixed: Endpoint | undefined;
  private lastUrl = '';
  private lastEndpoint: Endpoint | string = '';

  constructor(
    private readonly template: Template,
    private readonly scheme: string,
    text: string,
    ctx: PrepareContext,
  ) {
    if (template.constant) {
      const parsed = parseEndpoint(text, scheme);
      if (typeof parsed === 'string') ctx.problems.push({ path: `${ctx.path}.url`, message: parsed });
      else this.fixed = parsed;
    }
  }

  /** The URL as rendered for `vars`. */
  url(vars: VariableScope): string {
    return this.template.render(vars);
  }

  /** The endpoint of a rendered URL, or why it is invalid. */
  resolve(url: string): Endpoint | string {
    if (this.fixed !== undefined) return this.fixed;
    if (url !== this.lastUrl) {
      this.lastUrl = url;
      this.lastEndpoint = parseEndpoint(url, this.scheme);
    }
    return this.lastEndpoint;
  }
}

/** Everything a TCP or UDP execution needs, compiled once. */
export interface SocketPacket {
  readonly name: string;
  readonly method: string;
  readonly url: string;
  readonly endpoint: EndpointResolver;
  readonly payload: Payload;
  readonly framing: FramingSpec;
  readonly connectTimeoutMs: number;
  readonly returnTimeoutMs: number;
  /** Keep the connection (TCP) or socket (UDP) for the user's next request; header `keep_alive`. */
  readonly keepAlive: boolean;
}

/** Compiles a TCP (`scheme` tcp) or UDP (`scheme` udp) packet; problems go to `ctx.problems`. */
export function compileSocketPacket(packet: ContentInfo, scheme: 'tcp' | 'udp', ctx: PrepareContext): SocketPacket {
  const headers = headerMap(packet);
  const hex = isHexEncoding(headers, ctx);
  const url = packet.url ?? '';
  if (url === '') ctx.problems.push({ path: `${ctx.path}.url`, message: `url is required (${scheme}://host:port)` });
  return {
    name: packet.name ?? url,
    method: packet.method ?? scheme.toUpperCase(),
    url,
    endpoint: new EndpointResolver(ctx.template(url), scheme, url, ctx),
    payload: Payload.compile(bodyText(packet), hex, ctx),
    framing: readFramingSpec(packet, hex, ctx),
    connectTimeoutMs: timeoutField(packet, 'connect_timeout', SOCKET_TIMEOUT, ctx),
    returnTimeoutMs: timeoutField(packet, 'return_timeout', SOCKET_TIMEOUT, ctx),
    keepAlive: booleanHeader(headers, 'keep_alive', true, ctx),
  };
}

/**
 * The explicit map from a packet to its protocol driver. Each driver lives in its own file and is
 * added to DRIVER_FACTORIES below, once; `createDrivers` refuses a name registered twice.
 */
import type { ContentInfo } from '@perftest/model';
import { ProtocolType } from '@perftest/model';
import type { EngineOptions, ProtocolDriver } from './driver.js';
import { createFlvDriver } from './media/flv.js';
import { createHlsDriver } from './media/hls.js';
import { createHttpDriver } from './http/http.js';
import { createMqttDriver } from './messaging/mqtt.js';
import { createRtmpDriver } from './media/rtmp.js';
import { createTcpDriver } from './socket/tcp.js';
import { createUdpDriver } from './socket/udp.js';
import { createWebSocketDriver } from './messaging/websocket.js';

/** Names of the drivers, one per protocol file. */
export type DriverName = 'http' | 'tcp' | 'udp' | 'websocket' | 'mqtt' | 'hls' | 'flv' | 'rtmp';

/** Creates one driver instance for a compiled case (run-wide pools live in it). */
export type DriverFactory = (options: EngineOptions) => ProtocolDriver;

/** Every available driver. Add a line when a protocol file lands. */
const DRIVER_FACTORIES: ReadonlyArray<readonly [DriverName, DriverFactory]> = [
  ['http', createHttpDriver],
  ['tcp', createTcpDriver],
  ['udp', createUdpDriver],
  ['websocket', createWebSocketDriver],
  ['mqtt', createMqttDriver],
  ['hls', createHlsDriver],
  ['flv', createFlvDriver],
  ['rtmp', createRtmpDriver],
];

/** Which driver serves a packet, from its `protocol_type` (7 splits into RTMP and HLS by `rtmp_url`). */
export function driverNameFor(packet: ContentInfo): DriverName | undefined {
  switch (packet.protocol_type ?? ProtocolType.Http) {
    case ProtocolType.Http:
    case ProtocolType.Https:
      return 'http';
    case ProtocolType.Tcp:
      return 'tcp';
    case ProtocolType.Udp:
      return 'udp';
    case ProtocolType.HlsRtmp:
      return packet.rtmp_url ? 'rtmp' : 'hls';
    case ProtocolType.WebSocket:
      return 'websocket';
    case ProtocolType.HttpFlv:
      return 'flv';
    case ProtocolType.Mqtt:
      return 'mqtt';
    default:
      return undefined;
  }
}

/** The drivers of one compiled case, created lazily so that unused protocols cost nothing. */
export class DriverSet {
  private readonly factories = new Map<DriverName, DriverFactory>();
  private readonly instances = new Map<DriverName, ProtocolDriver>();

  constructor(
    private readonly options: EngineOptions,
    factories: ReadonlyArray<readonly [DriverName, DriverFactory]> = DRIVER_FACTORIES,
  ) {
    for (const [name, factory] of factories) {
      if (this.factories.has(name)) throw new Error(`protocol driver ${name} is registered twice`);
      this.factories.set(name, factory);
    }
  }

  /** The driver for a packet, or undefined when its protocol has no driver. */
  for(packet: ContentInfo): ProtocolDriver | undefined {
    const name = driverNameFor(packet);
    if (name === undefined) return undefined;
    let driver = this.instances.get(name);
    if (driver === undefined) {
      const factory = this.factories.get(name);
      if (factory === undefined) return undefined;
      driver = factory(this.options);
      this.instances.set(name, driver);
    }
    return driver;
  }

  /** Every driver created so far. */
  get active(): Iterable<ProtocolDriver> {
    return this.instances.values();
  }

  /** Closes every driver created so far. */
  async close(): Promise<void> {
    await Promise.all([...this.instances.values()].map((d) => d.close?.()));
    this.instances.clear();
  }
}

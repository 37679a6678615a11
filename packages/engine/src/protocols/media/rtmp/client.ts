/**
 * A minimal RTMP client that plays one stream inside a PlaySession: TCP connect, handshake, connect
 * command, createStream, play, then audio/video messages until the session is over. It answers what
 * the server asks of a client: Set Chunk Size, Window Acknowledgement Size (acknowledgements),
 * Set Peer Bandwidth, and ping requests. Every phase waits at most `return_timeout` for its answer;
 * while playing, media must keep arriving within it. Failures are recorded on the session with the
 * StreamingMediaReport cause of the phase they happened in; nothing is thrown.
 */
import type { Socket } from 'node:net';
import { connectTcp } from '../../../net/connect.js';
import type { TargetPolicy } from '../../../net/target-policy.js';
import { Amf0Error } from './amf0.js';
import { ChunkReader, ChunkStreamError, ChunkWriter, type RtmpMessage } from './chunk-stream.js';
import { ClientHandshake, HandshakeError } from './handshake.js';
import {
  connectCommand,
  createStreamCommand,
  CSID_COMMAND,
  CSID_CONTROL,
  CSID_STREAM,
  decodeCommand,
  deleteStreamCommand,
  EVENT,
  infoOf,
  MSG,
  playCommand,
  u32Body,
  userControlBody,
  type Command,
} from './messages.js';
import type { RtmpTarget } from './url.js';
import { videoKind, VIDEO_CONFIG, VIDEO_KEY_FRAME } from '../flv-parser.js';
import { describeError } from '../../socket/socket-result.js';
import type { PlaySession, StreamFailure } from '../stream-session.js';

/** Where the client is; each phase has its failure cause. */
type Phase = 'tcp' | 'handshake' | 'connect' | 'createStream' | 'play' | 'playing';

const PHASE_CAUSE: Record<Phase, StreamFailure> = {
  tcp: 'tcpConnectFailed',
  handshake: 'handShakeFailed',
  connect: 'rtmpConnectFailed',
  createStream: 'createStreamFailed',
  play: 'playFailed',
  playing: 'playFailed',
};

/** The chunk size this client announces for what it sends. */
const OUT_CHUNK_SIZE = 4096;
/** Buffer length announced with play (ms). */
const BUFFER_MS = 3000;
/** How long a closing socket may take to flush before it is destroyed. */
const CLOSE_GRACE_MS = 500;

/** Timeouts of one play. */
export interface RtmpPlayOptions {
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  targetPolicy: TargetPolicy;
}

/** Plays one stream; `run` resolves when the socket is closed and the session is over. */
export class RtmpPlayer {
  phase: Phase = 'tcp';
  /** Acknowledgements sent, ping requests answered, data (metadata) messages read. */
  acksSent = 0;
  pingResponses = 0;
  dataMessages = 0;
  private socket: Socket | undefined;
  private readonly handshake = new ClientHandshake();
  private readonly reader = new ChunkReader((m) => this.onMessage(m));
  private readonly writer = new ChunkWriter();
  private received = 0;
  private lastAck = 0;
  private ackWindow = 0;
  private announcedWindow = -1;
  private streamId = 0;
  private connectTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly play: PlaySession,
    private readonly target: RtmpTarget,
    private readonly opts: RtmpPlayOptions,
  ) {}

  /** Connects and plays until the session is over. */
  run(): Promise<void> {
    return new Promise((resolve) => {
      if (this.play.over) return resolve();
      const socket = connectTcp(this.opts.targetPolicy, { host: this.target.host, port: this.target.port });
      this.socket = socket;
      socket.setNoDelay(true);
      this.connectTimer = setTimeout(
        () => this.play.fail('timeout', 'tcpConnectFailed', `connect to ${this.target.host}:${this.target.port} timed out after ${this.opts.connectTimeoutMs} ms`),
        this.opts.connectTimeoutMs,
      );
      const stop = () => this.stop();
      this.play.signal.addEventListener('abort', stop, { once: true });
      socket.once('connect', () => this.onConnect());
      socket.on('data', (d: Buffer) => this.onData(d));
      socket.on('error', (e) => this.onError(e));
      socket.once('close', () => {
        clearTimeout(this.connectTimer);
        clearTimeout(this.idleTimer);
        this.play.signal.removeEventListener('abort', stop);
        if (!this.play.over) this.play.fail('othersFailed', PHASE_CAUSE[this.phase], `server closed the connection during ${this.phase}`);
        resolve();
      });
    });
  }

  private onConnect(): void {
    clearTimeout(this.connectTimer);
    if (this.play.over) return;
    this.phase = 'handshake';
    this.idleTimer = setTimeout(() => this.onIdle(), this.opts.idleTimeoutMs);
    this.write(this.handshake.c0c1);
  }

  private onIdle(): void {
    const what = this.phase === 'playing' ? 'no media' : `no answer during ${this.phase}`;
    this.play.fail('timeout', PHASE_CAUSE[this.phase], `${what} for ${this.opts.idleTimeoutMs} ms`);
  }

  private onError(error: Error): void {
    const code = (error as { code?: unknown }).code;
    if (this.phase === 'tcp' && code === 'ECONNREFUSED') this.play.fail('refusedFailed', 'tcpConnectFailed', describeError(error));
    else this.play.fail('othersFailed', PHASE_CAUSE[this.phase], describeError(error));
  }

  /** Leaves the stream and closes the socket (the session is over). */
  private stop(): void {
    clearTimeout(this.connectTimer);
    clearTimeout(this.idleTimer);
    const socket = this.socket;
    if (socket === undefined || socket.destroyed) return;
    if (this.phase === 'tcp' || this.phase === 'handshake' || !socket.writable) {
      socket.destroy();
      return;
    }
    if (this.streamId > 0) this.send(CSID_COMMAND, MSG.CommandAmf0, 0, deleteStreamCommand(this.streamId));
    socket.destroySoon();
    setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  private write(bytes: Buffer): void {
    this.play.sentBytes += bytes.length;
    this.socket!.write(bytes);
  }

  private send(csid: number, type: number, streamId: number, payload: Buffer): void {
    this.play.sendPackets++;
    this.write(this.writer.encode({ csid, type, streamId, timestamp: 0, payload }));
  }

  /** Moves to the next phase and gives it a full `return_timeout`. */
  private enter(phase: Phase): void {
    this.phase = phase;
    this.idleTimer?.refresh();
  }

  private onData(data: Buffer): void {
    if (this.play.over) return;
    this.play.recBytes += data.length;
    this.received += data.length;
    try {
      if (this.phase === 'handshake') {
        const step = this.handshake.push(data);
        if (step.send !== undefined) this.write(step.send);
        if (!step.done) return;
        this.enter('connect');
        this.send(CSID_CONTROL, MSG.SetChunkSize, 0, u32Body(OUT_CHUNK_SIZE));
        this.writer.chunkSize = OUT_CHUNK_SIZE;
        this.send(CSID_COMMAND, MSG.CommandAmf0, 0, connectCommand(this.target.app, this.target.tcUrl));
        if (step.rest !== undefined) this.reader.push(step.rest);
      } else {
        this.reader.push(data);
      }
    } catch (error) {
      if (error instanceof HandshakeError || error instanceof ChunkStreamError || error instanceof Amf0Error) {
        this.play.fail('parsedFailed', PHASE_CAUSE[this.phase], error.message);
      } else {
        this.play.fail('othersFailed', 'unknownFailed', describeError(error));
      }
      return;
    }
    if (this.ackWindow > 0 && this.received - this.lastAck >= this.ackWindow && !this.play.over) {
      this.lastAck = this.received;
      this.acksSent++;
      this.send(CSID_CONTROL, MSG.Acknowledgement, 0, u32Body(this.received));
    }
  }

  private onMessage(m: RtmpMessage): void {
    if (this.play.over) return;
    const p = m.payload;
    switch (m.type) {
      case MSG.WindowAckSize:
        if (p.length >= 4) this.ackWindow = p.readUInt32BE(0);
        return;
      case MSG.SetPeerBandwidth:
        if (p.length >= 4 && p.readUInt32BE(0) !== this.announcedWindow) {
          this.announcedWindow = p.readUInt32BE(0);
          this.send(CSID_CONTROL, MSG.WindowAckSize, 0, u32Body(this.announcedWindow));
        }
        return;
      case MSG.UserControl:
        if (p.length >= 6 && p.readUInt16BE(0) === EVENT.PingRequest) {
          this.pingResponses++;
          this.send(CSID_CONTROL, MSG.UserControl, 0, userControlBody(EVENT.PingResponse, p.readUInt32BE(2)));
        }
        return;
      case MSG.CommandAmf0:
      case MSG.CommandAmf3:
        return this.onCommand(decodeCommand(m.type, p));
      case MSG.DataAmf0:
      case MSG.DataAmf3:
        this.dataMessages++;
        return;
      case MSG.Audio:
        this.media();
        this.play.audio(p.length, true);
        return;
      case MSG.Video:
        this.media();
        this.video(p, 0, p.length);
        return;
      case MSG.Aggregate:
        return this.aggregate(p);
      default:
        return; // acknowledgements from the server, shared objects: nothing to do
    }
  }

  private video(p: Buffer, start: number, size: number): void {
    const kind = size === 0 ? VIDEO_CONFIG : videoKind(p[start], size > 1 ? p[start + 1] : -1);
    this.play.video(size, true, kind !== VIDEO_CONFIG, kind === VIDEO_KEY_FRAME);
  }

  /** An aggregate message: FLV-style tags (11-byte header, body, 4-byte back pointer) back to back. */
  private aggregate(p: Buffer): void {
    let q = 0;
    while (q + 11 <= p.length) {
      const type = p[q];
      const size = p.readUIntBE(q + 1, 3);
      const body = q + 11;
      if (body + size > p.length) throw new ChunkStreamError('aggregate message sub-message overruns its body');
      this.media();
      if (type === MSG.Audio) this.play.audio(size, true);
      else if (type === MSG.Video) this.video(p, body, size);
      else if (type === MSG.DataAmf0) this.dataMessages++;
      q = body + size + 4;
    }
  }

  /** Media arrived: playing starts (if the server skipped NetStream.Play.Start) and the stall timer restarts. */
  private media(): void {
    if (this.phase === 'play') this.phase = 'playing';
    if (this.phase === 'playing') this.idleTimer?.refresh();
  }

  private onCommand(cmd: Command): void {
    const isResult = cmd.name === '_result';
    if ((isResult || cmd.name === '_error') && this.phase === 'connect' && cmd.transaction === 1) {
      if (!isResult) return this.reject('rtmpConnectFailed', 'connect', cmd);
      this.enter('createStream');
      return this.send(CSID_COMMAND, MSG.CommandAmf0, 0, createStreamCommand(2));
    }
    if ((isResult || cmd.name === '_error') && this.phase === 'createStream' && cmd.transaction === 2) {
      if (!isResult) return this.reject('createStreamFailed', 'createStream', cmd);
      const id = cmd.args.find((v) => typeof v === 'number');
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
        return this.play.fail('parsedFailed', 'createStreamFailed', 'createStream _result without a stream id');
      }
      this.streamId = id;
      this.enter('play');
      this.send(CSID_STREAM, MSG.CommandAmf0, id, playCommand(this.target.stream));
      return this.send(CSID_CONTROL, MSG.UserControl, 0, userControlBody(EVENT.SetBufferLength, id, BUFFER_MS));
    }
    if (cmd.name === 'onStatus') {
      const info = infoOf(cmd);
      if (info.level === 'error' || info.code.endsWith('.Failed') || info.code === 'NetStream.Play.StreamNotFound') {
        return this.play.fail('checkPointFailed', PHASE_CAUSE[this.phase], `${info.code}: ${info.description}`.trim());
      }
      if (info.code === 'NetStream.Play.Start' && this.phase === 'play') return this.enter('playing');
      if ((info.code === 'NetStream.Play.Stop' || info.code === 'NetStream.Play.Complete') && this.phase === 'playing') {
        const at = (this.play.elapsedUs() / 1e6).toFixed(1);
        return this.play.fail('othersFailed', 'playFailed', `server stopped the stream after ${at} s (${info.code})`);
      }
      return;
    }
    if (cmd.name === 'close') this.play.fail('othersFailed', PHASE_CAUSE[this.phase], 'server sent close');
  }

  private reject(cause: StreamFailure, what: string, cmd: Command): void {
    const info = infoOf(cmd);
    this.play.fail('checkPointFailed', cause, `${what} rejected: ${info.code} ${info.description}`.trim());
  }
}

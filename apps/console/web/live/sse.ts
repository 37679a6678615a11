/**
 * Server-sent events read with fetch() and a stream reader (EventSource cannot send X-Auth-Token).
 * On a dropped connection it reconnects after a second with Last-Event-ID, so the server resumes
 * after the last event seen; it stops on `end`, on close(), or on a 4xx answer.
 */
import { authHeaders } from '../api/client.js';

/** One event as parsed. */
export interface SseEvent {
  event: string;
  id: string | undefined;
  data: string;
}

/** Splits a text stream into events; feed it chunks, it calls `onEvent` per complete event. */
export class SseParser {
  private buffer = '';
  private event = 'message';
  private data: string[] = [];
  private id: string | undefined;
  /** The id of the last complete event that carried one. */
  lastId: string | undefined;

  constructor(private readonly onEvent: (e: SseEvent) => void) {}

  /** A line ended in CR at the end of a chunk: an LF starting the next chunk belongs to it. */
  private pendingCr = false;

  push(chunk: string): void {
    this.buffer += chunk;
    if (this.pendingCr && this.buffer.startsWith('\n')) this.buffer = this.buffer.slice(1);
    this.pendingCr = false;
    let nl: number;
    while ((nl = this.buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = this.buffer.slice(0, nl);
      const width = this.buffer.startsWith('\r\n', nl) ? 2 : 1;
      if (width === 1 && this.buffer[nl] === '\r' && nl === this.buffer.length - 1) this.pendingCr = true;
      this.buffer = this.buffer.slice(nl + width);
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length > 0) {
        if (this.id !== undefined) this.lastId = this.id;
        this.onEvent({ event: this.event, id: this.id, data: this.data.join('\n') });
      }
      this.event = 'message';
      this.data = [];
      this.id = undefined;
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id') this.id = value;
  }
}

/** A live connection; close() ends it for good. */
export interface LiveConnection {
  close(): void;
}

/** Opens `path` as an event stream and keeps it open until `end`, close() or a refusal. */
export function openEventStream(
  path: string,
  handlers: { onEvent(e: SseEvent): void; onState?(state: 'open' | 'retrying' | 'closed', detail?: string): void },
): LiveConnection {
  let closed = false;
  let controller: AbortController | undefined;
  let lastId: string | undefined;
  const run = async (): Promise<void> => {
    while (!closed) {
      controller = new AbortController();
      let ended = false;
      try {
        const headers: Record<string, string> = { Accept: 'text/event-stream', ...authHeaders() };
        if (lastId !== undefined) headers['Last-Event-ID'] = lastId;
        const res = await fetch(path, { headers, signal: controller.signal, cache: 'no-store' });
        if (res.status >= 400 && res.status < 500) {
          const text = await res.text();
          let msg = `${res.status}`;
          try {
            msg = JSON.parse(text).error_msg ?? msg;
          } catch {
            /* not JSON */
          }
          handlers.onState?.('closed', msg);
          return;
        }
        if (!res.ok || !res.body) throw new Error(`live stream answered ${res.status}`);
        handlers.onState?.('open');
        const parser = new SseParser((e) => {
          if (e.event === 'end') ended = true;
          handlers.onEvent(e);
        });
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          parser.push(value);
          if (parser.lastId !== undefined) lastId = parser.lastId;
          if (ended) break;
        }
        if (ended) {
          closed = true;
          controller.abort();
          handlers.onState?.('closed');
          return;
        }
      } catch (err) {
        if (closed) return;
        handlers.onState?.('retrying', err instanceof Error ? err.message : String(err));
      }
      if (!closed) await new Promise((r) => setTimeout(r, 1000));
    }
  };
  void run();
  return {
    close() {
      closed = true;
      controller?.abort();
    },
  };
}

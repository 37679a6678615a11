/** The event-stream parser of the live view. */
import { describe, expect, it } from 'vitest';
import { SseParser, type SseEvent } from './sse.js';

describe('SseParser', () => {
  it('parses server-sent events split anywhere, keeping the last id', () => {
    const seen: SseEvent[] = [];
    const p = new SseParser((e) => seen.push(e));
    const text = 'retry: 2000\n\n: comment\nevent: interval\nid: 5:1\ndata: {"a":\ndata: 1}\n\nevent: end\r\ndata: {}\r\n\r\n';
    for (const ch of text) p.push(ch);
    expect(seen).toEqual([{ event: 'interval', id: '5:1', data: '{"a":\n1}' }, { event: 'end', id: undefined, data: '{}' }]);
    expect(p.lastId).toBe('5:1');
  });
});

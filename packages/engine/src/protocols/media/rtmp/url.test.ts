import { describe, expect, it } from 'vitest';
import { parseRtmpUrl } from './url.js';

describe('RTMP play URLs', () => {
  it('splits host, port, application and stream', () => {
    expect(parseRtmpUrl('rtmp://127.0.0.1/live/test')).toEqual({ host: '127.0.0.1', port: 1935, app: 'live', stream: 'test', tcUrl: 'rtmp://127.0.0.1:1935/live' });
    expect(parseRtmpUrl('rtmp://media.local:19350/live/inst/cam%201?token=a%20b')).toEqual({
      host: 'media.local',
      port: 19350,
      app: 'live/inst',
      stream: 'cam 1?token=a%20b',
      tcUrl: 'rtmp://media.local:19350/live/inst',
    });
    expect(parseRtmpUrl('rtmp://[::1]:1936/a/b')).toMatchObject({ host: '::1', port: 1936, tcUrl: 'rtmp://[::1]:1936/a' });
  });

  it('explains what is wrong', () => {
    expect(parseRtmpUrl('http://h/live/s')).toBe('rtmp_url must start with rtmp://');
    expect(parseRtmpUrl('rtmp://h/live')).toBe('rtmp_url must be rtmp://host[:port]/app/stream');
    expect(parseRtmpUrl('not a url')).toMatch(/not a valid URL/);
  });
});

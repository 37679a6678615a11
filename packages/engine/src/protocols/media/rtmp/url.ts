/**
 * RTMP play URLs: `rtmp://host[:port]/app[/instance...]/stream[?query]`. The application is every
 * path segment but the last (it goes into the connect command's `app` and `tcUrl`), the stream name
 * is the last segment with the query string (servers read tokens from it).
 */

/** The default RTMP port. */
export const RTMP_PORT = 1935;

/** What a play URL names. */
export interface RtmpTarget {
  host: string;
  port: number;
  app: string;
  stream: string;
  /** `rtmp://host:port/app`, the connect command's tcUrl. */
  tcUrl: string;
}

/** Parses a play URL; returns an error message for anything else. */
export function parseRtmpUrl(text: string): RtmpTarget | string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `rtmp_url is not a valid URL: ${text}`;
  }
  if (url.protocol !== 'rtmp:') return 'rtmp_url must start with rtmp://';
  if (url.hostname === '') return 'rtmp_url has no host';
  const port = url.port === '' ? RTMP_PORT : Number(url.port);
  const segments = url.pathname.split('/').filter((s) => s !== '');
  if (segments.length < 2) return 'rtmp_url must be rtmp://host[:port]/app/stream';
  const app = segments.slice(0, -1).map(decode).join('/');
  const stream = decode(segments[segments.length - 1]) + url.search;
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return { host, port, app, stream, tcUrl: `rtmp://${url.hostname}:${port}/${app}` };
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

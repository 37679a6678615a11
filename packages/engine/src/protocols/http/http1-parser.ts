/**
 * An incremental HTTP/1.1 response parser for the lean client (http1-connection.ts): one pass over
 * each received buffer, no object per header unless the response is kept. It frames the body by
 * Content-Length, chunked transfer coding (trailers read and dropped) or the end of the connection,
 * skips 1xx interim responses, knows that HEAD, 204 and 304 responses have no body, and reports
 * whether the connection may be reused. Malformed input is an error with an `HPE_` code, an
 * oversized head one with `UND_ERR_HEADERS_OVERFLOW` (both classified parsedFailed, http-result.ts).
 */

/** What the parser reports a response to. */
export interface ResponseSink {
  /** The final status line and headers; `headers` is the flat [name, value, ...] list when kept. */
  onHead(status: number, statusText: string, headers: string[] | null, location: string | null, setCookies: string[] | null, contentEncoding: string | null): void;
  /** Body bytes `buf[start, end)` (chunk framing removed). */
  onBody(buf: Buffer, start: number, end: number): void;
}

/** A response the parser cannot read. */
export class ParseError extends Error {
  override readonly name = 'HTTPParserError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Largest status line plus headers accepted (as undici's default). */
export const MAX_HEAD_BYTES = 16 * 1024;
const MAX_CHUNK_LINE = 1024;
const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');

const enum State {
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  UntilClose,
  Done,
}

/** Lower-case ASCII compare of `text[at, at + lower.length)` with `lower`. */
function nameIs(text: string, at: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) if ((text.charCodeAt(at + i) | 0x20) !== lower.charCodeAt(i)) return false;
  return true;
}

function hasToken(value: string, token: string): boolean {
  const lower = value.toLowerCase();
  let at = lower.indexOf(token);
  while (at >= 0) {
    const before = at === 0 ? ',' : lower[at - 1];
    const after = at + token.length >= lower.length ? ',' : lower[at + token.length];
    if ((before === ',' || before === ' ' || before === '\t') && (after === ',' || after === ' ' || after === '\t')) return true;
    at = lower.indexOf(token, at + 1);
  }
  return false;
}

/** Parses the responses of one connection, one at a time. */
export class ResponseParser {
  private state = State.Done;
  private sink: ResponseSink | null = null;
  private keep = false;
  private headRequest = false;
  /** Bytes of an incomplete head (or chunk-size line) carried over from earlier buffers. */
  private pending: Buffer | null = null;
  private remaining = 0;
  private chunkLine = 0;
  private sawCR = false;
  private lineEmpty = true;
  /** After the response: may the connection carry another request. */
  keepAlive = true;
  /** Set while a response is being read and its headers came. */
  headersSeen = false;

  /** Starts reading the response to a request (`headRequest`: a HEAD, whose response has no body). */
  begin(sink: ResponseSink, keep: boolean, headRequest: boolean): void {
    this.sink = sink;
    this.keep = keep;
    this.headRequest = headRequest;
    this.state = State.Head;
    this.pending = null;
    this.keepAlive = true;
    this.headersSeen = false;
  }

  /** True while nothing of the response has been received. */
  get untouched(): boolean {
    return this.state === State.Head && this.pending === null && !this.headersSeen;
  }

  /** True once the response is complete. */
  get done(): boolean {
    return this.state === State.Done;
  }

  /**
   * Reads `buf` from `offset`; returns where the response ended in it (the buffer's length when it
   * needs more). Throws a ParseError for a malformed response.
   */
  execute(buf: Buffer, offset = 0): number {
    let at = offset;
    const end = buf.length;
    while (at < end) {
      switch (this.state) {
        case State.Head: {
          at = this.head(buf, at);
          break;
        }
        case State.Length: {
          const n = Math.min(this.remaining, end - at);
          (this.sink as ResponseSink).onBody(buf, at, at + n);
          at += n;
          this.remaining -= n;
          if (this.remaining === 0) this.state = State.Done;
          break;
        }
        case State.UntilClose:
          (this.sink as ResponseSink).onBody(buf, at, end);
          at = end;
          break;
        case State.ChunkSize:
          at = this.chunkSize(buf, at);
          break;
        case State.ChunkData: {
          const n = Math.min(this.remaining, end - at);
          (this.sink as ResponseSink).onBody(buf, at, at + n);
          at += n;
          this.remaining -= n;
          if (this.remaining === 0) {
            this.state = State.ChunkDataEnd;
            this.sawCR = false;
          }
          break;
        }
        case State.ChunkDataEnd: {
          const c = buf[at++];
          if (!this.sawCR) {
            if (c !== 13) throw new ParseError('HPE_STRICT', 'chunk data not followed by CRLF');
            this.sawCR = true;
          } else {
            if (c !== 10) throw new ParseError('HPE_STRICT', 'chunk data not followed by CRLF');
            this.state = State.ChunkSize;
            this.chunkLine = 0;
            this.remaining = 0;
            this.sawCR = false;
            this.lineEmpty = true;
          }
          break;
        }
        case State.Trailers:
          at = this.trailers(buf, at);
          break;
        case State.Done:
          return at;
      }
      if (this.state === State.Done) return at;
    }
    return at;
  }

  /**
   * The connection ended (FIN): completes a response framed by the close and returns true; false
   * when the response is incomplete.
   */
  end(): boolean {
    if (this.state === State.UntilClose) {
      this.state = State.Done;
      this.keepAlive = false;
    }
    return this.state === State.Done;
  }

  private head(buf: Buffer, at: number): number {
    const carried = this.pending === null ? 0 : this.pending.length;
    const source = carried === 0 ? buf : Buffer.concat([this.pending as Buffer, buf.subarray(at)]);
    const start = carried === 0 ? at : 0;
    // the terminator may straddle the previous buffer: search from just before the carried bytes' end
    const stop = source.indexOf(CRLFCRLF, carried === 0 ? start : Math.max(0, carried - 3));
    if (stop < 0) {
      if (source.length - start > MAX_HEAD_BYTES) throw new ParseError('UND_ERR_HEADERS_OVERFLOW', `response head larger than ${MAX_HEAD_BYTES} bytes`);
      this.pending = carried === 0 ? Buffer.from(buf.subarray(at)) : source;
      return buf.length;
    }
    if (stop - start > MAX_HEAD_BYTES) throw new ParseError('UND_ERR_HEADERS_OVERFLOW', `response head larger than ${MAX_HEAD_BYTES} bytes`);
    this.pending = null;
    this.parseHead(source.toString('latin1', start, stop + 2));
    // where the head ended in `buf`
    return carried === 0 ? stop + 4 : at + stop + 4 - carried;
  }

  /** Parses "HTTP/1.x SSS reason\r\n" and the header lines (each ending in CRLF). */
  private parseHead(text: string): void {
    if (!text.startsWith('HTTP/1.') || text.charCodeAt(8) !== 32) throw new ParseError('HPE_INVALID_CONSTANT', 'response does not start with an HTTP/1.x status line');
    const minor = text.charCodeAt(7) - 48;
    const s0 = text.charCodeAt(9) - 48;
    const s1 = text.charCodeAt(10) - 48;
    const s2 = text.charCodeAt(11) - 48;
    if (minor < 0 || minor > 9 || s0 < 1 || s0 > 9 || s1 < 0 || s1 > 9 || s2 < 0 || s2 > 9) {
      throw new ParseError('HPE_INVALID_STATUS', 'invalid status line');
    }
    const status = s0 * 100 + s1 * 10 + s2;
    let lineEnd = text.indexOf('\r\n', 12);
    const next = text.charCodeAt(12);
    if (lineEnd !== 12 && next !== 32) throw new ParseError('HPE_INVALID_STATUS', 'invalid status line');
    const statusText = lineEnd > 13 ? text.slice(13, lineEnd) : '';
    let contentLength = -1;
    let chunked = false;
    let framed = false;
    let close = minor === 0;
    let location: string | null = null;
    let setCookies: string[] | null = null;
    let contentEncoding: string | null = null;
    const headers: string[] | null = this.keep ? [] : null;
    let lineStart = lineEnd + 2;
    while (lineStart < text.length) {
      lineEnd = text.indexOf('\r\n', lineStart);
      const colon = text.indexOf(':', lineStart);
      if (colon < 0 || colon > lineEnd || colon === lineStart) throw new ParseError('HPE_INVALID_HEADER_TOKEN', 'invalid header line');
      const first = text.charCodeAt(lineStart);
      if (first === 32 || first === 9) throw new ParseError('HPE_INVALID_HEADER_TOKEN', 'folded header lines are not allowed');
      let vs = colon + 1;
      while (vs < lineEnd && (text.charCodeAt(vs) === 32 || text.charCodeAt(vs) === 9)) vs++;
      let ve = lineEnd;
      while (ve > vs && (text.charCodeAt(ve - 1) === 32 || text.charCodeAt(ve - 1) === 9)) ve--;
      const nameLength = colon - lineStart;
      let value: string | undefined;
      switch (nameLength) {
        case 8:
          if (nameIs(text, lineStart, 'location')) location = value = text.slice(vs, ve);
          break;
        case 10:
          if (nameIs(text, lineStart, 'set-cookie')) (setCookies ??= []).push((value = text.slice(vs, ve)));
          else if (nameIs(text, lineStart, 'connection')) {
            value = text.slice(vs, ve);
            if (hasToken(value, 'close')) close = true;
            else if (minor === 0 && hasToken(value, 'keep-alive')) close = false;
          }
          break;
        case 14:
          if (nameIs(text, lineStart, 'content-length')) {
            value = text.slice(vs, ve);
            if (!/^\d{1,15}$/.test(value)) throw new ParseError('HPE_INVALID_CONTENT_LENGTH', `invalid Content-Length ${JSON.stringify(value)}`);
            const n = Number(value);
            if (contentLength >= 0 && contentLength !== n) throw new ParseError('HPE_UNEXPECTED_CONTENT_LENGTH', 'conflicting Content-Length headers');
            contentLength = n;
          }
          break;
        case 16:
          if (nameIs(text, lineStart, 'content-encoding')) contentEncoding = (value = text.slice(vs, ve)).toLowerCase();
          break;
        case 17:
          if (nameIs(text, lineStart, 'transfer-encoding')) {
            value = text.slice(vs, ve);
            framed = true;
            chunked = /(?:^|[\s,])chunked\s*$/i.test(value);
          }
          break;
      }
      if (headers !== null) headers.push(text.slice(lineStart, colon), value ?? text.slice(vs, ve));
      lineStart = lineEnd + 2;
    }
    if (status < 200) {
      // 1xx interim responses (100 Continue, 103 Early Hints) are skipped; 101 is never asked for
      if (status === 101) throw new ParseError('HPE_INVALID_CONSTANT', 'unexpected 101 Switching Protocols');
      this.state = State.Head;
      return;
    }
    this.headersSeen = true;
    this.keepAlive = !close;
    (this.sink as ResponseSink).onHead(status, statusText, headers, location, setCookies, contentEncoding);
    if (this.headRequest || status === 204 || status === 304) this.state = State.Done;
    else if (chunked) {
      this.state = State.ChunkSize;
      this.chunkLine = 0;
      this.remaining = 0;
      this.sawCR = false;
      this.lineEmpty = true;
    } else if (framed) {
      // a transfer coding other than chunked last: the body ends with the connection
      this.state = State.UntilClose;
      this.keepAlive = false;
    } else if (contentLength >= 0) {
      this.remaining = contentLength;
      this.state = contentLength === 0 ? State.Done : State.Length;
    } else {
      this.state = State.UntilClose;
      this.keepAlive = false;
    }
  }

  /** Reads a chunk-size line ("1a;ext\r\n"), byte by byte (they are short). */
  private chunkSize(buf: Buffer, at: number): number {
    const end = buf.length;
    while (at < end) {
      const c = buf[at++];
      if (++this.chunkLine > MAX_CHUNK_LINE) throw new ParseError('HPE_INVALID_CHUNK_SIZE', 'chunk-size line too long');
      if (this.sawCR) {
        if (c !== 10) throw new ParseError('HPE_INVALID_CHUNK_SIZE', 'chunk-size line not ended by CRLF');
        if (this.lineEmpty) throw new ParseError('HPE_INVALID_CHUNK_SIZE', 'missing chunk size');
        if (this.remaining === 0) {
          this.state = State.Trailers;
          this.sawCR = false;
          this.lineEmpty = true;
        } else this.state = State.ChunkData;
        return at;
      }
      if (c === 13) {
        this.sawCR = true;
        continue;
      }
      if (this.chunkLine < 0) continue; // inside an extension
      const digit = c >= 48 && c <= 57 ? c - 48 : (c | 0x20) >= 97 && (c | 0x20) <= 102 ? (c | 0x20) - 87 : -1;
      if (digit >= 0 && this.chunkLine <= 13) {
        this.remaining = this.remaining * 16 + digit;
        this.lineEmpty = false;
      } else if (c === 59 || c === 32 || c === 9) {
        if (this.lineEmpty) throw new ParseError('HPE_INVALID_CHUNK_SIZE', 'missing chunk size');
        this.chunkLine = -MAX_CHUNK_LINE; // skip the rest of the line (extensions)
      } else throw new ParseError('HPE_INVALID_CHUNK_SIZE', 'invalid chunk size');
    }
    return at;
  }

  /** Reads trailer lines up to the empty line that ends the message; their content is dropped. */
  private trailers(buf: Buffer, at: number): number {
    const end = buf.length;
    while (at < end) {
      const c = buf[at++];
      if (this.sawCR) {
        if (c !== 10) throw new ParseError('HPE_STRICT', 'trailer line not ended by CRLF');
        this.sawCR = false;
        if (this.lineEmpty) {
          this.state = State.Done;
          return at;
        }
        this.lineEmpty = true;
      } else if (c === 13) this.sawCR = true;
      else this.lineEmpty = false;
    }
    return at;
  }
}

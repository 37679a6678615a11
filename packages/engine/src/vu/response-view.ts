/**
 * A reusable, lazy view of one request result for checkpoints and extractions: the body is decoded
 * as text, parsed as JSON and the header block built only when a check or extraction asks.
 */
import type { RequestResult } from '../protocols/driver.js';
import { headersOf } from '../protocols/response-headers.js';
import type { ExtractionAccess } from '../compile/extraction.js';

/** One user's view of its latest response. */
export class ResponseView implements ExtractionAccess {
  private result: RequestResult | null = null;
  private text: string | undefined;
  private parsed = false;
  private value: unknown;
  private block: string | undefined;

  /** Points the view at a new result. */
  reset(result: RequestResult): void {
    this.result = result;
    this.text = undefined;
    this.parsed = false;
    this.value = undefined;
    this.block = undefined;
  }

  get status(): number {
    return this.result?.status ?? 0;
  }

  private headers(): Record<string, string | string[]> | undefined {
    return this.result === null ? undefined : headersOf(this.result);
  }

  header(name: string): string | undefined {
    const value = this.headers()?.[name];
    return value === undefined ? undefined : Array.isArray(value) ? value.join(', ') : value;
  }

  headerValues(name: string): readonly string[] {
    const value = this.headers()?.[name];
    return value === undefined ? [] : Array.isArray(value) ? value : [value];
  }

  headerBlock(): string {
    if (this.block === undefined) {
      let out = '';
      const headers = this.headers() ?? {};
      for (const name in headers) {
        const value = headers[name];
        if (Array.isArray(value)) for (const v of value) out += `${name}: ${v}\n`;
        else out += `${name}: ${value}\n`;
      }
      this.block = out;
    }
    return this.block;
  }

  bodyText(): string {
    if (this.text === undefined) this.text = this.result?.body?.toString('utf8') ?? '';
    return this.text;
  }

  json(): unknown {
    if (!this.parsed) {
      this.parsed = true;
      try {
        this.value = JSON.parse(this.bodyText());
      } catch {
        this.value = undefined;
      }
    }
    return this.value;
  }

  url(): string {
    return this.result?.url ?? '';
  }

  /** Drops the reference to the result (so its body can be collected). */
  clear(): void {
    this.result = null;
    this.text = undefined;
    this.value = undefined;
    this.block = undefined;
  }
}

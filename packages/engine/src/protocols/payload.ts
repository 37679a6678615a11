/**
 * Packet payloads of the socket drivers: UTF-8 text, or a hex stream when the packet has the header
 * `encoding: hex` (characters 0-9 and a-f, either case, even length). Constant payloads are encoded
 * once at prepare time; templated ones on each execution.
 */
import type { PrepareContext, Template, VariableScope } from './driver.js';
import { hasVariables } from './packet-fields.js';

const HEX_TEXT = /^[0-9a-fA-F]*$/;
const VARIABLE_SLOT = /\$\{[^}]*\}/g;

/** Why a hex text is invalid, or undefined when it is a valid hex stream. */
export function hexProblem(text: string): string | undefined {
  if (!HEX_TEXT.test(text)) return 'hex payload may only contain 0-9 and a-f';
  if (text.length % 2 !== 0) return 'hex payload must have an even number of characters';
  return undefined;
}

/** Reads the `encoding` header: hex or text (the default). */
export function isHexEncoding(headers: Map<string, string>, ctx: PrepareContext): boolean {
  const raw = headers.get('encoding');
  if (raw === undefined || raw.trim() === '') return false;
  const value = raw.trim().toLowerCase();
  if (value === 'hex') return true;
  if (value !== 'text' && value !== 'utf8' && value !== 'utf-8') {
    ctx.problems.push({ path: `${ctx.path}.headers.encoding`, message: 'header encoding must be text or hex' });
  }
  return false;
}

/** A payload compiled once: a fixed buffer, or a template rendered and encoded per execution. */
export class Payload {
  private readonly fixed: Buffer | undefined;

  private constructor(
    private readonly template: Template,
    private readonly hex: boolean,
    readonly text: string,
  ) {
    this.fixed = template.constant ? Payload.encode(text, hex) : undefined;
  }

  /** Compiles `text`; pushes a problem when a constant hex payload (or the text around slots) is invalid. */
  static compile(text: string, hex: boolean, ctx: PrepareContext, field = 'body'): Payload {
    if (hex) {
      // Around variable slots only the characters can be checked; the length is checked per execution.
      const problem = hasVariables(text)
        ? HEX_TEXT.test(text.replace(VARIABLE_SLOT, ''))
          ? undefined
          : 'hex payload may only contain 0-9 and a-f'
        : hexProblem(text);
      if (problem !== undefined) ctx.problems.push({ path: `${ctx.path}.${field}`, message: problem });
    }
    return new Payload(ctx.template(text), hex, text);
  }

  /** The bytes as a debug view shows them: hex when the payload is hex, else UTF-8 text. */
  show(bytes: Buffer): string {
    return bytes.toString(this.hex ? 'hex' : 'utf8');
  }

  /** The bytes to send for one execution, or an error message when a rendered hex text is invalid. */
  bytes(vars: VariableScope): Buffer | string {
    if (this.fixed !== undefined) return this.fixed;
    const text = this.template.render(vars);
    if (this.hex) {
      const problem = hexProblem(text);
      if (problem !== undefined) return problem;
    }
    return Payload.encode(text, this.hex);
  }

  private static encode(text: string, hex: boolean): Buffer {
    return hex ? Buffer.from(text, 'hex') : Buffer.from(text, 'utf8');
  }
}

/**
 * `${name}` templates compiled once into constant text and slots. A slot is a variable (read from
 * the user's VariableScope at every render; an unknown name is left as written) or a system function
 * `${__name(args)}` (see functions.ts; an unknown function is left as written).
 */
import type { Template, VariableScope } from '../protocols/driver.js';
import { compileSystemFunction, type SystemFunction } from './functions.js';

/** Something a slot renders from. */
interface Slot {
  read(vars: VariableScope): string;
}

class VariableSlot implements Slot {
  constructor(
    private readonly name: string,
    private readonly raw: string,
  ) {}

  read(vars: VariableScope): string {
    const value = vars.get(this.name);
    return value === undefined ? this.raw : value;
  }
}

class FunctionSlot implements Slot {
  constructor(private readonly fn: SystemFunction) {}

  read(): string {
    return this.fn();
  }
}

/** A template without slots. */
class ConstantTemplate implements Template {
  readonly constant = true;
  constructor(readonly text: string) {}

  render(): string {
    return this.text;
  }
}

/** texts[0] slot[0] texts[1] slot[1] ... texts[n]. */
class SlotTemplate implements Template {
  readonly constant = false;
  constructor(
    private readonly texts: readonly string[],
    private readonly slots: readonly Slot[],
  ) {}

  render(vars: VariableScope): string {
    const { texts, slots } = this;
    let out = texts[0];
    for (let i = 0; i < slots.length; i++) out += slots[i].read(vars) + texts[i + 1];
    return out;
  }
}

const REFERENCE = /\$\{([^{}]+)\}/g;
const FUNCTION_CALL = /^__([A-Za-z]\w*)(?:\((.*)\))?$/s;

/** The empty template. */
export const EMPTY_TEMPLATE: Template = new ConstantTemplate('');

/**
 * Compiles `text` once. Argument errors of known system functions are passed to `onError` (the
 * reference is then left as written); unknown function names are left as written silently.
 */
export function compileTemplate(text: string, onError?: (message: string) => void): Template {
  if (!text.includes('${')) return text === '' ? EMPTY_TEMPLATE : new ConstantTemplate(text);
  const texts: string[] = [];
  const slots: Slot[] = [];
  let pending = '';
  let last = 0;
  for (const match of text.matchAll(REFERENCE)) {
    const raw = match[0];
    const inner = match[1];
    pending += text.slice(last, match.index);
    last = match.index + raw.length;
    const slot = slotFor(inner, raw, onError);
    if (slot === undefined) {
      pending += raw;
      continue;
    }
    texts.push(pending);
    slots.push(slot);
    pending = '';
  }
  pending += text.slice(last);
  texts.push(pending);
  return slots.length === 0 ? new ConstantTemplate(texts[0]) : new SlotTemplate(texts, slots);
}

function slotFor(inner: string, raw: string, onError?: (message: string) => void): Slot | undefined {
  const call = FUNCTION_CALL.exec(inner);
  if (call === null) return new VariableSlot(inner, raw);
  const compiled = compileSystemFunction(call[1], call[2]);
  if (compiled.kind === 'function') return new FunctionSlot(compiled.fn);
  if (compiled.kind === 'error') onError?.(`${raw}: ${compiled.message}`);
  return undefined;
}

/** Turns any JSON value of a case field into template text (objects as JSON, null as ''). */
export function templateText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * The variables one virtual user sees: its locals (extractions, data instructions), which persist
 * across iterations, over the project's global variables read through the user's own cursors.
 */
import type { VariableScope } from '../protocols/driver.js';
import type { GlobalReader } from '../compile/global-variables.js';

/** A user's variable scope. */
export class UserVariables implements VariableScope {
  /** Created on the first local (a Map costs ~200 bytes; many cases set none, times 10,000 users). */
  private locals: Map<string, string> | undefined;

  constructor(private readonly globals: GlobalReader) {}

  get(name: string): string | undefined {
    const local = this.locals?.get(name);
    return local !== undefined ? local : this.globals.read(name);
  }

  set(name: string, value: string): void {
    (this.locals ??= new Map()).set(name, value);
  }
}

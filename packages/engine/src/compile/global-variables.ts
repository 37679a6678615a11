/**
 * Project (global) variables of a case, docs/case-format.md, "Global variables", compiled once. A value
 * is read each time the variable is referenced. Types: 1 integer `[min,max]`, 2 enumeration `[v1, v2,
 * ...]`, 3 file, 5 text `["..."]`. A file variable's `variable` is either an array of rows whose first
 * row holds the column names (`[["user","pwd"],["alice","a1"],...]`) or CSV text with a header line
 * (one string, or one string per line); each column is a variable of its own name, and the columns of
 * one row stay aligned: a user moves to the next row only when it references a column it already read
 * from the current row. `variable_mode` 0 sequential (wrapping) / 1 random; `share_mode` 0 one cursor
 * shared by all users of the case (Coordination.next) / 1 a cursor per user.
 */
import type { VariableDetail } from '@perftest/model';
import { VariableType } from '@perftest/model';
import type { CaseProblem } from '../protocols/driver.js';
import type { Coordination } from '../types.js';
import { parseCsv } from './csv.js';

/** Where a variable's values come from. */
interface Source {
  readonly random: boolean;
  readonly shared: boolean;
  /** Coordination key of the shared cursor. */
  readonly key: string;
  /** Number of values (or rows) to pick from. */
  readonly count: number;
  /** Integer variables: the first value; other kinds leave it 0. */
  readonly min: number;
  /** Enumeration and text values. */
  readonly values?: readonly string[];
  /** File rows (without the header). */
  readonly rows?: readonly (readonly string[])[];
  readonly columns: number;
}

interface Binding {
  readonly source: number;
  readonly column: number;
}

/** The compiled global variables of a case; `createReader` gives each user its own cursors. */
export class GlobalVariables {
  private readonly bindings = new Map<string, Binding>();
  private readonly sources: Source[] = [];

  /** Compiles `variables`; problems are pushed with paths like `variables[1].variable`. */
  constructor(variables: readonly VariableDetail[] | undefined, caseKey: string, problems: CaseProblem[]) {
    (variables ?? []).forEach((v, i) => this.add(v, `variables[${i}]`, caseKey, problems));
  }

  /** Whether `name` is a global variable (or file column). */
  has(name: string): boolean {
    return this.bindings.has(name);
  }

  /** Per-user read state. */
  createReader(coordination: Coordination): GlobalReader {
    return new GlobalReader(this.bindings, this.sources, coordination);
  }

  private add(v: VariableDetail, path: string, caseKey: string, problems: CaseProblem[]): void {
    const values = Array.isArray(v.variable) ? v.variable : [];
    const problem = (message: string): void => void problems.push({ path: `${path}.variable`, message });
    if (typeof v.name !== 'string' || v.name === '') {
      problems.push({ path: `${path}.name`, message: 'variable name is missing' });
      return;
    }
    const base = {
      random: v.variable_mode === 1,
      shared: v.share_mode !== 1,
      key: `variable:${caseKey}:${v.name}`,
      min: 0,
      columns: 1,
    };
    switch (v.variable_type) {
      case VariableType.Integer: {
        const [min, max] = values.map((x) => (typeof x === 'string' && x.trim() !== '' ? Number(x) : x));
        if (values.length !== 2 || !Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min > max) {
          return problem('an integer variable needs [min, max] with integers min <= max');
        }
        return this.bind(v.name, { ...base, min: min as number, count: (max as number) - (min as number) + 1 });
      }
      case VariableType.Enumeration: {
        if (values.length === 0) return problem('an enumeration variable needs at least one value');
        return this.bind(v.name, { ...base, values: values.map(cellText), count: values.length });
      }
      case VariableType.Text:
        return this.bind(v.name, { ...base, values: [values.map(cellText).join('\n')], count: 1 });
      case VariableType.File:
        return this.addFile(v.name, values, base, problem);
      default:
        problems.push({ path: `${path}.variable_type`, message: `unknown variable_type ${v.variable_type}` });
    }
  }

  private addFile(
    name: string,
    values: unknown[],
    base: Omit<Source, 'count'>,
    problem: (message: string) => void,
  ): void {
    let table: string[][];
    if (values.every((row) => Array.isArray(row))) table = (values as unknown[][]).map((row) => row.map(cellText));
    else if (values.every((row) => typeof row === 'string')) table = parseCsv((values as string[]).join('\n'));
    else return problem('a file variable needs an array of rows (arrays) or CSV text lines');
    const header = table[0];
    const rows = table.slice(1);
    if (header === undefined || header.length === 0 || header.some((c) => c.trim() === '')) {
      return problem(`file variable ${name}: the first row must name every column`);
    }
    if (rows.length === 0) return problem(`file variable ${name} has no data rows`);
    const bad = rows.findIndex((r) => r.length !== header.length);
    if (bad >= 0) return problem(`file variable ${name}: row ${bad + 1} has ${rows[bad].length} cells, the header ${header.length}`);
    const source = this.sources.length;
    this.sources.push({ ...base, rows, count: rows.length, columns: header.length });
    header.forEach((column, c) => {
      const key = column.trim();
      if (!this.bindings.has(key)) this.bindings.set(key, { source, column: c });
    });
  }

  private bind(name: string, source: Source): void {
    if (this.bindings.has(name)) return;
    this.bindings.set(name, { source: this.sources.length, column: 0 });
    this.sources.push(source);
  }
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** One user's view of the global variables: its own cursors and current file rows. */
export class GlobalReader {
  private readonly cursors: Float64Array;
  private readonly currentRow: Int32Array;
  private readonly consumed: Array<Uint8Array | null>;

  constructor(
    private readonly bindings: ReadonlyMap<string, Binding>,
    private readonly sources: readonly Source[],
    private readonly coordination: Coordination,
  ) {
    this.cursors = new Float64Array(sources.length);
    this.currentRow = new Int32Array(sources.length).fill(-1);
    this.consumed = sources.map((s) => (s.rows !== undefined ? new Uint8Array(s.columns) : null));
  }

  /** Reads the next value of `name`, or undefined when it is not a global variable. */
  read(name: string): string | undefined {
    const binding = this.bindings.get(name);
    if (binding === undefined) return undefined;
    const s = binding.source;
    const source = this.sources[s];
    if (source.rows !== undefined) return this.readColumn(s, source, binding.column);
    if (source.values !== undefined) return source.values[source.count === 1 ? 0 : this.pick(s, source)];
    return String(source.min + this.pick(s, source));
  }

  private readColumn(s: number, source: Source, column: number): string {
    const consumed = this.consumed[s] as Uint8Array;
    if (this.currentRow[s] < 0 || consumed[column] === 1) {
      this.currentRow[s] = this.pick(s, source);
      consumed.fill(0);
    }
    consumed[column] = 1;
    return (source.rows as readonly (readonly string[])[])[this.currentRow[s]][column];
  }

  private pick(s: number, source: Source): number {
    if (source.random) return Math.floor(Math.random() * source.count);
    if (source.shared) return this.coordination.next(source.key) % source.count;
    const index = this.cursors[s] % source.count;
    this.cursors[s] = index + 1;
    return index;
  }
}

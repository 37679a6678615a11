/**
 * The heavy parts of a task's `taskInfo`, rendered once: each case of `case_list` as JSON text by
 * case id and revision (a saved case gets a new revision, migration 014), and each case run's
 * `content_method_url` (its cards never change) by case run id. A client polling a task whose case
 * has 10,000 cards otherwise made the server read, parse and serialise about 1.4 MB of JSON per poll
 * (tens of milliseconds of the main thread, and the garbage that pushed a many-card run's peak
 * memory); with the cache a poll reads the task's columns and copies the text.
 *
 * Bounded by the characters it holds (least recently used dropped first). Entries are immutable
 * versions, so the cache is never stale; a case saved again is another key, and the old one ages out.
 */
import type { Queryable } from '@perftest/store';
import { caseInfoDetail, casesById } from '../storage/cases.js';
import { caseRunCardUrls } from '../storage/related-running.js';

/** Characters of rendered JSON kept at most (UTF-16: about twice as many bytes). */
export const CASE_JSON_CACHE_CHARS = 16 * 1024 * 1024;

/** A least-recently-used map of strings bounded by their total length. */
class TextLru<K> {
  private readonly entries = new Map<K, string>();
  private chars = 0;

  constructor(private readonly maxChars: number) {}

  get(key: K): string | undefined {
    const text = this.entries.get(key);
    if (text !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, text);
    }
    return text;
  }

  set(key: K, text: string): void {
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.chars -= old.length;
      this.entries.delete(key);
    }
    if (text.length > this.maxChars) return; // used once, not kept
    this.entries.set(key, text);
    this.chars += text.length;
    for (const [k, v] of this.entries) {
      if (this.chars <= this.maxChars) break;
      this.entries.delete(k);
      this.chars -= v.length;
    }
  }
}

/** Rendered cases and card lists of one database. */
export class CaseJsonCache {
  private readonly cases: TextLru<string>;
  private readonly urls: TextLru<number>;

  constructor(
    private readonly db: Queryable,
    maxChars = CASE_JSON_CACHE_CHARS,
  ) {
    this.cases = new TextLru(maxChars);
    this.urls = new TextLru(maxChars / 4);
  }

  /**
   * The JSON text of each case (`case_list` entries, caseInfoDetail) in the order given; a case
   * deleted since the view was read renders as it was when `cases` was read if cached, else is left out.
   */
  async caseList(cases: ReadonlyArray<{ id: number; revision: number }>): Promise<string[]> {
    const texts = cases.map((c) => this.cases.get(`${c.id}:${c.revision}`));
    const missing = cases.filter((_, i) => texts[i] === undefined).map((c) => c.id);
    if (missing.length > 0) {
      const byKey = new Map<string, string>();
      for (const row of await casesById(this.db, missing)) {
        const text = JSON.stringify(caseInfoDetail(row));
        this.cases.set(`${row.id}:${row.revision}`, text);
        byKey.set(`${row.id}`, text);
      }
      // a case saved between the view and this read renders at its newer revision
      for (let i = 0; i < cases.length; i++) texts[i] ??= byKey.get(`${cases[i].id}`);
    }
    return texts.filter((t): t is string => t !== undefined);
  }

  /** The JSON text of the `content_method_url` of each case run of `ids`, by id. */
  async cardUrls(ids: readonly number[]): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    const missing: number[] = [];
    for (const id of ids) {
      const text = this.urls.get(id);
      if (text === undefined) missing.push(id);
      else out.set(id, text);
    }
    for (const [id, urls] of await caseRunCardUrls(this.db, missing)) {
      const text = JSON.stringify(urls);
      this.urls.set(id, text);
      out.set(id, text);
    }
    return out;
  }
}

/**
 * Cuts per-user connections when their session's signal aborts. All users of a run may share one
 * AbortSignal, and EventTarget's addEventListener scans the listeners already there; so instead of
 * one listener per connection (quadratic with 20,000 connections), each signal gets one listener
 * that fans out to a Set of the connections open under it.
 */

/** Something that ends its waits and closes when the run aborts. */
export interface Abortable {
  abortNow(): void;
}

const watched = new WeakMap<AbortSignal, Set<Abortable>>();

/** Calls `item.abortNow()` when `signal` aborts, until `unwatchAbort` is called. */
export function watchAbort(signal: AbortSignal, item: Abortable): void {
  let items = watched.get(signal);
  if (items === undefined) {
    const set = new Set<Abortable>();
    items = set;
    watched.set(signal, set);
    signal.addEventListener(
      'abort',
      () => {
        const all = [...set];
        set.clear();
        for (const each of all) each.abortNow();
      },
      { once: true },
    );
  }
  items.add(item);
}

/** Stops watching `item` (it closed by itself). */
export function unwatchAbort(signal: AbortSignal, item: Abortable): void {
  watched.get(signal)?.delete(item);
}

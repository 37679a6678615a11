/** What the sidebar tree and the pages share: a counter bumped after every change, so lists reload. */
import { signal, useSignal } from '../api/signal.js';

const version = signal(0);

/** Tells every list to reload. */
export function treeChanged(): void {
  version.value++;
}

/** The tree's version; a component using it reloads when something changed. */
export function useTreeVersion(): number {
  return useSignal(version);
}

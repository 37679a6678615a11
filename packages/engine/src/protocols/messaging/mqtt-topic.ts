/**
 * MQTT topic names and filters (MQTT 3.1.1 section 4.7): whether a received topic matches a
 * subscription filter with `+` (one level) and `#` (the rest) wildcards, and filter validation.
 */

const SHARED_PREFIX = '$share/';

/** The filter that decides matching: `$share/<group>/<filter>` matches like `<filter>`. */
function effectiveFilter(filter: string): string {
  if (!filter.startsWith(SHARED_PREFIX)) return filter;
  const slash = filter.indexOf('/', SHARED_PREFIX.length);
  return slash < 0 ? filter : filter.slice(slash + 1);
}

/** True when `topic` (a topic name) matches the subscription `filter`. */
export function topicMatches(filter: string, topic: string): boolean {
  const f = effectiveFilter(filter);
  if (f === topic) return true;
  // Topics starting with $ are not matched by filters starting with a wildcard.
  if (topic.startsWith('$') && (f.startsWith('+') || f.startsWith('#'))) return false;
  const fl = f.split('/');
  const tl = topic.split('/');
  for (let i = 0; i < fl.length; i++) {
    const level = fl[i];
    if (level === '#') return true;
    if (i >= tl.length) return false;
    if (level !== '+' && level !== tl[i]) return false;
  }
  return fl.length === tl.length;
}

/** Why a subscription filter is invalid, or undefined. */
export function filterProblem(filter: string): string | undefined {
  if (filter === '') return 'topic must not be empty';
  const levels = effectiveFilter(filter).split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i];
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) return 'topic: # must be a whole last level';
    if (level.includes('+') && level !== '+') return 'topic: + must be a whole level';
  }
  return undefined;
}

/** Why a topic name to publish to is invalid, or undefined. */
export function topicNameProblem(topic: string): string | undefined {
  if (topic === '') return 'topic must not be empty';
  if (topic.includes('+') || topic.includes('#')) return 'topic of a PUBLISH must not contain + or #';
  return undefined;
}

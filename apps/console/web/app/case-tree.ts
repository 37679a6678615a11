/**
 * The case library of a test suite as the sidebar draws it, the way the cloud console does: its
 * directories, each with the cases it holds (and the directories under it), then the cases at the
 * root. Built from the flat list of `GET .../test-suites/{ts}/directory` (docs/api.md,
 * "Directory"): entries of `type` 1 are directories and 2 cases, in separate id spaces, each with
 * its `parent_id` (0 the root). A case or directory whose parent is not a directory of the list
 * sits at the root, as the API places it; so does a directory whose parents lead back to it. The
 * list's order, (`sort`, `id`) per group, is kept.
 */

/** One entry of the directory list (ProjectDirectory / TestCaseBriefInfo). */
export interface DirectoryEntry {
  id: number;
  name: string;
  parent_id: number;
  /** 1 a directory, 2 a case. */
  type: number;
  status?: number;
}

/** A case in the tree. */
export interface CaseLeaf {
  id: number;
  name: string;
}

/** A directory with what it holds. */
export interface DirectoryNode {
  id: number;
  name: string;
  directories: DirectoryNode[];
  cases: CaseLeaf[];
}

/** The tree of one test suite: the root's directories and cases. */
export interface CaseTree {
  directories: DirectoryNode[];
  cases: CaseLeaf[];
}

const DIRECTORY = 1;
const CASE = 2;

/** The tree of `entries`; entries of another type are left out. */
export function caseTree(entries: readonly DirectoryEntry[]): CaseTree {
  const nodes = new Map<number, DirectoryNode>();
  const parentOf = new Map<number, number>();
  for (const e of entries) {
    if (e.type !== DIRECTORY || nodes.has(e.id)) continue;
    nodes.set(e.id, { id: e.id, name: e.name, directories: [], cases: [] });
    parentOf.set(e.id, e.parent_id);
  }
  /** Whether following parents from directory `id` comes back to it (a loop the sidebar must not follow). */
  const inLoop = (id: number): boolean => {
    const seen = new Set<number>();
    for (let at = parentOf.get(id) ?? 0; nodes.has(at) && !seen.has(at); at = parentOf.get(at) ?? 0) {
      if (at === id) return true;
      seen.add(at);
    }
    return false;
  };
  const root: CaseTree = { directories: [], cases: [] };
  for (const node of nodes.values()) {
    const parent = nodes.get(parentOf.get(node.id) ?? 0);
    if (parent && !inLoop(node.id)) parent.directories.push(node);
    else root.directories.push(node);
  }
  for (const e of entries) {
    if (e.type !== CASE) continue;
    const leaf = { id: e.id, name: e.name };
    (nodes.get(e.parent_id) ?? root).cases.push(leaf);
  }
  return root;
}


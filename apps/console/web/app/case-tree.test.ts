import { describe, expect, it } from 'vitest';
import { caseTree, type DirectoryEntry } from './case-tree.js';

const dir = (id: number, name: string, parent_id = 0): DirectoryEntry => ({ id, name, parent_id, type: 1, status: 1 });
const kase = (id: number, name: string, parent_id = 0): DirectoryEntry => ({ id, name, parent_id, type: 2, status: 1 });

describe('caseTree', () => {
  it('groups cases under their directory, in the list order, the rest at the root', () => {
    // directories first, then cases, as GET .../directory answers; a case may share a directory's id
    const tree = caseTree([dir(7, 'checkout'), dir(3, 'search'), kase(7, 'pay', 7), kase(12, 'home'), kase(5, 'cart', 7), kase(9, 'find', 3)]);
    expect(tree).toEqual({
      directories: [
        { id: 7, name: 'checkout', directories: [], cases: [{ id: 7, name: 'pay' }, { id: 5, name: 'cart' }] },
        { id: 3, name: 'search', directories: [], cases: [{ id: 9, name: 'find' }] },
      ],
      cases: [{ id: 12, name: 'home' }],
    });
  });

  it('keeps empty directories and an empty suite', () => {
    expect(caseTree([])).toEqual({ directories: [], cases: [] });
    expect(caseTree([dir(1, 'later')])).toEqual({ directories: [{ id: 1, name: 'later', directories: [], cases: [] }], cases: [] });
  });

  it('nests directories under their parent directory', () => {
    const tree = caseTree([dir(1, 'shop'), dir(2, 'checkout', 1), dir(3, 'pay', 2), kase(10, 'card', 3), kase(11, 'browse', 1)]);
    expect(tree.directories).toHaveLength(1);
    const shop = tree.directories[0];
    expect(shop.cases).toEqual([{ id: 11, name: 'browse' }]);
    expect(shop.directories.map((d) => d.name)).toEqual(['checkout']);
    expect(shop.directories[0].directories[0]).toEqual({ id: 3, name: 'pay', directories: [], cases: [{ id: 10, name: 'card' }] });
    expect(tree.cases).toEqual([]);
  });

  it('puts at the root what names a parent that is not a directory of the list', () => {
    // a case's parent is a directory id: case 4 is no parent, nor is directory 99 that is absent
    const tree = caseTree([dir(1, 'a', 99), dir(2, 'b', 4), kase(4, 'lost', 99), kase(5, 'c', 2)]);
    expect(tree.directories.map((d) => d.name)).toEqual(['a', 'b']);
    expect(tree.directories[1].cases).toEqual([{ id: 5, name: 'c' }]);
    expect(tree.cases).toEqual([{ id: 4, name: 'lost' }]);
  });

  it('does not follow a loop of parents: its directories sit at the root, each once', () => {
    const tree = caseTree([dir(1, 'self', 1), dir(2, 'x', 3), dir(3, 'y', 2), dir(4, 'under-x', 2), kase(8, 'k', 4)]);
    expect(tree.directories.map((d) => d.name)).toEqual(['self', 'x', 'y']);
    const x = tree.directories[1];
    expect(x.directories.map((d) => d.name)).toEqual(['under-x']);
    expect(x.directories[0].cases).toEqual([{ id: 8, name: 'k' }]);
    expect(tree.directories[0].directories).toEqual([]);
    expect(tree.directories[2].directories).toEqual([]);
  });

  it('ignores entries of other types and a directory listed twice', () => {
    const tree = caseTree([dir(1, 'a'), dir(1, 'a again'), { id: 2, name: 'odd', parent_id: 0, type: 3 }, kase(3, 'c', 1)]);
    expect(tree).toEqual({ directories: [{ id: 1, name: 'a', directories: [], cases: [{ id: 3, name: 'c' }] }], cases: [] });
  });
});

/** Every migration, in order. Versions are never reused or edited once released: add a new one. */
import * as init from './001-init.js';
import * as runs from './002-runs.js';
import * as tasksCases from './003-tasks-cases.js';
import * as reportRollups from './005-report-rollups.js';
import * as agents from './010-agents.js';
import * as runEnds from './011-run-ends.js';
import * as capacityQueue from './012-capacity-queue.js';
import * as rollupDropped from './013-rollup-dropped.js';
import * as caseRevisions from './014-case-revisions.js';

/** One schema change. */
export interface Migration {
  version: number;
  name: string;
  up: string;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'init', up: init.up },
  { version: 2, name: 'runs', up: runs.up },
  { version: 3, name: 'tasks-cases', up: tasksCases.up },
  { version: 5, name: 'report-rollups', up: reportRollups.up },
  { version: 10, name: 'agents', up: agents.up },
  { version: 11, name: 'run-ends', up: runEnds.up },
  { version: 12, name: 'capacity-queue', up: capacityQueue.up },
  { version: 13, name: 'rollup-dropped', up: rollupDropped.up },
  { version: 14, name: 'case-revisions', up: caseRevisions.up },
];

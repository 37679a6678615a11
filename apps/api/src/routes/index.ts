/** Every route group, registered in one place. Add a line when a group lands. */
import type { FastifyPluginAsync } from 'fastify';
import { agentRoutes } from './agents.js';
import { authTokenRoutes } from './auth-tokens.js';
import { caseLibraryRoutes } from './cases-v2.js';
import { debugRoutes } from './debug.js';
import { directoryRoutes } from './directory.js';
import { healthRoutes } from './health.js';
import { historyRoutes } from './history.js';
import { liveRoutes } from './live.js';
import { loadShapeRoutes } from './load-shape.js';
import { mergedReportRoutes } from './merged-reports.js';
import { reportRoutes } from './reports.js';
import { taskBatchRoutes } from './task-batch.js';
import { taskCaseRoutes } from './task-cases.js';
import { taskStatusRoutes } from './task-status.js';
import { taskRoutes } from './tasks.js';
import { taskV3Routes } from './tasks-v3.js';
import { templateRoutes } from './templates.js';
import { testSuiteRoutes } from './test-suites.js';
import { variableRoutes } from './variables.js';

export const ROUTE_GROUPS: ReadonlyArray<FastifyPluginAsync> = [
  healthRoutes,
  authTokenRoutes,
  testSuiteRoutes,
  variableRoutes,
  templateRoutes,
  taskRoutes,
  taskV3Routes,
  taskCaseRoutes,
  taskStatusRoutes,
  directoryRoutes,
  reportRoutes,
  historyRoutes,
  debugRoutes,
  loadShapeRoutes,
  liveRoutes,
  caseLibraryRoutes,
  taskBatchRoutes,
  mergedReportRoutes,
  agentRoutes,
];

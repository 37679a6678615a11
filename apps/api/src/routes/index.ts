/** Every route group, registered in one place. Add a line when a group lands. */
import type { FastifyPluginAsync } from 'fastify';
import { authTokenRoutes } from './auth-tokens.js';
import { healthRoutes } from './health.js';
import { templateRoutes } from './templates.js';
import { testSuiteRoutes } from './test-suites.js';
import { variableRoutes } from './variables.js';

export const ROUTE_GROUPS: ReadonlyArray<FastifyPluginAsync> = [
  healthRoutes,
  authTokenRoutes,
  testSuiteRoutes,
  variableRoutes,
  templateRoutes,
];

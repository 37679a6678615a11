/** Every route group, registered in one place. Add a line when a group lands. */
import type { FastifyPluginAsync } from 'fastify';
import { authTokenRoutes } from './auth-tokens.js';
import { healthRoutes } from './health.js';
import { testSuiteRoutes } from './test-suites.js';

export const ROUTE_GROUPS: ReadonlyArray<FastifyPluginAsync> = [healthRoutes, authTokenRoutes, testSuiteRoutes];

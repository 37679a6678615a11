/** POST /v3/auth/tokens: an IAM-style password login returning a token in X-Subject-Token. */
import { Type, type Static } from '@sinclair/typebox';
import { apiError } from '@perftest/model';
import type { FastifyPluginAsync } from 'fastify';
import { checkPassword } from '../auth/passwords.js';
import { issueToken } from '../auth/tokens.js';
import { isoTime } from '../http/time.js';

const TokenRequest = Type.Object({
  auth: Type.Object({
    identity: Type.Object({
      methods: Type.Array(Type.String(), { minItems: 1 }),
      password: Type.Object({
        user: Type.Object({
          name: Type.String({ minLength: 1 }),
          password: Type.String({ minLength: 1 }),
          domain: Type.Optional(Type.Object({ name: Type.Optional(Type.String()) })),
        }),
      }),
    }),
    scope: Type.Optional(
      Type.Object({
        project: Type.Optional(Type.Object({ id: Type.Optional(Type.String()), name: Type.Optional(Type.String()) })),
      }),
    ),
  }),
});
type TokenRequest = Static<typeof TokenRequest>;

/** The token route. */
export const authTokenRoutes: FastifyPluginAsync = async (app) => {
  app.post<{ Body: TokenRequest }>(
    '/v3/auth/tokens',
    { schema: { body: TokenRequest }, config: { public: true } },
    async (request, reply) => {
      const { identity, scope } = request.body.auth;
      if (!identity.methods.includes('password')) {
        throw apiError('INVALID_FIELD', { field: 'auth.identity.methods', detail: 'must include "password"' });
      }
      const { name, password } = identity.password.user;
      const [account] = await app.db.query<{ id: number; password_hash: string; projects: string[] }>(
        'select id, password_hash, projects from accounts where name = $1',
        [name],
      );
      if (!(await checkPassword(password, account?.password_hash)) || !account) {
        throw apiError('UNAUTHORIZED', { detail: 'the user name or password is wrong' });
      }
      const project = scope?.project?.id ?? scope?.project?.name;
      if (project !== undefined && !account.projects.includes('*') && !account.projects.includes(project)) {
        throw apiError('FORBIDDEN', { project });
      }
      const issuedAt = new Date();
      const { token, expiresAt } = await issueToken(app.db, account.id, project, issuedAt);
      void reply.status(201).header('X-Subject-Token', token);
      return {
        token: {
          methods: ['password'],
          issued_at: isoTime(issuedAt),
          expires_at: isoTime(expiresAt),
          user: { id: String(account.id), name, domain: { id: String(account.id), name } },
          ...(project !== undefined ? { project: { id: project, name: project } } : {}),
        },
      };
    },
  );
};

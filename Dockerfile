# One image for the API and the worker: Node 20. The API runs its bundle (apps/api/dist, built below,
# as `npx pnpm start` does); the worker runs its TypeScript sources through tsx. docker-compose.yml
# starts the image as `api` (the default command) and as `worker`.
FROM node:20-slim

# The pnpm of package.json's "packageManager".
RUN npm install -g pnpm@12.21.0 && npm cache clean --force

WORKDIR /app

# Manifests first, so that the dependency layer is rebuilt only when they change. Every workspace
# package's package.json must be listed here (apps/api/test/compose.test.ts checks it).
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
COPY apps/api/package.json apps/api/
COPY apps/console/package.json apps/console/
COPY apps/worker/package.json apps/worker/
COPY packages/engine/package.json packages/engine/
COPY packages/model/package.json packages/model/
COPY packages/report/package.json packages/report/
COPY packages/runner/package.json packages/runner/
COPY packages/store/package.json packages/store/
# All dependencies, dev ones included: tsx, which runs the sources, is one. --pm-on-fail=ignore:
# without it pnpm 12 tries to record the packageManager pin in the lockfile, which --frozen-lockfile
# forbids, and the install fails.
RUN pnpm install --frozen-lockfile --pm-on-fail=ignore

COPY . .
# The web console the API serves at / (apps/console, built with Vite into apps/console/dist, its
# PERFTEST_CONSOLE_DIR) and the exported report's page (packages/report, into packages/report/dist).
RUN node --import tsx apps/console/src/build-cli.ts
# The server bundled with esbuild (apps/api/src/bundle/server-build.ts): less memory than the sources
# through tsx.
RUN node --import tsx apps/api/src/bundle/build-cli.ts

ENV HOST=0.0.0.0 \
    PORT=8080 \
    PERFTEST_DATA_DIR=/app/data
EXPOSE 8080

# node itself is PID 1, so SIGTERM from `docker stop` reaches the server's own shutdown.
CMD ["node", "apps/api/dist/main.js"]

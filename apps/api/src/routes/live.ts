/**
 * The live stream of a task run, beyond the reference (docs/live.md):
 * `GET /v1/{project_id}/task-run-infos/{task_run_id}/live` answers `text/event-stream`: one
 * `interval` event per second per case run, `status` events, and `end` once the task run has ended.
 * A reconnecting client sends `Last-Event-ID` and gets the events after it. One reader per task run
 * serves all its viewers (apps/api/src/live); the server's close ends every stream.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { LiveEventData, LiveHeaders, LiveParams } from '@perftest/model';
import { LiveHub } from '../live/hub.js';
import type { ResumePoint } from '../live/task-run-feed.js';
import { LIVE_RETRY_MS } from '../live/timing.js';
import { requireLiveTaskRun } from '../storage/live.js';

/** `SECOND` or `SECOND:CASE_RUN_ID` (validated by LiveHeaders) as a resume point. */
function resumePoint(header: string | undefined): ResumePoint | undefined {
  if (header === undefined || header === '') return undefined;
  const [second, caseRunId] = header.split(':');
  return { second: Number(second), caseRunId: caseRunId === undefined ? undefined : Number(caseRunId) };
}

/** The live route. */
export const liveRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const hub = new LiveHub(app.db, (message, fields) => app.log.warn(fields, message));
  app.addHook('preClose', async () => hub.close());
  app.get(
    '/v1/:project_id/task-run-infos/:task_run_id/live',
    {
      exposeHeadRoute: false, // a stream has no head to answer
      schema: {
        summary: 'Follow a task run second by second (server-sent events)',
        description:
          'text/event-stream: `event: interval` (id SECOND:CASE_RUN_ID) one per second per case run, `event: status` when a case run changes status, `event: end` once the task run has ended. Send Last-Event-ID to resume. See docs/live.md.',
        params: LiveParams,
        headers: LiveHeaders,
        produces: ['text/event-stream'],
        response: { 200: LiveEventData },
      },
    },
    async (request, reply) => {
      const { project_id, task_run_id } = request.params;
      await requireLiveTaskRun(app.db, project_id, task_run_id);
      const feed = await hub.feed(task_run_id);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache, no-transform',
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no',
        'X-Request-Id': request.id,
      });
      res.write(`retry: ${LIVE_RETRY_MS}\n\n`);
      hub.attach(feed, res, resumePoint(request.headers['last-event-id']));
    },
  );
};

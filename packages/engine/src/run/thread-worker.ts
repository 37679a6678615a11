/**
 * The piscina task of one engine thread: one task per thread for the whole life of a run. It talks to
 * the run's main thread over the MessagePort it is given (ThreadCommand in, ThreadEvent out): says
 * `ready`, on `start` compiles its users from the run's prepared case (its timeline is taken as
 * planned) and runs its share with a CaseRunner, forwarding every interval, and ends with `done` or
 * `error`.
 */
import type { MessagePort } from 'node:worker_threads';
import type { ThreadCommand, ThreadEvent, ThreadStartMessage } from '@perftest/model';
import { TargetPolicy } from '../net/target-policy.js';
import { CaseRunner } from './case-runner.js';
import { PortCoordination } from './port-coordination.js';
import { compilePrepared, preparedPlan } from './prepare.js';
import { Share } from './share.js';
import type { WarmTask } from './engine-pool.js';

/** What piscina hands the thread. */
export interface ThreadTask {
  port: MessagePort;
}

/** Runs one thread's share of a case run (or a warm-up task); resolves when the share has ended. */
export default function runThread(task: ThreadTask | WarmTask): Promise<void> {
  if ('warm' in task) return warmUp(task.warm);
  const { port } = task;
  const send = (event: ThreadEvent): void => port.postMessage(event);
  return new Promise<void>((resolve) => {
    let runner: CaseRunner | undefined;
    let coordination: PortCoordination | undefined;
    let ended = false;
    const finish = (event: ThreadEvent): void => {
      if (ended) return;
      ended = true;
      coordination?.releaseAll();
      send(event);
      port.close();
      resolve();
    };
    const start = (message: ThreadStartMessage): void => {
      const { options, prepared } = message;
      const plan = preparedPlan(prepared);
      const targetPolicy = TargetPolicy.compile(options.targetPolicy);
      const compiled = compilePrepared(prepared, { tlsVerify: options.tlsVerify, debugBodyLimit: options.debugBodyLimit, targetPolicy });
      coordination = new PortCoordination(port, message.coordinationBuffer);
      runner = new CaseRunner({
        compiled,
        plan,
        share: new Share(message.share),
        startAt: message.startAt,
        coordination,
        options,
        onInterval: send,
        externalSteps: true,
      });
      runner.start();
      runner.done
        .then(
          () => ({ type: 'done' }) as const,
          (error: unknown) => errorEvent(error),
        )
        .then(async (event) => {
          await compiled.close().catch(() => undefined);
          finish(event);
        });
    };
    port.on('message', (message: ThreadCommand) => {
      try {
        switch (message.type) {
          case 'start':
            return start(message);
          case 'setTarget':
            return runner?.setTarget(message.value, message.at);
          case 'stop':
            if (runner === undefined) return finish({ type: 'done' });
            void runner.stop(message.immediate === true);
            return;
          case 'steps':
            return runner?.setSteps(message.steps);
          case 'released':
            return coordination?.released(message.id);
          default: {
            const never: never = message;
            throw new Error(`unknown thread command ${(never as { type: string }).type}`);
          }
        }
      } catch (error) {
        if (runner !== undefined) void runner.stop(true);
        finish(errorEvent(error));
      }
    });
    send({ type: 'ready' });
  });
}

/** Holds this thread until every warm-up task has arrived (each then has a thread of its own). */
async function warmUp({ arrived, count, timeoutMs }: WarmTask['warm']): Promise<void> {
  Atomics.add(arrived, 0, 1);
  const until = Date.now() + timeoutMs;
  while (Atomics.load(arrived, 0) < count && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
}

function errorEvent(error: unknown): ThreadEvent {
  return error instanceof Error
    ? { type: 'error', message: error.message, stack: error.stack }
    : { type: 'error', message: String(error) };
}

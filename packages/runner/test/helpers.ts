/**
 * Test fixtures of the runner: a counting HTTP target on 127.0.0.1, small HTTP cases, a task run
 * inserted straight into the tables (the API's start does the same through its routes), and reads
 * of what the runs wrote.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CardType, ContentType, OperateMode, PACKED_STATS, PressureMode, ProtocolType, RunStatus, type CaseInfoDetail, type TestCaseStage } from '@perftest/model';
import { openDatabase, type Database } from '@perftest/store';
import postgres from 'postgres';
import { checkCaseInput, type CaseInput } from '../src/case-input.js';
import { peakUsers } from '../src/lifecycle/start-stop.js';

/** A fresh database: PGlite in memory, or a new database on DATABASE_URL's server dropped after. */
export async function openTestDatabase(backend: 'pglite' | 'postgres'): Promise<{ db: Database; drop(): Promise<void> }> {
  if (backend === 'pglite') {
    const db = await openDatabase({ dataDir: 'memory://' });
    return { db, drop: () => db.close() };
  }
  const base = new URL(process.env.DATABASE_URL as string);
  const name = `perftest_r_${randomBytes(6).toString('hex')}`;
  const admin = postgres(base.toString(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  base.pathname = `/${name}`;
  const db = await openDatabase({ databaseUrl: base.toString(), dataDir: '' });
  return {
    db,
    drop: async () => {
      await db.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/** A local HTTP server counting the requests it answered. */
export interface CountingTarget {
  url: string;
  count: number;
  /** Epoch ms of the first request (NaN before). */
  firstAt: number;
  close(): Promise<void>;
}

/** Starts the target: every request is answered 200 at once and counted. */
export async function startTarget(): Promise<CountingTarget> {
  const target = { url: '', count: 0, firstAt: Number.NaN } as CountingTarget;
  const server: Server = createServer((req, res) => {
    if (target.count === 0) target.firstAt = Date.now();
    target.count++;
    req.resume();
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  target.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  target.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return target;
}

/** A concurrency stage of `users` for `seconds`. */
export function usersStage(users: number, seconds: number): TestCaseStage {
  return { name: `u${users}`, pressure_mode: PressureMode.Concurrency, operate_mode: OperateMode.ByDuration, time: seconds, issue_num: users };
}

/** A TPS stage of `tps` for `seconds` from at most `users` users. */
export function tpsStage(tps: number, seconds: number, users: number): TestCaseStage {
  return { name: `t${tps}`, pressure_mode: PressureMode.Tps, operate_mode: OperateMode.ByDuration, time: seconds, tps_value: tps, issue_num: users };
}

/** A case with one GET card on `url` and a think time of `thinkMs` after it. */
export function httpCase(name: string, url: string, stages: TestCaseStage[], thinkMs = 50): CaseInfoDetail {
  return {
    name,
    contents: [
      {
        data_type: CardType.Request,
        content: [
          { content_type: ContentType.Packet, content: { protocol_type: ProtocolType.Http, name: `${name}-get`, method: 'GET', url } },
          ...(thinkMs > 0 ? [{ content_type: ContentType.ThinkTime, content: { think_time: thinkMs } }] : []),
        ],
      },
    ],
    stages,
  } as CaseInfoDetail;
}

/** Inserts a suite, a task and a waiting task run with one case run per case; returns the ids. */
export async function insertRun(db: Database, cases: CaseInfoDetail[], parallel: boolean): Promise<{ taskRunId: number; caseRunIds: number[] }> {
  const [suite] = await db.query<{ id: number }>("insert into test_suites(project, name) values ('p', 's') returning id");
  const [task] = await db.query<{ id: number }>("insert into tasks(test_suite_id, name, parallel) values ($1, 't', $2) returning id", [suite.id, parallel]);
  const [run] = await db.query<{ id: number }>(
    `insert into task_runs(task_id, test_suite_id, name, parallel, status) values ($1, $2, 't', $3, ${RunStatus.Waiting}) returning id`,
    [task.id, suite.id, parallel],
  );
  const caseRunIds: number[] = [];
  for (const [i, kase] of cases.entries()) {
    const input: CaseInput = { case: kase, variables: [], transactions: [] };
    const checked = await checkCaseInput(input);
    if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
    const [row] = await db.query<{ id: number }>(
      `insert into case_runs(task_run_id, position, name, status, input, cards, users)
       values ($1, $2, $3, ${RunStatus.Waiting}, $4::jsonb, $5::jsonb, $6) returning id`,
      [run.id, i + 1, kase.name, JSON.stringify(checked.prepared), JSON.stringify(checked.cards), peakUsers(checked.prepared)],
    );
    caseRunIds.push(row.id);
  }
  return { taskRunId: run.id, caseRunIds };
}

/** Status of a task run. */
export async function taskRunStatus(db: Database, id: number): Promise<{ status: number; reason: string | null }> {
  const [row] = await db.query<{ status: number; reason: string | null }>('select status, reason from task_runs where id = $1', [id]);
  return row;
}

/** Polls until the task run reaches one of `statuses` or `timeoutMs` passes; returns the last status. */
export async function waitForStatus(db: Database, id: number, statuses: number[], timeoutMs: number): Promise<number> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { status } = await taskRunStatus(db, id);
    if (statuses.includes(status) || Date.now() > until) return status;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Requests recorded in the intervals of the case runs (all cards, all rows). */
export async function recordedRequests(db: Database, caseRunIds: number[]): Promise<number> {
  const [row] = await db.query<{ n: number | null }>(
    `select sum((c.value->>${PACKED_STATS.requests})::bigint) as n
       from intervals i, jsonb_each(i.data->'cards') as c
      where i.case_run_id in (select jsonb_array_elements_text($1::jsonb)::bigint)`,
    [JSON.stringify(caseRunIds)],
  );
  return Number(row.n ?? 0);
}

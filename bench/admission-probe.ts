/**
 * The probes of bench:admission's storm, in a process of their own so that their times are not the
 * bench process's waits (it signs and sends the 50 starts and serves the target): GET /health and
 * signed CRUD (a task read and a test suite created, alternately), each one request at a time with
 * 20 ms between, until told to stop; every sample is sent back as [kind, phase, ms]. Forked by
 * bench/admission.ts with its ProbeData as the first message.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { TestClient } from '../apps/api/test/helpers.js';

/** What the bench hands the probe thread. */
export interface ProbeData {
  baseUrl: string;
  ak: string;
  sk: string;
  project: string;
  taskIds: number[];
}

const send = (message: unknown): void => void process.send?.(message);
const data = await new Promise<ProbeData>((resolve) => process.once('message', (m) => resolve(m as ProbeData)));
const client = new TestClient(data.baseUrl, { kind: 'sign', ak: data.ak, sk: data.sk });
let phase = 'before';
let stopping = false;
process.on('message', (message: { phase?: string; stop?: boolean }) => {
  if (message.phase !== undefined) phase = message.phase;
  if (message.stop) stopping = true;
});
send('ready');

async function probe(kind: 'health' | 'crud'): Promise<void> {
  let i = 0;
  while (!stopping) {
    const at = phase;
    const t0 = performance.now();
    if (kind === 'health') {
      const res = await fetch(`${data.baseUrl}/health`);
      await res.text();
      if (res.status !== 200) throw new Error(`/health ${res.status}`);
    } else if (i++ % 2 === 0) {
      const res = await client.get(`/v1/${data.project}/tasks/${data.taskIds[i % data.taskIds.length]}`);
      if (res.status !== 200) throw new Error(`task read ${res.status}`);
    } else {
      const res = await client.post(`/v1/${data.project}/test-suites`, { name: `crud-${i}` });
      if (res.status !== 201) throw new Error(`suite create ${res.status}`);
    }
    send([kind, at, performance.now() - t0]);
    await sleep(20);
  }
}

await Promise.all([probe('health'), probe('crud')]);
send('done');
process.disconnect?.();

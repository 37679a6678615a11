/**
 * A preload of bench:cards (`--trace`): loaded into the server process with NODE_OPTIONS
 * `--import`, in the main thread and in every worker thread, it appends one line of JSON every
 * 100 ms to the file named by PERFTEST_MEMORY_TRACE: the time, the thread, the process's resident
 * memory, this thread's V8 heap (used, total), the main thread's external and array-buffer memory,
 * and the size of every WebAssembly memory the thread instantiated (PGlite's Postgres lives in one;
 * it never shrinks). bench/cards-bench.ts reads the file back and prints where the memory went.
 * Plain JavaScript: it is loaded before tsx.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { isMainThread, threadId } from 'node:worker_threads';

const file = process.env.PERFTEST_MEMORY_TRACE;
if (file) {
  /** WebAssembly memories seen so far (instances' exported and constructed ones). */
  const memories = new Set();
  const remember = (instance) => {
    for (const value of Object.values(instance?.exports ?? {})) if (value instanceof WebAssembly.Memory) memories.add(value);
  };
  const Memory = WebAssembly.Memory;
  WebAssembly.Memory = function (descriptor) {
    const memory = new Memory(descriptor);
    memories.add(memory);
    return memory;
  };
  WebAssembly.Memory.prototype = Memory.prototype;
  const instantiate = WebAssembly.instantiate;
  WebAssembly.instantiate = async (...args) => {
    const result = await instantiate.apply(WebAssembly, args);
    remember(result instanceof WebAssembly.Instance ? result : result.instance);
    return result;
  };
  const instantiateStreaming = WebAssembly.instantiateStreaming;
  if (instantiateStreaming) {
    WebAssembly.instantiateStreaming = async (...args) => {
      const result = await instantiateStreaming.apply(WebAssembly, args);
      remember(result.instance);
      return result;
    };
  }
  if (isMainThread) {
    // worker threads started with an execArgv of their own (piscina's engine threads) load it too
    const threads = createRequire(import.meta.url)('node:worker_threads');
    const Worker = threads.Worker;
    threads.Worker = class extends Worker {
      constructor(filename, options = {}) {
        super(filename, { ...options, execArgv: [`--import=${import.meta.url}`, ...(options.execArgv ?? process.execArgv)] });
      }
    };
    // ES modules that import { Worker } (piscina) read the builtin's ESM bindings: update them too
    createRequire(import.meta.url)('node:module').syncBuiltinESMExports();
  }
  /** Major (mark-compact) collections so far. */
  let majorGcs = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (entry.detail?.kind === 4 /* NODE_PERFORMANCE_GC_MAJOR */) majorGcs++;
  }).observe({ entryTypes: ['gc'] });
  const mb = (bytes) => Math.round((bytes / 1048576) * 10) / 10;
  /**
   * Resident MB of the mappings whose size is that of a WebAssembly memory (V8 maps each one's
   * accessible part as a mapping of its own): what of PGlite's memory has been touched.
   */
  let lastSmaps = 0;
  let wasmResident;
  const residentOf = (sizes) => {
    const at = Date.now();
    if (at - lastSmaps < 2000) return wasmResident;
    lastSmaps = at;
    let kb = 0;
    let size = -1;
    for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
      const range = /^([0-9a-f]+)-([0-9a-f]+) /.exec(line);
      if (range) size = parseInt(range[2], 16) - parseInt(range[1], 16);
      else if (line.startsWith('Rss:') && sizes.has(size)) kb += Number(line.split(/\s+/)[1]);
    }
    wasmResident = mb(kb * 1024);
    return wasmResident;
  };
  const sample = () => {
    const heap = getHeapStatistics();
    const line = { t: Date.now(), thread: isMainThread ? 0 : threadId, heapUsed: mb(heap.used_heap_size), heapTotal: mb(heap.total_heap_size) };
    for (const space of getHeapSpaceStatistics()) {
      const name = { new_space: 'new', old_space: 'old', large_object_space: 'large', code_space: 'code' }[space.space_name];
      if (name !== undefined) line[name] = mb(space.space_used_size);
    }
    line.majorGcs = majorGcs;
    let wasm = 0;
    for (const memory of memories) wasm += memory.buffer.byteLength;
    line.wasm = mb(wasm);
    if (isMainThread && memories.size > 0) line.wasmResident = residentOf(new Set([...memories].map((m) => m.buffer.byteLength)));
    if (isMainThread) {
      const usage = process.memoryUsage();
      line.rss = mb(usage.rss);
      line.external = mb(usage.external);
      line.arrayBuffers = mb(usage.arrayBuffers);
    }
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  };
  setInterval(sample, 100).unref();
}

/*
 * With PERFTEST_HEAP_SAMPLE (a directory): V8's sampling heap profiler, counting objects collected
 * since (garbage too), one profile per SIGUSR2 (the bench sends one at the end of each phase).
 */
const sampleDir = process.env.PERFTEST_HEAP_SAMPLE;
if (sampleDir && isMainThread) {
  const { Session } = await import('node:inspector');
  const { writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))));
  const start = () =>
    post('HeapProfiler.startSampling', { samplingInterval: 32768, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  await start();
  let n = 0;
  process.on('SIGUSR2', async () => {
    const { profile } = await post('HeapProfiler.stopSampling');
    writeFileSync(`${sampleDir}/${String(++n).padStart(2, '0')}.heapprofile`, JSON.stringify(profile));
    await start();
  });
}

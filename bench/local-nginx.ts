/**
 * A minimal nginx on 127.0.0.1 for the engine benchmarks (bench:http, bench:tps, bench:users): one
 * worker, no access log, unlimited keep-alive, every request answered 200 "ok"; installs
 * nginx-light with apt-get when nginx is missing. Stopped with stop().
 */
import { execFileSync, spawnSync } from 'node:child_process';
import net from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A running nginx. */
export interface LocalNginx {
  url: string;
  pid: number;
  stop(): void;
}

function ensureNginx(): void {
  if (spawnSync('sh', ['-c', 'command -v nginx']).status === 0) return;
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
  execFileSync('apt-get', ['install', '-y', '-qq', 'nginx-light'], {
    stdio: 'ignore',
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', DEBIAN_FRONTEND: 'noninteractive' },
  });
}

/** A TCP port on 127.0.0.1 that nothing listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts nginx on a free port with room for `connections` keep-alive connections; `cpu` pins its
 * worker to that core. `locations` replaces the default `location / { return 200 "ok\n"; }`.
 */
export async function startNginx(connections = 8192, cpu?: number, locations?: string): Promise<LocalNginx> {
  ensureNginx();
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'perftest-nginx-'));
  const pidFile = path.join(dir, 'nginx.pid');
  // nginx needs far more connection slots than the clients it holds (with about 5 % headroom a few
  // dozen of 10,000 keep-alive clients starve); twice the clients is plenty.
  const slots = 2 * connections + 1024;
  const affinity = cpu === undefined ? '' : `worker_cpu_affinity 1${'0'.repeat(cpu)};\n`;
  writeFileSync(
    path.join(dir, 'nginx.conf'),
    `worker_processes 1;
${affinity}worker_rlimit_nofile ${slots + 1024};
pid ${pidFile};
error_log ${path.join(dir, 'error.log')};
events { worker_connections ${slots}; }
http { access_log off; keepalive_requests 10000000; keepalive_timeout 300s;
  server { listen 127.0.0.1:${port} backlog=${Math.min(connections, 65535)};
${locations ?? '    location / { return 200 "ok\\n"; }'}
  } }
`,
  );
  try {
    execFileSync('nginx', ['-c', path.join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  let pid = 0;
  for (let i = 0; i < 50 && pid === 0; i++) {
    try {
      pid = Number(readFileSync(pidFile, 'utf8').trim());
    } catch {
      spawnSync('sleep', ['0.1']);
    }
  }
  return {
    url: `http://127.0.0.1:${port}/`,
    pid,
    stop() {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

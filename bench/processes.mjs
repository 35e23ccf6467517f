/**
 * The two servers under test, each a child process of its own: the service (`node
 * dist/src/main.js`) and the floor (`node bench/floor.mjs`), on free ports, output to log files.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import getPort from 'get-port';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const READY_TIMEOUT_MS = 60_000;

/** The environment of a child: the runner's, minus anything that would change the service. */
function childEnvironment(overrides) {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(BOOTSTRAP_|PAGINATION_|AVATARS$|DATA_DIR$)/.test(name)) delete env[name];
  }
  return { ...env, ...overrides };
}

/** Starts `node [nodeOptions] script` and resolves once GET /-/health/ready/ answers 200. */
async function startServer(
  label,
  script,
  { databaseUrl, secretKey, logFile, nodeOptions = [], env: extra = {} },
) {
  const port = await getPort({ host: '127.0.0.1' });
  const env = childEnvironment({
    DATABASE_URL: databaseUrl,
    SECRET_KEY: secretKey,
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    MIGRATE_ON_START: 'false',
    GRANT_CLEANUP_INTERVAL_SECONDS: '0',
    NODE_ENV: 'production',
    // The rate limiter stays on, with its cost, at a limit no run of the benchmark reaches.
    RATE_LIMIT_PER_MINUTE: '1000000',
    ...extra,
  });
  const child = spawn(process.execPath, [...nodeOptions, script], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile);
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const server = {
    label,
    child,
    pid: child.pid,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    exited,
    logFile,
  };
  await waitUntilReady(server);
  return server;
}

async function waitUntilReady(server) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let gone = null;
  void server.exited.then((status) => (gone = status));
  while (Date.now() < deadline) {
    if (gone) throw await startFailure(server, `exited (${gone.signal ?? gone.code})`);
    try {
      const response = await fetch(`${server.baseUrl}/-/health/ready/`);
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await stopServer(server);
  throw await startFailure(server, `was not ready after ${READY_TIMEOUT_MS / 1000} s`);
}

async function startFailure(server, what) {
  const output = await readFile(server.logFile, 'utf8').catch(() => '');
  return new Error(
    `${server.label} ${what}; its output (${server.logFile}):\n${output.slice(-4000)}`,
  );
}

/**
 * The Node.js flags `npm start` runs the service with (package.json's start script: `node [flags]
 * dist/src/main.js`), so that it is measured as it runs (the heap ceiling changes how much memory
 * V8 lets it take).
 */
export async function startFlags() {
  const { scripts } = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8'));
  const match = /^node((?:\s+--\S+)*)\s+dist\/src\/main\.js$/.exec(scripts.start);
  if (!match) {
    throw new Error(
      `package.json's start script is not "node [flags] dist/src/main.js": ${scripts.start}`,
    );
  }
  return match[1].split(/\s+/).filter(Boolean);
}

/**
 * The service, with the flags of `npm start`; with `profileFile`, under the V8 CPU profiler, which writes that file when the
 * service exits; with `adapter`, on that HTTP adapter (HTTP_ADAPTER) instead of its default.
 */
export async function startService({ databaseUrl, secretKey, logFile, profileFile, adapter }) {
  const nodeOptions = await startFlags();
  if (profileFile) {
    nodeOptions.push(
      '--cpu-prof',
      `--cpu-prof-dir=${path.dirname(profileFile)}`,
      `--cpu-prof-name=${path.basename(profileFile)}`,
    );
  }
  return startServer(adapter ? `service (${adapter})` : 'service', 'dist/src/main.js', {
    databaseUrl,
    secretKey,
    logFile,
    nodeOptions,
    env: adapter ? { HTTP_ADAPTER: adapter } : {},
  });
}

export const startFloor = ({ databaseUrl, secretKey, logFile }) =>
  startServer('floor', 'bench/floor.mjs', { databaseUrl, secretKey, logFile });

/** SIGTERM (both drain and exit), SIGKILL after 10 s. */
export async function stopServer(server) {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 10_000);
  await server.exited;
  clearTimeout(timer);
}

/** Resident memory now and at its peak (VmHWM), in MiB, from /proc (Linux). */
export async function memoryOf(server) {
  const status = await readFile(`/proc/${server.pid}/status`, 'utf8').catch(() => null);
  if (!status) return null;
  const kib = (field) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMiB: kib('VmRSS') / 1024, peakRssMiB: kib('VmHWM') / 1024 };
}

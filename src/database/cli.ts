/**
 * Runs the TypeORM CLI (`typeorm -d dist/ormconfig.js <args>`) against DATABASE_URL, or against the
 * embedded PostgreSQL under DATA_DIR when DATABASE_URL is unset, stopping it afterwards.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { loadConfig } from '../config/config.js';
import { openDatabase } from './database.js';

const require = createRequire(import.meta.url);
const typeormCli = path.join(path.dirname(require.resolve('typeorm')), 'cli.js');
const ormconfig = fileURLToPath(new URL('../../ormconfig.js', import.meta.url));

const { url, embedded } = await openDatabase(loadConfig());
const child = spawn(process.execPath, [typeormCli, '-d', ormconfig, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, DATABASE_URL: url },
});
const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
await embedded?.stop();
process.exit(code);

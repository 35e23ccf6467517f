import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory.js';
import { ConfigError, loadConfig } from './config/config.js';
import { openDatabase, resolveSecretKey } from './database/database.js';

const logger = new Logger('Main');

async function main(): Promise<void> {
  const config = loadConfig();
  const secretKey = await resolveSecretKey(config);
  const database = await openDatabase(config);
  const app = await createApp({ ...config, secretKey, databaseUrl: database.url }).catch(
    async (error: unknown) => {
      await database.embedded?.stop();
      throw error;
    },
  );
  await app.listen(config.port, config.host);

  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
  const where = database.embedded ? `embedded PostgreSQL in ${config.dataDir}` : 'DATABASE_URL';
  logger.log(`grants-api listening on ${url} — API docs ${url}/api/v3/docs/ — database: ${where}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: draining requests and shutting down`);
    try {
      await app.close();
      await database.embedded?.stop();
      process.exit(0);
    } catch (error) {
      logger.error(`shutdown failed: ${String(error)}`);
      process.exit(1);
    }
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop(signal));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(
      `grants-api failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
  }
  process.exit(1);
});

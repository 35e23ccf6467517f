import 'reflect-metadata';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import { Logger, type INestApplication } from '@nestjs/common';
import { createApp } from './app.factory.js';
import { ConfigError, loadConfig } from './config/config.js';
import {
  migrate,
  openDatabase,
  resolveSecretKey,
  serviceDatabaseTuning,
} from './database/database.js';

const logger = new Logger('Main');

/** Requests still running this long after SIGTERM are cut off, so that the exit comes within 10 s. */
const DRAIN_LIMIT_MS = 7_000;
/** The last resort when even the database does not stop. */
const SHUTDOWN_LIMIT_MS = 9_500;

const UNAVAILABLE = JSON.stringify({ detail: 'Service temporarily unavailable.' });

/**
 * Graceful stop of the HTTP server. `drain()` stops listening at once (new connections are
 * refused); requests already received finish, each connection closing once its last answer has
 * been handed to the OS; a request that still arrives over a kept-alive connection is answered 503
 * with `Connection: close`, so no client keeps the process alive. Connections left after
 * DRAIN_LIMIT_MS are cut. Resolves once every connection is closed.
 *
 * Node's own `server.close()` is not used: it destroys connections it deems idle, including one
 * whose answer is complete but still buffered for a slow reader, which would lose its tail.
 */
/**
 * Closes a connection whose answers are all with the OS in stages (RFC 9112 §9.6): the write side
 * first, then the whole once the client closes its side (or the drain's cut-off). Closing at once
 * would let a request already on its way make the OS answer with a reset, which can erase the end
 * of the last answer before the client has read it. What still arrives is read and dropped.
 */
function closeInStages(socket: Socket): void {
  socket.removeAllListeners('data');
  socket.on('data', () => undefined);
  if (socket.readableEnded) {
    socket.destroySoon();
    return;
  }
  socket.once('end', () => socket.destroy());
  socket.end();
  socket.resume();
}

function drainable(server: Server) {
  let draining = false;
  /** Per connection, the answers not yet handed to the OS. */
  const pending = new Map<Socket, number>();
  const responses = new Set<ServerResponse>();
  server.on('connection', (socket: Socket) => {
    pending.set(socket, 0);
    socket.once('close', () => pending.delete(socket));
  });
  const listeners = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    pending.set(socket, (pending.get(socket) ?? 0) + 1);
    // 'close' follows 'finish': the whole answer is with the OS (or the client went away).
    response.once('close', () => {
      responses.delete(response);
      if (!pending.has(socket)) return;
      const left = pending.get(socket)! - 1;
      pending.set(socket, left);
      if (draining && left === 0) closeInStages(socket);
    });
    if (draining) {
      response.writeHead(503, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(UNAVAILABLE),
        Connection: 'close',
      });
      response.end(UNAVAILABLE);
      return;
    }
    responses.add(response);
    for (const listener of listeners) listener.call(server, request, response);
  });

  return async function drain(): Promise<void> {
    draining = true;
    const closed = new Promise<void>((resolve) =>
      net.Server.prototype.close.call(server, () => resolve()),
    );
    for (const response of responses) {
      if (!response.headersSent) response.setHeader('Connection', 'close');
    }
    for (const [socket, answers] of pending) if (answers === 0) closeInStages(socket);
    const cutOff = setTimeout(() => {
      for (const socket of pending.keys()) socket.destroy();
    }, DRAIN_LIMIT_MS);
    await closed;
    clearTimeout(cutOff);
  };
}

type Stop = (signal: string) => void;

async function main(onStarted: (stop: Stop) => void): Promise<void> {
  const config = loadConfig();
  const secretKey = await resolveSecretKey(config);
  const database = await openDatabase(config);
  let app: INestApplication | undefined;
  try {
    if (config.migrateOnStart) await migrate(database.url);
    app = await createApp(
      { ...config, secretKey, databaseUrl: database.url, migrateOnStart: false },
      serviceDatabaseTuning(config),
    );
  } catch (error) {
    await database.embedded?.stop();
    throw error;
  }
  const server = app.getHttpServer() as Server;
  const drain = drainable(server);
  try {
    await app.listen(config.port, config.host);
  } catch (error) {
    // A port in use, say: nothing may outlive the process, the embedded database least of all.
    await app.close().catch(() => undefined);
    await database.embedded?.stop();
    throw error;
  }

  // The port actually bound: PORT=0 takes a free one.
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  const where = database.embedded ? `embedded PostgreSQL in ${config.dataDir}` : 'DATABASE_URL';
  logger.log(`grants-api listening on ${url} — API docs ${url}/api/v3/docs/ — database: ${where}`);

  const running = app;
  onStarted(async (signal) => {
    setTimeout(() => {
      logger.error(`shutdown did not finish within ${SHUTDOWN_LIMIT_MS} ms`);
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS).unref();
    // Not listening any more by the time this is logged.
    const drained = drain();
    logger.log(`${signal}: draining requests and shutting down`);
    try {
      await drained;
      // Shutdown hooks, the scheduler and the database pool; the server is closed already.
      await running.close();
      await database.embedded?.stop();
      process.exit(0);
    } catch (error) {
      logger.error(`shutdown failed: ${String(error)}`);
      process.exit(1);
    }
  });
}

// Installed before anything starts: a signal during start-up stops the service once it is up,
// rather than killing the process and leaving the embedded database running.
let stop: Stop | undefined;
let stopRequested: string | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopRequested) return;
    stopRequested = signal;
    stop?.(signal);
  });
}

main((ready) => {
  stop = ready;
  if (stopRequested) stop(stopRequested);
}).catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(
      `grants-api failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
  }
  process.exit(1);
});

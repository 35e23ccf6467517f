import pg from 'pg';

type Callback = (error: unknown, result?: unknown) => void;

const isReadTimeout = (error: unknown) =>
  error instanceof Error && error.message === 'Query read timeout';

/**
 * A pg client that gives up its connection when a query outlives `query_timeout`, that is when
 * the server did not answer, not even with a statement-timeout cancellation. pg itself only fails
 * the caller and keeps the connection, still busy with the lost query: back in the pool it would
 * queue the next request behind it, or run it inside a transaction whose ROLLBACK never left.
 * Ended instead, the pool drops it, and the server rolls back whatever the session left open.
 */
export class AbandoningClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    const query = this.query.bind(this) as (...args: unknown[]) => unknown;
    const abandonOn = (error: unknown) => {
      if (isReadTimeout(error)) void this.end();
    };
    this.query = ((...args: unknown[]) => {
      const callback = args.at(-1);
      if (typeof callback === 'function') {
        args[args.length - 1] = (error: unknown, result?: unknown) => {
          abandonOn(error);
          (callback as Callback)(error, result);
        };
      }
      const result = query(...args);
      // A branch of its own: the caller still gets the rejection.
      if (result instanceof Promise) result.catch(abandonOn);
      return result;
    }) as pg.Client['query'];
  }
}

import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from './src/database/data-source-options.js';

/**
 * The TypeORM CLI's data source, built from the same options as the service's. The CLI needs a
 * server address: `npm run migration:run|revert|generate` start the embedded PostgreSQL and set
 * DATABASE_URL when it is unset (see src/database/cli.ts).
 */
const url = process.env.DATABASE_URL;
if (!url) {
  throw new Error(
    'DATABASE_URL is not set: run the TypeORM CLI through `npm run migration:*`, which starts the embedded database',
  );
}

export default new DataSource(buildDataSourceOptions(url));

import pg from 'pg';

/** Drops the template and any database a crashed spec file left behind; stops the server. */
export default async function globalTeardown() {
  const { embedded, adminUrl, template } = globalThis.grantsTestDatabase;
  if (embedded) {
    await embedded.stop();
    return;
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const { rows } = await admin.query(
    'SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2',
    [template, `${template}_%`],
  );
  for (const { datname } of rows) {
    await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  }
  await admin.end();
}

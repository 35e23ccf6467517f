/** Names the global setup hands to the test files through the environment. */
export const ADMIN_URL_ENV = 'GRANTS_TEST_ADMIN_URL';
export const TEMPLATE_ENV = 'GRANTS_TEST_TEMPLATE';

/** `url` with its database name replaced. */
export function withDatabase(url, database) {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

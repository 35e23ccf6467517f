/**
 * The requests measured (issue 6 §1), built from a dataset's parameters. Each is one GET, sent by
 * the superuser unless it says otherwise.
 */
const CODES = '/api/v3/oauth2/authorization_codes/';
const REFRESH_TOKENS = '/api/v3/oauth2/refresh_tokens/';

/** The offset of the deep-page scenario, and the page size it pages by. */
const DEEP_OFFSET = 100_000;
const DEEP_PAGE_SIZE = 20;

export const SCENARIOS = [
  {
    id: 'list-20',
    title: 'list, page 1, page_size 20',
    path: () => `${CODES}?page_size=20`,
  },
  {
    id: 'list-100',
    title: 'list, page 1, page_size 100',
    path: () => `${CODES}?page_size=100`,
  },
  {
    id: 'filter-user',
    title: 'list filtered by `user` (busiest user)',
    path: (p) => `${CODES}?user=${p.userId}`,
  },
  {
    id: 'filter-provider',
    title: 'list filtered by `provider` (busiest provider)',
    path: (p) => `${CODES}?provider=${p.providerId}`,
  },
  {
    id: 'order-expires',
    title: 'list ordered by `-expires`',
    path: () => `${CODES}?ordering=-expires`,
  },
  {
    id: 'search',
    title: '`search` for a username fragment',
    path: (p) => `${CODES}?search=${encodeURIComponent(p.searchFragment)}`,
  },
  {
    id: 'plain-user',
    title: 'plain user lists their own codes',
    user: 'plain',
    path: () => CODES,
  },
  {
    id: 'deep-page',
    title: `deep page (offset ${DEEP_OFFSET / 1000}k)`,
    path: () => `${CODES}?page=${DEEP_OFFSET / DEEP_PAGE_SIZE + 1}&page_size=${DEEP_PAGE_SIZE}`,
    // Only where the page exists.
    applies: (dataset) => dataset.size >= DEEP_OFFSET + DEEP_PAGE_SIZE,
  },
  {
    id: 'retrieve',
    title: 'retrieve one code',
    path: (p) => `${CODES}${p.codeId}/`,
  },
  {
    id: 'refresh-list-20',
    title: 'refresh tokens list, page 1 (id_token rendered)',
    path: () => `${REFRESH_TOKENS}?page_size=20`,
    applies: (dataset) => dataset.summary.counts.refresh_tokens > 0,
  },
];

/** The scenarios of `dataset` ({ path, key } resolved), limited to `only` ids when given. */
export function scenariosFor(dataset, only) {
  const unknown = only.filter((id) => !SCENARIOS.some((s) => s.id === id));
  if (unknown.length > 0) throw new Error(`unknown scenario(s): ${unknown.join(', ')}`);
  return SCENARIOS.filter((s) => only.length === 0 || only.includes(s.id))
    .filter((s) => !s.applies || s.applies(dataset))
    .map((s) => ({
      id: s.id,
      title: s.title,
      path: s.path(dataset.parameters),
      key: s.user === 'plain' ? dataset.tokens.plainKey : dataset.tokens.superuserKey,
    }));
}

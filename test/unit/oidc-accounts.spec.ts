import { createHash } from 'node:crypto';
import { subjectOf, type SignedInUser } from '../../src/oidc/oidc-accounts.js';

const INSTALL = '7f0c2b1e-1111-4222-8333-944445555666';
const user: SignedInUser = {
  id: 42,
  uuid: '0b6c9a1e-2222-4333-8444-955556666777',
  username: 'jdoe',
  name: 'J. Doe',
  email: 'jdoe@example.com',
  attributes: { upn: 'jdoe@corp.example' },
};

describe('subjectOf (the sub claim per sub_mode, as authentik computes it)', () => {
  it('hashes "<pk>-<install id>" for hashed_user_id', () => {
    const expected = createHash('sha256').update(`42-${INSTALL}`, 'ascii').digest('hex');
    expect(subjectOf(user, 'hashed_user_id', INSTALL)).toBe(expected);
  });

  it.each([
    ['user_id', '42'],
    ['user_uuid', user.uuid],
    ['user_username', 'jdoe'],
    ['user_email', 'jdoe@example.com'],
    ['user_upn', 'jdoe@corp.example'],
  ] as const)('uses the user’s field for %s', (mode, expected) => {
    expect(subjectOf(user, mode, INSTALL)).toBe(expected);
  });

  it('falls back to the hashed id for user_upn when the user has no upn attribute', () => {
    for (const attributes of [{}, { upn: '' }, { upn: 7 }]) {
      expect(subjectOf({ ...user, attributes }, 'user_upn', INSTALL)).toBe(
        subjectOf(user, 'hashed_user_id', INSTALL),
      );
    }
  });
});

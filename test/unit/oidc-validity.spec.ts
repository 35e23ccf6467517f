import { validitySeconds } from '../../src/oidc/validity.js';

describe('validitySeconds (authentik validity strings as engine TTLs)', () => {
  it.each([
    ['minutes=1', 60],
    ['hours=1', 3600],
    ['days=30', 30 * 86_400],
    ['weeks=1;days=2;hours=3;minutes=4;seconds=5', 604_800 + 2 * 86_400 + 3 * 3600 + 4 * 60 + 5],
    ['hours=1.5', 5400],
    ['seconds=90;milliseconds=999', 90],
    ['Hours=2', 7200],
    [' minutes = 3 ', 180],
    ['hours=1;bogus=3', 3600],
  ])('reads %j as %d seconds', (value, seconds) => {
    expect(validitySeconds(value)).toBe(seconds);
  });

  it('never answers less than one second', () => {
    expect(validitySeconds('seconds=0')).toBe(1);
    expect(validitySeconds('microseconds=10')).toBe(1);
  });

  it.each([
    '',
    'hours',
    'hours=',
    'hours=-1',
    'hours=abc',
    'fortnights=1',
    'hours=1=2',
    null,
    undefined,
  ])('finds nothing usable in %j (the caller uses its default)', (value) => {
    expect(validitySeconds(value)).toBeUndefined();
  });
});

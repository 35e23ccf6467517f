import { SecretBox } from '../../src/common/crypto/secret-box.js';

describe('SecretBox.digestFor', () => {
  const box = new SecretBox({ secretKey: 'unit-test-secret-key-of-some-length' });

  it('computes a request key digest once, equal to digest()', () => {
    const request = {};
    const first = box.digestFor(request, 'key-one');
    expect(first.equals(box.digest('key-one'))).toBe(true);
    // The same Buffer: the rate limiter and the AuthGuard share one computation.
    expect(box.digestFor(request, 'key-one')).toBe(first);
  });

  it('never answers for another key or another request', () => {
    const request = {};
    const one = box.digestFor(request, 'key-one');
    const two = box.digestFor(request, 'key-two');
    expect(two.equals(box.digest('key-two'))).toBe(true);
    expect(two.equals(one)).toBe(false);
    const other = box.digestFor({}, 'key-two');
    expect(other).not.toBe(two);
    expect(other.equals(two)).toBe(true);
  });
});

/**
 * Compares the keys an answer carries with the keys authentik's generated client reads: the
 * compatibility target reads exactly what we send (contract, "Compatibility target").
 */
/** Every key path a generated-client model reads while decoding `json`. */
export function keysRead(decode: (json: unknown) => unknown, json: unknown): Set<string> {
  const read = new Set<string>();
  const wrap = (value: unknown, path: string): unknown => {
    if (value === null || typeof value !== 'object') return value;
    return new Proxy(value as object, {
      get(target, key, receiver) {
        const child = Reflect.get(target, key, receiver);
        if (typeof key !== 'string' || (Array.isArray(target) && !/^\d+$/.test(key))) return child;
        const childPath = Array.isArray(target) ? `${path}[]` : `${path}.${key}`;
        if (!Array.isArray(target)) read.add(childPath);
        // Free-form objects (attributes) are read whole, not key by key.
        return key === 'attributes' ? child : wrap(child, childPath);
      },
    });
  };
  decode(wrap(json, ''));
  return read;
}

/** Every key path of `json` (free-form `attributes` objects count as one key). */
export function keysSent(json: unknown, path = '', into = new Set<string>()): Set<string> {
  if (Array.isArray(json)) json.forEach((item) => keysSent(item, `${path}[]`, into));
  else if (json !== null && typeof json === 'object') {
    for (const [key, value] of Object.entries(json)) {
      into.add(`${path}.${key}`);
      if (key !== 'attributes') keysSent(value, `${path}.${key}`, into);
    }
  }
  return into;
}

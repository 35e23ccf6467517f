/**
 * With `--profile`, the service runs under `node --cpu-prof`; its profile (written when it exits) is
 * summed here by where the code comes from — a package under node_modules, a folder of the
 * service, Node's internals, the garbage collector — to show where the service's main thread spends
 * its time. V8 samples the thread whether or not it holds a core, so a system call's share includes
 * time spent descheduled inside it. Profiling slows the service down: a profiled run's numbers are
 * not comparable to others.
 */
import { readFile } from 'node:fs/promises';

/** The part of the program a profile node's script belongs to. */
function originOf({ url, functionName }) {
  if (!url) {
    if (functionName === '(garbage collector)') return 'garbage collector';
    if (functionName === '(program)') return 'native: unattributed (V8, libuv, OpenSSL…)';
    // Bindings into C++, e.g. `writev` (socket writes).
    return `native: ${functionName || 'unknown'}`;
  }
  const packageName = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
  if (packageName) return packageName;
  const own = /\/dist\/src\/([^/]+)/.exec(url)?.[1];
  if (own) return `service: src/${own.replace(/\.js$/, '')}`;
  // node:internal/streams/writable → "node: internal/streams"
  if (url.startsWith('node:')) return `node: ${url.slice(5).split('/').slice(0, 2).join('/')}`;
  return url;
}

/**
 * { sampledSeconds, shares: [{ origin, percent }] } of the main thread's busy time (idle
 * excluded), largest first, at most `top` entries (the rest summed as "other").
 */
export async function summariseProfile(file, top = 15) {
  const profile = JSON.parse(await readFile(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byOrigin = new Map();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = nodes.get(id);
    if (node.callFrame.functionName === '(idle)') return;
    const micros = profile.timeDeltas[i] ?? 0;
    const origin = originOf(node.callFrame);
    byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + micros);
    total += micros;
  });
  const sorted = [...byOrigin].sort((a, b) => b[1] - a[1]);
  const shares = sorted
    .slice(0, top)
    .map(([origin, micros]) => ({ origin, percent: (micros / total) * 100 }));
  const rest = sorted.slice(top).reduce((sum, [, micros]) => sum + micros, 0);
  if (rest > 0) shares.push({ origin: 'other', percent: (rest / total) * 100 });
  return { sampledSeconds: total / 1e6, shares };
}

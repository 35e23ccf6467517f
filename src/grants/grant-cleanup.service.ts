import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type QueryRunner } from 'typeorm';
import type { RuntimeConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';

const LOCK_KEY = 'grants-api:grant-cleanup';
const JOB_NAME = 'grant-cleanup';

export interface CleanupReport {
  authorization_codes: number;
  access_tokens: number;
  refresh_tokens: number;
  /** Revoked refresh tokens past the retention window. */
  revoked_refresh_tokens: number;
  /** The OAuth2/OIDC engine's expired records: sessions, interactions, grants, exchanged codes. */
  oidc_records: number;
  /** DELETE statements run, each removing at most one batch. */
  batches: number;
}

/*
 * What each pass deletes. The inner SELECT ... LIMIT keeps every statement (and its locks) to one
 * batch; the partial indexes on expires / revoked_at find the rows without scanning the tables.
 * Expired refresh tokens that were revoked stay until their retention ends (replay detection).
 */
const PASSES: {
  key: Exclude<keyof CleanupReport, 'batches'>;
  table: string;
  where: string;
  /** The primary key's columns, which the batch is selected by. */
  pk?: string;
}[] = [
  {
    key: 'authorization_codes',
    table: 'authorization_codes',
    where: 'expiring AND expires < now()',
  },
  { key: 'access_tokens', table: 'access_tokens', where: 'expiring AND expires < now()' },
  {
    key: 'refresh_tokens',
    table: 'refresh_tokens',
    where: 'expiring AND expires < now() AND NOT revoked',
  },
  {
    key: 'revoked_refresh_tokens',
    table: 'refresh_tokens',
    where: 'revoked AND revoked_at < now() - make_interval(days => $2)',
  },
  // Exchanged codes are kept there until their expiry (replay detection), then go too.
  { key: 'oidc_records', table: 'oidc_records', where: 'expires_at < now()', pk: 'model, id' },
];

/**
 * Deletes expired grants in bounded batches, every GRANT_CLEANUP_INTERVAL_SECONDS. One run at a
 * time across every instance sharing the database (a session-level advisory lock); reads never
 * depend on it, since `is_expired` is computed at query time.
 */
@Injectable()
export class GrantCleanupService implements OnApplicationBootstrap {
  private readonly logger = new Logger('GrantCleanup');
  private running = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: RuntimeConfig,
    private readonly scheduler: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    const { intervalSeconds } = this.config.cleanup;
    if (intervalSeconds === 0) return;
    const timer = setInterval(() => void this.runLogged(), intervalSeconds * 1000);
    timer.unref();
    this.scheduler.addInterval(JOB_NAME, timer);
  }

  /** One cleanup; null when another run (in this or another instance) is under way. */
  async run(): Promise<CleanupReport | null> {
    if (this.running) return null;
    this.running = true;
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      const [{ locked }] = await runner.query(
        'SELECT pg_try_advisory_lock(hashtext($1)) AS locked',
        [LOCK_KEY],
      );
      if (!locked) return null;
      try {
        return await this.deleteExpired(runner);
      } finally {
        await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [LOCK_KEY]);
      }
    } finally {
      this.running = false;
      await runner.release();
    }
  }

  private async deleteExpired(runner: QueryRunner): Promise<CleanupReport> {
    const { batchSize, revokedRetentionDays } = this.config.cleanup;
    const report: CleanupReport = {
      authorization_codes: 0,
      access_tokens: 0,
      refresh_tokens: 0,
      revoked_refresh_tokens: 0,
      oidc_records: 0,
      batches: 0,
    };
    for (const pass of PASSES) {
      const usesRetention = pass.where.includes('$2');
      const pk = pass.pk ?? 'id';
      const sql = `DELETE FROM ${pass.table} WHERE (${pk}) IN (
        SELECT ${pk} FROM ${pass.table} WHERE ${pass.where} LIMIT $1)`;
      for (;;) {
        const [, deleted] = (await runner.query(
          sql,
          usesRetention ? [batchSize, revokedRetentionDays] : [batchSize],
        )) as [unknown, number];
        report.batches++;
        report[pass.key] += deleted;
        if (deleted < batchSize) break;
      }
    }
    return report;
  }

  private async runLogged(): Promise<void> {
    try {
      const report = await this.run();
      if (report === null) this.logger.debug('skipped: another cleanup is running');
      else this.logger.log({ msg: 'expired grants removed', ...report });
    } catch (error) {
      this.logger.error(
        `cleanup failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}

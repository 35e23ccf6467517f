import { Controller, Get, HttpCode, ServiceUnavailableException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { Public } from '../common/auth/access.decorator.js';

/** Readiness answers 503 when the database has not answered `SELECT 1` by then. */
export const READINESS_TIMEOUT_MS = 1_500;

/** Liveness and readiness probes under authentik's paths. */
@ApiExcludeController()
@Public()
@Controller('-/health')
export class HealthController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The process answers: it does not depend on the database, so an outage restarts nothing. */
  @Get('live')
  @HttpCode(200)
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready() {
    if (!(await this.databaseAnswers())) throw new ServiceUnavailableException();
    return { status: 'ok' };
  }

  /**
   * Never waits longer than READINESS_TIMEOUT_MS, whatever the database does; a connection whose
   * server did not answer in time is closed rather than returned to the pool.
   */
  private async databaseAnswers(): Promise<boolean> {
    const runner = this.dataSource.createQueryRunner();
    const connection = runner.connect() as Promise<PoolClient>;
    const probe = connection
      .then((client) => client.query('SELECT 1'))
      .then(
        () => 'answered' as const,
        () => 'failed' as const,
      );
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), READINESS_TIMEOUT_MS);
    });
    const outcome = await Promise.race([probe, deadline]);
    clearTimeout(timer);
    if (outcome === 'late') void connection.then((client) => client.end()).catch(() => undefined);
    void probe.finally(() => runner.release()).catch(() => undefined);
    return outcome === 'answered';
  }
}

import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** The database's install id (immutable, created by the first migration), read once. */
@Injectable()
export class InstallService implements OnModuleInit {
  private id: string;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async onModuleInit(): Promise<void> {
    const [row] = await this.dataSource.query('SELECT install_id FROM install');
    this.id = row.install_id;
  }

  get installId(): string {
    return this.id;
  }
}

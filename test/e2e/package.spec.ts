/**
 * The published package (issue 8): `npm pack` as a release would, installed into a temporary
 * host project, which must compile against the package's types (by its name, `grants-api`, through
 * package.json `exports`) and load its entry point. Needs the build (`npm test` builds first).
 *
 * The tarball is unpacked into node_modules/grants-api exactly as npm lays a package out; the
 * package's own dependencies are this repository's (symlinked), so that the test runs offline and
 * in seconds. npm itself is not run in the host project: it would rewrite its node_modules, and
 * through links, this repository's.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ENTITIES } from '../../src/database/entities.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc');

/** A host module written against the public API only, as README's example. */
const HOST_MODULE = `
import { Controller, Module, Query } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { InjectDataSource, TypeOrmModule } from '@nestjs/typeorm';
import { IsOptional } from 'class-validator';
import { DataSource } from 'typeorm';
import {
  ChoiceFilter,
  GRANTS_API_ENTITIES,
  GRANTS_API_MIGRATIONS,
  GrantsApiModule,
  ListPaginator,
  ListQuery,
  ListRules,
  PaginatedList,
  References,
  UsersModule,
  UsersService,
  permission,
  resolveGrantsApiConfig,
  type Paginated,
} from 'grants-api';

@ListRules({
  ordering: { pk: 'w.id', name: 'w.name' },
  defaultOrdering: ['name'],
  primaryKey: 'w.id',
  search: ['w.name'],
  filters: { owner: 'w.owner_id', color: 'w.color' },
})
class WidgetListQuery extends ListQuery {
  @IsOptional()
  @References('users')
  owner?: string;

  @ChoiceFilter(['red', 'blue'])
  color?: string;
}

interface Widget {
  pk: number;
  name: string;
}

@Controller('widgets')
class WidgetsController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly lists: ListPaginator,
    readonly users: UsersService,
  ) {}

  @PaginatedList({ operationId: 'widgets_list', permission: permission('host', 'view_widget') })
  list(@Query() query: WidgetListQuery): Promise<Paginated<Widget>> {
    const widgets = this.db.createQueryBuilder().from('widgets', 'w').select('w.id', 'pk');
    return this.lists.paginate(widgets.addSelect('w.name', 'name'), query, (rows: Widget[]) => rows);
  }
}

@Module({
  imports: [
    TypeOrmModule.forRoot({
      type: 'postgres',
      entities: [...GRANTS_API_ENTITIES],
      migrations: [...GRANTS_API_MIGRATIONS],
    }),
    ScheduleModule.forRoot(),
    GrantsApiModule.forRoot({ dataSource: 'default', secretKey: 'k'.repeat(32) }),
  ],
  controllers: [WidgetsController],
})
export class HostModule {}

export const usersOnly = GrantsApiModule.forRootAsync({
  useFactory: () => ({ databaseUrl: 'postgres://db/host', secretKey: 'k'.repeat(32) }),
  features: [UsersModule],
  routePrefix: 'iam',
});

export const maxPageSize: number = resolveGrantsApiConfig({ secretKey: 'k'.repeat(32) }).pagination
  .maxPageSize;

// Fails to compile unless the types are real (not \`any\`): only the default connection is shared.
// @ts-expect-error
GrantsApiModule.forRoot({ dataSource: 'analytics', secretKey: 'k'.repeat(32) });
`;

describe('the npm package', () => {
  let work: string;
  let host: string;
  let packed: { filename: string; files: { path: string }[] };

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'grants-api-pack-'));
    const { stdout } = await run(
      'npm',
      ['pack', '--json', '--ignore-scripts', '--pack-destination', work],
      { cwd: ROOT, timeout: 60_000 },
    );
    [packed] = JSON.parse(stdout);

    host = path.join(work, 'host');
    const modules = path.join(host, 'node_modules');
    await mkdir(path.join(modules, 'grants-api'), { recursive: true });
    await run('tar', [
      '-xzf',
      path.join(work, packed.filename),
      '-C',
      path.join(modules, 'grants-api'),
      '--strip-components=1',
    ]);
    for (const entry of await readdir(path.join(ROOT, 'node_modules'))) {
      if (entry.startsWith('.') || entry === 'grants-api') continue;
      await symlink(path.join(ROOT, 'node_modules', entry), path.join(modules, entry));
    }
    await writeFile(
      path.join(host, 'package.json'),
      JSON.stringify({ name: 'pack-host', private: true, type: 'module' }),
    );
    await writeFile(
      path.join(host, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2023',
          strict: true,
          experimentalDecorators: true,
          emitDecoratorMetadata: true,
          // The package's declaration files are checked too.
          skipLibCheck: false,
          types: ['node'],
          noEmit: true,
        },
        files: ['host.module.ts'],
      }),
    );
    await writeFile(path.join(host, 'host.module.ts'), HOST_MODULE);
  }, 120_000);

  afterAll(async () => {
    // Removes the links, never what they point to.
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('holds the compiled library and its type declarations, not sources or tests', () => {
    const files = packed.files.map((file) => file.path);
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'dist/src/index.js',
        'dist/src/index.d.ts',
        'dist/src/grants-api.module.d.ts',
      ]),
    );
    const unexpected = files.filter(
      (file) =>
        !/^dist\/src\/.+\.(js|d\.ts)$/.test(file) && !/^(package\.json|README\.md)$/.test(file),
    );
    expect(unexpected).toEqual([]);
  });

  it('compiles a host module against the published types, by the package name', async () => {
    const result = await run(process.execPath, [TSC, '-p', 'tsconfig.json'], {
      cwd: host,
      timeout: 120_000,
    }).then(
      () => '',
      (error: { stdout?: string; stderr?: string }) => `${error.stdout}${error.stderr}`,
    );
    expect(result).toBe('');
  }, 120_000);

  it('loads its entry point through package.json exports', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const api = await import('grants-api'); process.stdout.write(JSON.stringify([typeof api.GrantsApiModule.forRoot, api.GRANTS_API_ENTITIES.length]))",
      ],
      { cwd: host, timeout: 60_000 },
    );
    expect(JSON.parse(stdout)).toEqual(['function', ENTITIES.length]);
  }, 60_000);
});

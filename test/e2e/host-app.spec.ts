/**
 * The grants API inside another Nest application (issue 8): the example host of
 * examples/host-app (its own entity, migration, list and health route; our GrantsApiModule on its
 * TypeORM connection, under its global prefix), and feature modules mounted on their own.
 */
import { randomBytes } from 'node:crypto';
import { Controller, Get, Module, type INestApplication, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  AuthorizationCodesModule,
  GRANTS_API_ENTITIES,
  GRANTS_API_MIGRATIONS,
  GrantsApiModule,
  GrantsService,
  INVALID_CHOICE,
  resolveGrantsApiConfig,
  User,
  UsersModule,
  UsersService,
} from 'grants-api';
import pg from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { DeviceSession } from '../../examples/host-app/device-session.entity.js';
import { VIEW_DEVICE_SESSIONS } from '../../examples/host-app/device-sessions.controller.js';
import { createHostApp } from '../../examples/host-app/host-app.js';
import { TEST_SECRET_KEY } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { Fixtures } from '../support/fixtures.js';
import { ADMIN_URL_ENV, withDatabase } from '../support/test-env.mjs';

const OURS = '/admin/api/v3/oauth2/authorization_codes/';
const HOSTS = '/admin/device_sessions/';
const NOT_PROVIDED = { detail: 'Authentication credentials were not provided.' };
const TOKEN_INVALID = { detail: 'Token invalid/expired' };
const DENIED = { detail: 'You do not have permission to perform this action.' };

async function asAdmin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: process.env[ADMIN_URL_ENV] });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A host's log lines, as `context: message`. */
class CollectingLogger implements LoggerService {
  readonly lines: string[] = [];
  private collect = (message: unknown, ...rest: unknown[]) => {
    const context = rest.length > 0 ? String(rest[rest.length - 1]) : '';
    this.lines.push(`${context}: ${String(message)}`);
  };
  log = this.collect;
  error = this.collect;
  warn = this.collect;
  debug = this.collect;
  verbose = this.collect;
  fatal = this.collect;
}

describe('a host application embedding the grants API (examples/host-app)', () => {
  const databaseName = `host_${process.pid}_${randomBytes(4).toString('hex')}`;
  const bootstrapToken = `host-bootstrap-${randomBytes(12).toString('hex')}`;
  const logger = new CollectingLogger();
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  let fixtures: Fixtures;
  let viewer: { id: number; auth: string };
  let plain: { id: number; auth: string };
  let admin: { id: number; auth: string };
  let alice: number;
  let bob: number;
  const sessions: Record<string, number> = {};

  const get = (path: string, auth?: string) => {
    const req = http.get(path);
    return auth ? req.set('Authorization', auth) : req;
  };
  const names = (body: { results: { device_name: string }[] }) =>
    body.results.map((item) => item.device_name);

  beforeAll(async () => {
    // An empty database: the host runs our migrations and its own, in its own migrations table.
    await asAdmin(`CREATE DATABASE "${databaseName}"`);
    app = await createHostApp({
      databaseUrl: withDatabase(process.env[ADMIN_URL_ENV]!, databaseName),
      secretKey: TEST_SECRET_KEY,
      bootstrapToken,
      logger,
    });
    http = request(app.getHttpServer());
    fixtures = new Fixtures(app.get(DataSource), app);
    viewer = await fixtures.caller([VIEW_DEVICE_SESSIONS]);
    plain = await fixtures.caller();
    admin = await fixtures.superCaller();
    alice = await fixtures.user({ username: 'alice_host' });
    bob = await fixtures.user({ username: 'bob_host' });
    const session = async (user: number, name: string, platform: string, hoursAgo: number) => {
      const [{ id }] = await fixtures.db.query(
        `INSERT INTO device_sessions (user_id, device_name, platform, last_seen)
         VALUES ($1, $2, $3, now() - make_interval(hours => $4)) RETURNING id`,
        [user, name, platform, hoursAgo],
      );
      sessions[name] = id;
    };
    await session(alice, 'Alice Phone', 'ios', 1);
    await session(bob, 'Bob laptop', 'web', 2);
    await session(alice, 'Alice Pixel', 'android', 3);
    // Seen at the same time as Alice Pixel: the primary key breaks the tie.
    await fixtures.db.query(
      `INSERT INTO device_sessions (user_id, device_name, platform, last_seen)
       SELECT $1, 'Bob tablet', 'ios', last_seen FROM device_sessions WHERE id = $2`,
      [bob, sessions['Alice Pixel']],
    );
  });
  afterAll(async () => {
    await app?.close();
    await asAdmin(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`);
  });

  describe('one data source', () => {
    it("runs our migrations and the host's, in the host's migrations table", async () => {
      const rows: { name: string }[] = await fixtures.db.query(
        'SELECT name FROM migrations ORDER BY timestamp',
      );
      expect(rows.map((row) => row.name)).toEqual([
        ...GRANTS_API_MIGRATIONS.map((migration) => migration.name),
        'DeviceSessions1796100000000',
      ]);
    });

    it("holds the host's entity and ours in the one DataSource of the application", () => {
      const dataSource = app.get(DataSource);
      expect(dataSource.hasMetadata(DeviceSession)).toBe(true);
      expect(dataSource.hasMetadata(User)).toBe(true);
    });

    it("deleting a user through our API removes the host's rows that reference it", async () => {
      const carol = await fixtures.user({ username: 'carol_host' });
      await fixtures.db.query(
        `INSERT INTO device_sessions (user_id, device_name, platform) VALUES ($1, 'Carol', 'web')`,
        [carol],
      );
      await http
        .delete(`/admin/api/v3/core/users/${carol}/`)
        .set('Authorization', admin.auth)
        .expect(204);
      const [{ count }] = await fixtures.db.query(
        'SELECT count(*)::int AS count FROM device_sessions WHERE user_id = $1',
        [carol],
      );
      expect(count).toBe(0);
    });
  });

  describe('our routes', () => {
    it("answer under the host's global prefix and our route prefix, and only there", async () => {
      const provider = await fixtures.provider();
      const code = await fixtures.code({ user: alice, provider });
      const res = await get(OURS, admin.auth).expect(200);
      expect(res.body.results.map((item: { pk: number }) => item.pk)).toEqual([code]);
      await get('/api/v3/oauth2/authorization_codes/', admin.auth).expect(404);
      await get('/admin/oauth2/authorization_codes/', admin.auth).expect(404);
    });

    it('take their settings from forRoot (the bootstrap token opens them)', async () => {
      const res = await get('/admin/api/v3/core/users/me/', `Bearer ${bootstrapToken}`).expect(200);
      expect(res.body.user.username).toBe('akadmin');
    });

    it("log through the host's logger, without secrets", () => {
      expect(logger.lines).toContain('Bootstrap: created user "akadmin"');
      expect(logger.lines.join('\n')).not.toContain(bootstrapToken);
    });
  });

  describe("the host's list, built from our building blocks", () => {
    it('answers with the envelope, in the default ordering (pk breaks ties)', async () => {
      const res = await get(HOSTS, viewer.auth).expect(200);
      expect(Object.keys(res.body)).toEqual(['pagination', 'results']);
      expect(res.body.pagination).toEqual({
        next: 0,
        previous: 0,
        count: 4,
        current: 1,
        total_pages: 1,
        start_index: 1,
        end_index: 4,
      });
      expect(names(res.body)).toEqual(['Alice Phone', 'Bob laptop', 'Alice Pixel', 'Bob tablet']);
      expect(Object.keys(res.body.results[0])).toEqual([
        'pk',
        'user',
        'username',
        'device_name',
        'platform',
        'last_seen',
      ]);
      expect(res.body.results[0]).toMatchObject({
        pk: sessions['Alice Phone'],
        user: alice,
        username: 'alice_host',
        platform: 'ios',
      });
    });

    it('pages as our lists do', async () => {
      const second = await get(`${HOSTS}?page_size=3&page=2`, viewer.auth).expect(200);
      expect(second.body.pagination).toEqual({
        next: 0,
        previous: 1,
        count: 4,
        current: 2,
        total_pages: 2,
        start_index: 4,
        end_index: 4,
      });
      expect(names(second.body)).toEqual(['Bob tablet']);
      const last = await get(`${HOSTS}?page_size=3&page=last`, viewer.auth).expect(200);
      expect(last.body).toEqual(second.body);
      // Not a number: the default size, as ours.
      const fallback = await get(`${HOSTS}?page_size=x`, viewer.auth).expect(200);
      expect(fallback.body.pagination.count).toBe(4);
    });

    it('orders by the declared terms only, with pk as the last tie-breaker', async () => {
      const byName = await get(`${HOSTS}?ordering=device_name`, viewer.auth).expect(200);
      expect(names(byName.body)).toEqual([
        'Alice Phone',
        'Alice Pixel',
        'Bob laptop',
        'Bob tablet',
      ]);
      const byUser = await get(`${HOSTS}?ordering=-user,nonsense`, viewer.auth).expect(200);
      expect(names(byUser.body)).toEqual([
        'Bob laptop',
        'Bob tablet',
        'Alice Phone',
        'Alice Pixel',
      ]);
      const unknown = await get(`${HOSTS}?ordering=platform;drop`, viewer.auth).expect(200);
      expect(names(unknown.body)).toEqual([
        'Alice Phone',
        'Bob laptop',
        'Alice Pixel',
        'Bob tablet',
      ]);
    });

    it('searches the declared columns and filters by the declared parameters', async () => {
      const search = async (query: string) =>
        names((await get(`${HOSTS}?${query}`, viewer.auth).expect(200)).body);
      expect(await search('search=PIXEL')).toEqual(['Alice Pixel']);
      expect(await search('search=bob_h')).toEqual(['Bob laptop', 'Bob tablet']);
      expect(await search('search=50%25')).toEqual([]);
      expect(await search(`user=${bob}`)).toEqual(['Bob laptop', 'Bob tablet']);
      expect(await search('platform=ios')).toEqual(['Alice Phone', 'Bob tablet']);
      expect(await search(`user=${alice}&platform=ios&ordering=pk`)).toEqual(['Alice Phone']);
      expect(await search('user=&platform=')).toHaveLength(4);
    });

    it('answers 400 for bad filters, in the declared order', async () => {
      expect((await get(`${HOSTS}?user=abc`, viewer.auth).expect(400)).body).toEqual({
        user: [INVALID_CHOICE],
      });
      expect((await get(`${HOSTS}?user=999999`, viewer.auth).expect(400)).body).toEqual({
        user: [INVALID_CHOICE],
      });
      const both = await get(`${HOSTS}?platform=desktop&user=abc`, viewer.auth).expect(400);
      expect(both.body).toEqual({
        user: [INVALID_CHOICE],
        platform: ['Select a valid choice. desktop is not one of the available choices.'],
      });
      expect(Object.keys(both.body)).toEqual(['user', 'platform']);
    });

    it.each([
      ['anonymous', undefined, '', NOT_PROVIDED],
      ['an unknown key', 'Bearer not-a-key', '', TOKEN_INVALID],
      ['an empty bearer', 'Bearer', '', TOKEN_INVALID],
      ['a filter naming no row', 'viewer', '?user=abc', { user: [INVALID_CHOICE] }],
      ['a missing user', 'viewer', '?user=2147483647', { user: [INVALID_CHOICE] }],
      ['a NUL in search', 'viewer', '?search=a%00b', ['Null characters are not allowed.']],
      ['a page past the end', 'viewer', '?page=99', { detail: 'Invalid page.' }],
      ['a page that is no number', 'viewer', '?page=first', { detail: 'Invalid page.' }],
    ])('answers %s exactly as our list does', async (_, who, query, expected) => {
      const auth = who === 'viewer' ? viewer.auth : who;
      const host = await get(`${HOSTS}${query}`, auth);
      const ours = await get(`${OURS}${query}`, who === 'viewer' ? admin.auth : who);
      expect(host.body).toEqual(expected);
      expect([host.status, host.body]).toEqual([ours.status, ours.body]);
      expect(host.status).toBeGreaterThanOrEqual(400);
    });

    it('answers 403 to callers without the permission; superusers hold it', async () => {
      expect((await get(HOSTS, plain.auth).expect(403)).body).toEqual(DENIED);
      expect(names((await get(HOSTS, admin.auth).expect(200)).body)).toHaveLength(4);
    });

    it('is documented with our operation id, page schema and error responses', () => {
      const document = SwaggerModule.createDocument(app, new DocumentBuilder().build());
      const list = document.paths['/admin/device_sessions']?.get;
      expect(list?.operationId).toBe('device_sessions_list');
      expect(Object.keys(list?.responses ?? {}).sort()).toEqual(['200', '400', '403']);
      expect(JSON.stringify(list?.responses['200'])).toContain('PaginatedDeviceSessionsList');
      expect((list?.parameters ?? []).map((p) => ('name' in p ? p.name : '')).sort()).toEqual([
        'ordering',
        'page',
        'page_size',
        'platform',
        'search',
        'user',
      ]);
      expect(document.paths['/admin/api/v3/oauth2/authorization_codes']?.get?.operationId).toBe(
        'oauth2_authorization_codes_list',
      );
    });
  });

  describe("the host's own routes stay the host's", () => {
    it('answer without credentials, whatever the Authorization header says', async () => {
      expect((await get('/admin/health').expect(200)).body).toEqual({ status: 'ok' });
      await get('/admin/health', 'Bearer not-a-key').expect(200);
    });

    it("keep Nest's own error bodies (our filter is not global)", async () => {
      const res = await get('/admin/no-such-route').expect(404);
      expect(res.body).toMatchObject({
        statusCode: 404,
        message: 'Cannot GET /admin/no-such-route',
      });
    });
  });
});

describe('feature modules on their own', () => {
  let database: TestDatabase;
  const apps: INestApplication[] = [];

  const start = async (module: object) => {
    const app = await NestFactory.create(module as never, { logger: false, abortOnError: false });
    await app.init();
    apps.push(app);
    return {
      app,
      http: request(app.getHttpServer()),
      fixtures: new Fixtures(app.get(DataSource), app),
    };
  };

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await database.drop();
  });

  it('UsersModule alone, on our own connection, from forRootAsync', async () => {
    const SETTINGS = Symbol('host settings');
    @Module({
      providers: [{ provide: SETTINGS, useValue: { url: database.url } }],
      exports: [SETTINGS],
    })
    class SettingsModule {}
    @Module({
      imports: [
        GrantsApiModule.forRootAsync({
          imports: [SettingsModule],
          inject: [SETTINGS],
          useFactory: (settings: { url: string }) => ({
            databaseUrl: settings.url,
            secretKey: TEST_SECRET_KEY,
          }),
          features: [UsersModule],
          routePrefix: 'iam',
        }),
      ],
    })
    class UsersOnlyHost {}
    const { app, http, fixtures } = await start(UsersOnlyHost);
    const admin = await fixtures.superCaller({ username: 'users_only_admin' });

    const res = await http.get('/iam/core/users/').set('Authorization', admin.auth).expect(200);
    expect(res.body.results.map((user: { username: string }) => user.username)).toContain(
      'users_only_admin',
    );
    await http.get('/iam/core/users/').expect(403);
    await http.get('/iam/core/groups/').set('Authorization', admin.auth).expect(404);
    await http.get('/iam/oauth2/authorization_codes/').set('Authorization', admin.auth).expect(404);
    expect(app.get(UsersService)).toBeInstanceOf(UsersService);
    // Our own connection, built by buildDataSourceOptions.
    expect(app.get(DataSource).options).toMatchObject({ applicationName: 'grants-api' });
  });

  it("AuthorizationCodesModule alone, on the host's connection, needs no scheduler", async () => {
    @Controller('ping')
    class PingController {
      @Get()
      ping() {
        return 'pong';
      }
    }
    @Module({
      imports: [
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: database.url,
          entities: GRANTS_API_ENTITIES,
        }),
        GrantsApiModule.forRoot({
          dataSource: 'default',
          secretKey: TEST_SECRET_KEY,
          features: [AuthorizationCodesModule],
        }),
      ],
      controllers: [PingController],
    })
    class CodesOnlyHost {}
    const { app, http, fixtures } = await start(CodesOnlyHost);
    const admin = await fixtures.superCaller();
    const user = await fixtures.user();
    const code = await fixtures.code({ user, provider: await fixtures.provider() });

    const res = await http
      .get(`/api/v3/oauth2/authorization_codes/${code}/`)
      .set('Authorization', admin.auth)
      .expect(200);
    expect(res.body.user.pk).toBe(user);
    for (const path of ['oauth2/access_tokens/', 'oauth2/revoke_grants/', 'core/users/']) {
      await http.get(`/api/v3/${path}`).set('Authorization', admin.auth).expect(404);
    }
    await http.get('/ping').expect(200, 'pong');
    expect(app.get(GrantsService)).toBeInstanceOf(GrantsService);
  });

  it('refuses to mount a route that declares no access rule', () => {
    @Controller('open')
    class OpenController {
      @Get()
      handler() {
        return 'open';
      }
    }
    @Module({ controllers: [OpenController] })
    class OpenModule {}
    expect(() =>
      GrantsApiModule.forRoot({
        dataSource: 'default',
        secretKey: TEST_SECRET_KEY,
        features: [OpenModule],
      }),
    ).toThrow('routes without an @Access rule: OpenController.handler');
  });

  it('fills in defaults and refuses settings that would break the API later', () => {
    expect(resolveGrantsApiConfig({ secretKey: TEST_SECRET_KEY })).toMatchObject({
      pagination: { defaultPageSize: 20, maxPageSize: 100 },
      avatars: 'initials',
      cleanup: { intervalSeconds: 300, batchSize: 1000, revokedRetentionDays: 30 },
      bootstrap: {},
    });
    expect(() => resolveGrantsApiConfig({ secretKey: 'short' })).toThrow(/secretKey/);
    expect(() =>
      resolveGrantsApiConfig({
        secretKey: TEST_SECRET_KEY,
        pagination: { defaultPageSize: 50, maxPageSize: 10 },
      }),
    ).toThrow(/defaultPageSize/);
  });
});

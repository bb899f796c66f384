// A Souk on a fresh database for one test suite: the core (`souk`), an in-process server (`app`,
// for inject, whose every answer is checked against the OpenAPI document: contract.ts) and
// helpers to make accounts and keys.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Env } from '../../src/config.js';
import { openSouk, type Souk } from '../../src/app.js';
import { buildServer } from '../../src/server.js';
import { createAccount, createApiKey, createUser, type AccountKind } from '../../src/core/accounts/index.js';
import { checkEveryAnswer, Contract } from './contract.js';
import { createTestDatabase, type DatabaseKind, type TestDatabase } from './databases.js';

export interface TestSouk {
  kind: DatabaseKind;
  database: TestDatabase;
  env: Env;
  souk: Souk;
  app: FastifyInstance;
  adminKey: string;
  close(): Promise<void>;
}

export interface TestSoukOptions {
  env?: Env;
  /** Where the server writes its log lines (default: nowhere). */
  logStream?: NodeJS.WritableStream;
  /** Whether every answer of `app.inject` is checked against the OpenAPI document (default: yes). */
  contract?: boolean;
}

/** The environment a test Souk (or a spawned `souk` process) runs with. */
export function testEnv(database: TestDatabase, extra: Env = {}): Env {
  return {
    SOUK_DATABASE_URL: database.url,
    SOUK_DATA_DIR: database.dataDir,
    SOUK_MASTER_KEY: randomBytes(32).toString('base64'),
    SOUK_LOG_LEVEL: 'silent',
    SOUK_IP_RATE_LIMIT: '100000',
    SOUK_KEY_RATE_LIMIT: '100000',
    SOUK_LOGIN_RATE_LIMIT: '1000',
    ...extra,
  };
}

export async function startTestSouk(kind: DatabaseKind, options: TestSoukOptions = {}): Promise<TestSouk> {
  const database = await createTestDatabase(kind);
  const env = testEnv(database, options.logStream ? { SOUK_LOG_LEVEL: 'info', ...options.env } : options.env);
  const souk = await openSouk(loadConfig(env));
  const app = await buildServer(souk, { logStream: options.logStream });
  await app.ready();
  if (options.contract !== false) checkEveryAnswer(app, Contract.of(app));
  const admin = await createAccount(souk.db, { name: 'Test admin', kind: 'admin' });
  const adminKey = (await createApiKey(souk.db, souk.box, { accountId: admin.id })).apiKey;
  return {
    kind,
    database,
    env,
    souk,
    app,
    adminKey,
    async close() {
      await app.close();
      await souk.close();
      await database.drop();
    },
  };
}

export interface TestReseller {
  accountId: number;
  keyId: string;
  apiKey: string;
  signingSecret: string | null;
}

export async function createReseller(
  souk: Souk,
  options: { kind?: AccountKind; rateLimitPerMinute?: number; scopes?: string[]; signed?: boolean; requireSignature?: boolean; name?: string } = {},
): Promise<TestReseller> {
  const account = await createAccount(souk.db, { name: options.name ?? 'Reseller', kind: options.kind ?? 'reseller', rateLimitPerMinute: options.rateLimitPerMinute });
  const key = await createApiKey(souk.db, souk.box, { accountId: account.id, scopes: options.scopes, signed: options.signed, requireSignature: options.requireSignature });
  return { accountId: account.id, keyId: key.keyId, apiKey: key.apiKey, signingSecret: key.signingSecret };
}

export async function createLogin(souk: Souk, accountId: number, username = `user${randomBytes(3).toString('hex')}`, password = 'correct horse battery') {
  await createUser(souk.db, { accountId, username, password });
  return { username, password };
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** Opens the shop `env` names for `run`, as a CLI command would, and closes it after. */
export async function withSouk<T>(env: Env, run: (souk: Souk) => Promise<T>): Promise<T> {
  const souk = await openSouk(loadConfig(env));
  try {
    return await run(souk);
  } finally {
    await souk.close();
  }
}

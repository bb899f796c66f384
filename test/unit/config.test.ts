import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, SETTINGS, loadConfig } from '../../src/config.js';

function tempDir() {
  return mkdtempSync(path.join(tmpdir(), 'souk-config-'));
}

test('defaults: port 8080 on 127.0.0.1, SQLite under the data folder, memory rate limits', () => {
  const dir = tempDir();
  try {
    const config = loadConfig({ SOUK_DATA_DIR: dir });
    assert.equal(config.port, 8080);
    assert.equal(config.host, '127.0.0.1');
    assert.deepEqual(config.database, { kind: 'sqlite', file: path.join(dir, 'souk.db') });
    assert.equal(config.redisUrl, undefined);
    assert.equal(config.keyRateLimitPerMinute, 120);
    assert.equal(config.signatureWindowSeconds, 120);
    assert.equal(config.webhookAllowPrivate, false);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('the master key is generated once into the data folder with mode 0600 and reused', () => {
  const dir = tempDir();
  try {
    const first = loadConfig({ SOUK_DATA_DIR: dir });
    const file = path.join(dir, 'master.key');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64').length, 32);
    assert.deepEqual(loadConfig({ SOUK_DATA_DIR: dir }).masterKey, first.masterKey);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('PostgreSQL needs SOUK_MASTER_KEY; a bad one is named', () => {
  assert.throws(() => loadConfig({ SOUK_DATABASE_URL: 'postgres://localhost/souk' }), (e: unknown) => e instanceof ConfigError && e.setting === 'SOUK_MASTER_KEY');
  assert.throws(() => loadConfig({ SOUK_DATABASE_URL: 'postgres://localhost/souk', SOUK_MASTER_KEY: 'c2hvcnQ=' }), /SOUK_MASTER_KEY: must be 32 bytes/);
  const key = Buffer.alloc(32, 9).toString('base64');
  const config = loadConfig({ SOUK_DATABASE_URL: 'postgres://localhost/souk', SOUK_MASTER_KEY: key });
  assert.equal(config.database.kind, 'postgres');
});

test('each bad setting is named in the error', () => {
  const dir = tempDir();
  try {
    const cases: Array<[Record<string, string>, string]> = [
      [{ PORT: 'eighty' }, 'PORT'],
      [{ PORT: '70000' }, 'PORT'],
      [{ SOUK_DATABASE_URL: 'mysql://x' }, 'SOUK_DATABASE_URL'],
      [{ SOUK_REDIS_URL: 'localhost:6379' }, 'SOUK_REDIS_URL'],
      [{ SOUK_TRUST_PROXY: 'maybe' }, 'SOUK_TRUST_PROXY'],
      [{ SOUK_LOG_LEVEL: 'loud' }, 'SOUK_LOG_LEVEL'],
      [{ SOUK_KEY_RATE_LIMIT: '0' }, 'SOUK_KEY_RATE_LIMIT'],
      [{ SOUK_SMTP_URL: 'mail.example.com' }, 'SOUK_SMTP_URL'],
      [{ SOUK_TOKEN_TTL: '-5' }, 'SOUK_TOKEN_TTL'],
      [{ SOUK_PUBLIC_URL: 'shop.example.com' }, 'SOUK_PUBLIC_URL'],
      [{ SOUK_PUBLIC_URL: 'ftp://shop.example.com' }, 'SOUK_PUBLIC_URL'],
      [{ SOUK_PUBLIC_URL: 'https://shop.example.com/?a=1' }, 'SOUK_PUBLIC_URL'],
    ];
    for (const [env, setting] of cases) {
      assert.throws(() => loadConfig({ SOUK_DATA_DIR: dir, ...env }), (e: unknown) => e instanceof ConfigError && e.setting === setting && e.message.startsWith(setting), setting);
    }
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('SOUK_PUBLIC_URL is kept without its trailing slash; unset, there is none', () => {
  const dir = tempDir();
  try {
    assert.equal(loadConfig({ SOUK_DATA_DIR: dir, SOUK_PUBLIC_URL: ' https://Shop.Example.com/souk/ ' }).publicUrl, 'https://shop.example.com/souk');
    assert.equal(loadConfig({ SOUK_DATA_DIR: dir, SOUK_PUBLIC_URL: 'http://10.0.0.5:8080' }).publicUrl, 'http://10.0.0.5:8080');
    assert.equal(loadConfig({ SOUK_DATA_DIR: dir }).publicUrl, undefined);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('flags win over the environment', () => {
  const dir = tempDir();
  try {
    const config = loadConfig({ SOUK_DATA_DIR: dir, PORT: '9000' }, { port: '9100', host: '0.0.0.0' });
    assert.equal(config.port, 9100);
    assert.equal(config.host, '0.0.0.0');
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('every setting read by loadConfig is listed for the README table', () => {
  const source = readFileSync(new URL('../../src/config.ts', import.meta.url), 'utf8');
  const read = new Set([...source.matchAll(/'((?:SOUK_|PORT|HOST)[A-Z_]*)'/g)].map((m) => m[1]!));
  read.delete('SOUK_');
  const listed = new Set(SETTINGS.map((s) => s.env));
  for (const name of read) assert.ok(listed.has(name), `${name} is read but not in SETTINGS`);
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  for (const setting of SETTINGS) assert.ok(readme.includes(`\`${setting.env}\``), `README lacks ${setting.env}`);
});

test('chain watchers: off until a node URL is set; confirmations and interval default as documented; a bad URL is named without echoing it', () => {
  const dir = tempDir();
  try {
    const defaults = loadConfig({ SOUK_DATA_DIR: dir }).chains;
    assert.deepEqual(defaults, {
      tronGridUrl: undefined,
      tronGridApiKey: undefined,
      ethRpcUrl: undefined,
      bscRpcUrl: undefined,
      tronConfirmations: 19,
      ethConfirmations: 12,
      bscConfirmations: 15,
      watchIntervalSeconds: 30,
      priceFeedUrl: undefined,
    });
    const set = loadConfig({ SOUK_DATA_DIR: dir, SOUK_TRONGRID_URL: 'https://api.trongrid.io/', SOUK_ETH_RPC_URL: 'https://mainnet.infura.io/v3/abc123', SOUK_BSC_CONFIRMATIONS: '20', SOUK_CRYPTO_PRICE_FEED_URL: 'https://api.coingecko.com/api/v3/simple/price?x_cg_demo_api_key=k' }).chains;
    assert.equal(set.tronGridUrl, 'https://api.trongrid.io');
    assert.equal(set.ethRpcUrl, 'https://mainnet.infura.io/v3/abc123', 'a key in the path is kept');
    assert.equal(set.bscConfirmations, 20);
    assert.equal(set.priceFeedUrl, 'https://api.coingecko.com/api/v3/simple/price?x_cg_demo_api_key=k');
    assert.throws(() => loadConfig({ SOUK_DATA_DIR: dir, SOUK_ETH_RPC_URL: 'https://user:secret-pass@node.example.com' }), (e: unknown) => e instanceof ConfigError && e.setting === 'SOUK_ETH_RPC_URL' && !e.message.includes('secret-pass'));
    assert.throws(() => loadConfig({ SOUK_DATA_DIR: dir, SOUK_BSC_RPC_URL: 'ws://node.example.com' }), (e: unknown) => e instanceof ConfigError && e.setting === 'SOUK_BSC_RPC_URL');
    assert.throws(() => loadConfig({ SOUK_DATA_DIR: dir, SOUK_TRON_CONFIRMATIONS: '0' }), (e: unknown) => e instanceof ConfigError && e.setting === 'SOUK_TRON_CONFIRMATIONS');
  } finally {
    rmSync(dir, { recursive: true });
  }
});

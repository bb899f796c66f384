import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { SecretBox, constantTimeEqual, hashPassword, masterKeyId, randomBase62, verifyPassword } from '../../src/core/crypto.js';
import { CodeVault, maskCode } from '../../src/core/inventory/index.js';

test('a sealed secret opens to the same text and never contains it', () => {
  const box = new SecretBox(randomBytes(32));
  fc.assert(
    fc.property(fc.string({ minLength: 1, maxLength: 300 }), (secret) => {
      const sealed = box.seal(secret);
      assert.equal(box.open(sealed), secret);
      assert.ok(!sealed.includes(Buffer.from(secret).toString('base64url')) || secret.length < 4);
    }),
    { numRuns: 200 },
  );
});

test('sealing the same secret twice gives different ciphertexts (fresh IV)', () => {
  const box = new SecretBox(randomBytes(32));
  assert.notEqual(box.seal('CODE-1234'), box.seal('CODE-1234'));
});

test('a tampered ciphertext or another master key fails to open', () => {
  const box = new SecretBox(randomBytes(32));
  const sealed = box.seal('GIFT-AAAA-BBBB');
  const parts = sealed.split('.');
  const body = Buffer.from(parts[3]!, 'base64url');
  body[0] = body[0]! ^ 1;
  assert.throws(() => box.open([parts[0], parts[1], parts[2], body.toString('base64url')].join('.')));
  assert.throws(() => new SecretBox(randomBytes(32)).open(sealed));
});

test('a seal names the master key it was made under; with earlier keys given, their seals still open and new ones use the current key', () => {
  const [older, old, current] = [randomBytes(32), randomBytes(32), randomBytes(32)];
  assert.equal(masterKeyId(current), masterKeyId(Buffer.from(current)));
  assert.notEqual(masterKeyId(current), masterKeyId(old));
  assert.match(masterKeyId(current), /^k[A-Za-z0-9_-]{8}$/);
  const before = new SecretBox(old).seal('GIFT-OLD');
  const rotated = new SecretBox(current, [old, older]);
  assert.equal(rotated.open(before), 'GIFT-OLD');
  assert.equal(rotated.isCurrent(before), false);
  const after = rotated.seal('GIFT-NEW');
  assert.ok(after.startsWith(`${masterKeyId(current)}.`));
  assert.equal(rotated.isCurrent(after), true);
  // Once the old key is no longer given, its seals name what is missing.
  assert.throws(() => new SecretBox(current).open(before), /SOUK_PREVIOUS_MASTER_KEYS/);
});

test('a seal from before key ids named their key (k1) opens under whichever given key made it, and under no other', () => {
  const [old, current] = [randomBytes(32), randomBytes(32)];
  // Such a seal is the same bytes with `k1` in front.
  const legacy = `k1.${new SecretBox(old).seal('GIFT-LEGACY').split('.').slice(1).join('.')}`;
  assert.equal(new SecretBox(old).open(legacy), 'GIFT-LEGACY');
  assert.equal(new SecretBox(current, [old]).open(legacy), 'GIFT-LEGACY');
  assert.throws(() => new SecretBox(current).open(legacy), /none of the master keys given opens it/);
});

test('random base62 strings carry the entropy asked for and use only base62 characters', () => {
  const value = randomBase62(32);
  assert.ok(value.length >= 43);
  assert.match(value, /^[0-9A-Za-z]+$/);
  const many = new Set(Array.from({ length: 1000 }, () => randomBase62(8)));
  assert.equal(many.size, 1000);
});

test('passwords verify against their scrypt hash and nothing else', async () => {
  const hash = await hashPassword('correct horse battery staple');
  assert.match(hash, /^scrypt\$16384\$8\$1\$/);
  assert.equal(await verifyPassword('correct horse battery staple', hash), true);
  assert.equal(await verifyPassword('correct horse battery stapl', hash), false);
  assert.equal(await verifyPassword('x', 'not-a-hash'), false);
});

test('constant-time equality is plain equality', () => {
  fc.assert(fc.property(fc.string(), fc.string(), (a, b) => assert.equal(constantTimeEqual(a, b), a === b)));
});

test('codes sealed in bulk on worker threads open to the same codes and fingerprint as codes sealed one by one', async () => {
  const vault = new CodeVault(new SecretBox(randomBytes(32)), randomBytes(32));
  try {
    const codes = Array.from({ length: 5000 }, (_, i) => `CODE-${i}-${randomBytes(3).toString('hex')}-ü`);
    const pieces = await vault.sealMany(codes);
    const rows = pieces.flatMap((piece) => {
      const pairs = JSON.parse(piece.json) as Array<[string, string]>;
      assert.equal(pairs.length, piece.count);
      return pairs;
    });
    const sealed = rows.map(([s]) => s);
    const fingerprints = rows.map(([, f]) => f);
    assert.equal(sealed.length, codes.length);
    assert.deepEqual(
      sealed.map((s) => vault.open(s)),
      codes,
    );
    assert.deepEqual(
      fingerprints,
      codes.map((code) => vault.fingerprint(code)),
    );
    // Fresh IVs: no two seals of the batch alike.
    assert.equal(new Set(sealed).size, sealed.length);
  } finally {
    await vault.close();
  }
});

test('masks sealed in bulk on worker threads open to the mask of each code, as masks sealed one by one do, and hold no code in clear', async () => {
  const vault = new CodeVault(new SecretBox(randomBytes(32)), randomBytes(32));
  try {
    const codes = Array.from({ length: 5000 }, (_, i) => `MASK-${String(i).padStart(4, '0')}-${randomBytes(3).toString('hex')}-ü`);
    codes.push('AB', 'ABCDEF', 'A-B-C-D-E-F-G-H-I-J-K-L', '😀😀😀😀😀😀-XY12');
    const rows = (await vault.sealMany(codes)).flatMap((piece) => JSON.parse(piece.json) as Array<[string, string, string]>);
    const masks = rows.map(([sealed, , mask]) => vault.maskOf({ code_enc: sealed, code_mask: mask }));
    assert.deepEqual(masks, codes.map(maskCode));
    assert.deepEqual(vault.maskOf({ code_enc: vault.seal(codes[0]!), code_mask: vault.sealMasks([codes[0]!])[0]! }), maskCode(codes[0]!));
    for (const [, , mask] of rows.slice(0, 100)) assert.ok(!mask.includes('MASK-'), mask);
    assert.equal(new Set(rows.map(([, , mask]) => mask)).size, rows.length, 'fresh IVs');
  } finally {
    await vault.close();
  }
});

test("a batch's masks sealed as one stream open each to its own code's mask, whatever the codes' lengths, and an empty batch seals none", () => {
  const vault = new CodeVault(new SecretBox(randomBytes(32)), randomBytes(32));
  const codes = ['AB', 'ABCDEF-ü', 'A-B-C-D-E-F-G-H-I-J-K-L', '😀😀😀😀😀😀-XY12', `LONG-${'9'.repeat(70)}-END1`];
  const masks = vault.sealMasks(codes);
  assert.deepEqual(
    masks.map((mask) => vault.maskOf({ code_enc: 'never opened', code_mask: mask })),
    codes.map(maskCode),
  );
  // One stream: the same IV, each at its own offset.
  assert.equal(new Set(masks.map((mask) => mask.split('.')[0])).size, 1);
  assert.equal(new Set(masks.map((mask) => mask.split('.')[1])).size, codes.length);
  assert.deepEqual(vault.sealMasks([]), []);
});

test('a mask is what the first mask function made: first and last four (or two) letters and digits, the rest dots, separators kept', () => {
  // The mask as it was first written, kept here as the reference.
  const reference = (code: string) => {
    const visible = code.length >= 12 ? 4 : code.length >= 6 ? 2 : 0;
    let seen = 0;
    const total = [...code].filter((ch) => /[A-Za-z0-9]/.test(ch)).length;
    return [...code].map((ch) => (!/[A-Za-z0-9]/.test(ch) ? ch : ++seen <= visible || seen > total - visible ? ch : '•')).join('');
  };
  fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (code) => assert.equal(maskCode(code), reference(code))));
  fc.assert(fc.property(fc.stringMatching(/^[A-Z0-9-]{0,40}$/), (code) => assert.equal(maskCode(code), reference(code))));
  assert.equal(maskCode('ABCD-EFGH-IJKL-WXYZ'), 'ABCD-••••-••••-WXYZ');
});

// What `souk serve --demo` prints: the demo's secrets once, or on a later start that it exists.
import type { DemoCredentials, DemoExisting, DemoOutcome } from '../demo/seed-demo.js';

function demoBanner(demo: DemoCredentials, url: string): string {
  const sign = `sig=$(printf '' | openssl dgst -sha256 -hmac "${demo.partnerSigningSecret}" -hex | sed 's/^.* //')`;
  return [
    '',
    '  Souk demo is ready. These secrets are shown once; keep them now.',
    '',
    `  Admin login      ${demo.adminUsername} / ${demo.adminPassword}`,
    `  Admin API key    ${demo.adminKey}`,
    `  Reseller key     ${demo.resellerKey}   (key id ${demo.resellerKeyId}, account ${demo.resellerAccountId}; wallet funded with 1000.00 USD)`,
    `  Partner key      ${demo.partnerKey}   (key id ${demo.partnerKeyId}, account ${demo.partnerAccountId}; signs every /v1 request; wallet funded with 1000.00 USD)`,
    `  Partner signing secret  ${demo.partnerSigningSecret}`,
    `  Shop customer    ${demo.customerEmail} / ${demo.customerPassword}   (balances 5000.00 ${demo.shopCurrency} and 100.00 USD; coupon ${demo.coupon})`,
    `  Manual product   ${demo.manualProduct}: delivered by hand, so its orders wait and can be cancelled`,
    `  Crypto (demo)    trc20_usdt is paid to ${demo.cryptoAddress}, TRON's zero address: a DEMO address nobody holds, never send money to it;`,
    `                   set your own with souk payment address set --coin trc20_usdt --address YOUR_ADDRESS, confirm with souk payment confirm`,
    '',
    `  Try: curl ${url}/api/v1/products`,
    `       curl -H "Authorization: Bearer ${demo.resellerKey}" ${url}/api/v1/me`,
    `       curl -H "Authorization: Bearer ${demo.resellerKey}" -H "Content-Type: application/json" -d '{"product":"STEAM-20-USD"}' ${url}/api/v1/orders`,
    `       curl -H "Authorization: Bearer ${demo.resellerKey}" -H "Content-Type: application/json" -d '{"product":"${demo.manualProduct}"}' ${url}/api/v1/orders`,
    `         then: curl -X POST -H "Authorization: Bearer ${demo.resellerKey}" ${url}/api/v1/orders/ORDER_ID/cancel`,
    `       ts=$(date +%s); ${sign}`,
    `       curl -H "X-API-Key: ${demo.partnerKey}" -H "X-Timestamp: $ts" -H "X-Signature: $sig" ${url}/v1/products`,
    `       curl ${url}/api/products   (the shop, prices in ${demo.shopCurrency})`,
    `  Storefront:    ${url}/   Console: ${url}/admin (the admin login above)`,
    `  API reference: ${url}/docs`,
    '',
  ].join('\n');
}

/** On a start with --demo over a database that has a catalog: say so, and how to get a key (the first start's secrets are not kept). */
function demoExistsLine(existing: DemoExisting): string {
  const keys = [
    existing.resellerAccountId !== null ? `souk key create --account ${existing.resellerAccountId} (the demo reseller)` : null,
    existing.partnerAccountId !== null ? `souk key create --account ${existing.partnerAccountId} --signed (the demo partner, for /v1)` : null,
  ].filter((k): k is string => k !== null);
  const how = keys.length ? keys.join('; ') : 'souk key create --account ID';
  return keys.length
    ? `Souk demo exists (seeded on an earlier start, which printed its secrets; only their hashes are kept). A new key: ${how}.`
    : `This database already has a catalog, so the demo was not seeded. A new key: ${how}.`;
}

/** The banner of a demo seeded now, or the line saying it was seeded before. */
export function demoMessage(outcome: DemoOutcome, url: string): string {
  return 'seeded' in outcome ? demoBanner(outcome.seeded, url) : demoExistsLine(outcome.existing);
}

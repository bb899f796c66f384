// A CoinGecko simple-price fake, written from CoinGecko's API reference (GET /api/v3/simple/price
// with `ids` and `vs_currencies`, comma-separated; the answer {"bitcoin":{"usd":97000.5}, …}, ids it
// does not know left out). It refuses a request without both parameters and notes it in `problems`.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeCoinGecko {
  /** The simple-price URL, as SOUK_CRYPTO_PRICE_FEED_URL takes it. */
  url: string;
  prices: Record<string, number>;
  requests: URL[];
  problems: string[];
  close(): Promise<void>;
}

export async function startFakeCoinGecko(prices: Record<string, number>): Promise<FakeCoinGecko> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://coingecko.local');
    fake.requests.push(url);
    const ids = url.searchParams.get('ids');
    const vs = url.searchParams.get('vs_currencies');
    res.setHeader('content-type', 'application/json');
    if (url.pathname !== '/api/v3/simple/price' || !ids || !vs) {
      fake.problems.push(`${url.pathname}${url.search}`);
      res.statusCode = 400;
      res.end(JSON.stringify({ error: 'Missing parameter ids or vs_currencies' }));
      return;
    }
    const answer: Record<string, Record<string, number>> = {};
    for (const id of ids.split(',')) {
      const price = fake.prices[id];
      if (price === undefined) continue;
      answer[id] = Object.fromEntries(vs.split(',').filter((c) => c === 'usd').map((c) => [c, price]));
    }
    res.end(JSON.stringify(answer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const fake: FakeCoinGecko = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v3/simple/price`,
    prices,
    requests: [],
    problems: [],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  return fake;
}

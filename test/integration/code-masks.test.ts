// Masked codes are made without opening codes: an admin's stock list and order detail open each
// code's sealed mask, never the code (counted on the vault); a code stored without a mask (before
// masks were sealed) is opened and masked in core, and shows the same mask. On both databases.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { bearer, createReseller, startTestSouk, type TestReseller, type TestSouk } from '../helpers/souk.js';
import { fund, stockDeps } from '../helpers/orders.js';
import { createProduct } from '../../src/core/catalog/index.js';
import { importStock } from '../../src/core/inventory/index.js';
import { fulfilManualOrder } from '../../src/core/orders/index.js';
import { orderDepsOf } from '../../src/app.js';

const CODES = ['ABCD-EFGH-IJKL-WXYZ', 'QRST-2345-6789-MNOP', 'SHORT1'];
const MASKS = ['ABCD-••••-••••-WXYZ', 'QRST-••••-••••-MNOP', 'SH••T1'];

for (const kind of DATABASE_KINDS) {
  describe(`code masks (${kind})`, () => {
    let t: TestSouk;
    let reseller: TestReseller;
    let opened = 0;

    before(async () => {
      t = await startTestSouk(kind);
      reseller = await createReseller(t.souk, { name: 'Mask buyer' });
      await fund(t.souk, reseller.accountId, 10_000);
      const product = await createProduct(stockDeps(t.souk), { code: 'MASK-1', name: 'Masked', price: '1.00' });
      await importStock(stockDeps(t.souk), product.id, CODES);
      const vault = t.souk.vault;
      const open = vault.open.bind(vault);
      vault.open = (sealed: string) => {
        opened += 1;
        return open(sealed);
      };
    });
    after(() => t.close());

    const admin = async (url: string, method: 'GET' | 'POST' = 'GET', payload?: object) => {
      const res = await t.app.inject({ method, url: `/admin/api${url}`, headers: bearer(t.adminKey), ...(payload ? { payload } : {}) });
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    };

    test('a stock list shows every code masked and opens none', async () => {
      opened = 0;
      const stock = await admin('/products/MASK-1/stock');
      assert.deepEqual(stock.items.map((i: { code: string }) => i.code), MASKS);
      assert.equal(opened, 0);
    });

    test("an admin's order detail shows the delivered code masked and opens none; its owner still gets it in full", async () => {
      const placed = await t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(reseller.apiKey), payload: { product: 'MASK-1' } });
      assert.equal(placed.statusCode, 200, placed.body);
      const order = placed.json().order;
      assert.deepEqual(order.items.map((i: { code: string }) => i.code), [CODES[0]]);
      opened = 0;
      const detail = await admin(`/orders/${order.order_id}`);
      assert.deepEqual(detail.order.items, [{ id: order.items[0].id, code: MASKS[0] }]);
      assert.equal(opened, 0);
      const refunded = await admin(`/orders/${order.order_id}/refund`, 'POST', { reason: 'test' });
      assert.deepEqual(refunded.order.items, [{ id: order.items[0].id, code: MASKS[0] }]);
    });

    test("a code delivered by hand is stored with its mask: the admin's order detail opens none", async () => {
      await createProduct(stockDeps(t.souk), { code: 'MASK-HAND', name: 'By hand', price: '1.00', fulfillment: 'manual' });
      const placed = await t.app.inject({ method: 'POST', url: '/api/v1/orders', headers: bearer(reseller.apiKey), payload: { product: 'MASK-HAND' } });
      assert.equal(placed.statusCode, 200, placed.body);
      const orderId = placed.json().order.order_id as string;
      await fulfilManualOrder(orderDepsOf(t.souk), orderId, ['HAND-ABCD-EFGH-9876'], 'test');
      opened = 0;
      const detail = await admin(`/orders/${orderId}`);
      assert.deepEqual(detail.order.items.map((i: { code: string }) => i.code), ['HAND-••••-••••-9876']);
      assert.equal(opened, 0);
    });

    test('a code stored without a mask is opened and masked in core, showing the same mask', async () => {
      await t.souk.db.updateTable('stock_items').set({ code_mask: null }).where('code_mask', 'is not', null).where('status', '=', 'available').execute();
      opened = 0;
      const stock = await admin('/products/MASK-1/stock');
      assert.deepEqual(stock.items.map((i: { code: string }) => i.code), MASKS);
      assert.equal(opened, 2, 'the two available codes, which lost their masks');
    });
  });
}

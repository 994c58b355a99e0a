// The weekly order audit on a seeded scenario with known orphans: after a full sync, a web order
// placed after it (not yet in the store), a store sale naming an Oro order that does not exist, and
// a refund naming nothing — the audit lists exactly those, plus the one the demo data brings (an
// open order the store cannot take, 1GB82 in a unit it lacks), no more, no fewer; a completed
// fulfilment and linked refunds are matched.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadOroDemo } from '../src/sandbox/catalogue.js';
import type { Sandbox } from '../src/sandbox/sandbox.js';
import type { AuditRow } from '../src/reports/orders.js';
import { runCli } from './support/corpus.js';
import { exampleWorld, rows } from './support/example-world.js';
import { apiOrder, lightspeedApi } from './support/sandbox-ops.js';
import { oroDemoDir } from './support/shared-data.js';

describe('storelink report orders', () => {
  let sandbox: Sandbox;
  let dir: string;
  let env: Record<string, string>;
  const cli = (...argv: string[]) => runCli(argv, { cwd: dir, env });
  const audit = async (...extra: string[]) => {
    const result = await cli('report', 'orders', '.', '--format', 'json', ...extra);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout) as { rows: AuditRow[]; summary: Record<string, number> };
  };

  before(async () => {
    ({ sandbox, dir, env } = await exampleWorld({ catalogue: loadOroDemo(oroDemoDir), registers: 40 }, 'report-orders'));
    const synced = await cli('apply', '.', '--force');
    assert.equal(synced.code, 0, synced.stdout + synced.stderr);
  });
  after(async () => { await sandbox.close(); });

  it('after a full sync only the demo data\'s order the store cannot take is a problem', async () => {
    const { rows: problems } = await audit();
    assert.deepEqual(problems.map((r) => [r.status, r.oroOrder]), [['missing in the store', 'FR1012402']]);
    const all = await audit('--all');
    assert.ok(all.rows.filter((r) => r.status === 'matched').length >= 1, JSON.stringify(all.summary));
  });

  it('lists exactly the orphans the scenario made', async () => {
    const late = await apiOrder(sandbox, '0RT28', 'item', 1); // placed after the sync
    const item = rows(sandbox, 'lightspeed', 'Item').find((i) => i.customSku === '2TK59')!;
    const wrongRef = await lightspeedApi(sandbox, 'POST', 'Sale.json', {
      employeeID: 2, registerID: 1, shopID: 1, completed: false, referenceNumber: 'SO-DOES-NOT-EXIST', referenceNumberSource: 'OroCommerce',
      SaleLines: { SaleLine: [{ itemID: item.itemID, unitQuantity: 1, unitPrice: 10 }] },
    });
    assert.equal(wrongRef.status, 200, wrongRef.text);
    const refund = await lightspeedApi(sandbox, 'POST', 'Sale.json', {
      employeeID: 2, registerID: 1, shopID: 1, completed: true,
      SaleLines: { SaleLine: [{ itemID: item.itemID, unitQuantity: -1, unitPrice: 10 }] },
      SalePayments: { SalePayment: { amount: -10, paymentTypeID: 1 } },
    });
    assert.equal(refund.status, 200, refund.text);
    const refundTicket = String((refund.json as { Sale: { ticketNumber: string } }).Sale.ticketNumber);

    const { rows: problems } = await audit();
    assert.deepEqual(problems.map((r) => [r.status, r.kind, r.oroOrder ?? r.storeSale?.replace(/ \(sale \d+\)/, '')]).sort(), [
      ['missing in Oro', 'store sale', 'SO-DOES-NOT-EXIST'],
      ['missing in the store', 'web order', 'FR1012402'],
      ['missing in the store', 'web order', late],
      ['unlinked', 'refund', `ticket ${refundTicket}`],
    ].sort());

    // the B2B order flow takes the late order to the store: it is matched now
    assert.equal((await cli('apply', '.', '--flow', 'b2b-orders')).code, 0);
    const after = await audit('--all');
    assert.equal(after.rows.find((r) => r.oroOrder === late)?.status, 'matched');
  });

  it('writes CSV and HTML with the same rows', async () => {
    const json = await audit();
    const csv = await cli('report', 'orders', '.', '--format', 'csv');
    assert.equal(csv.stdout.trim().split('\r\n').length - 1, json.rows.length);
    assert.match(csv.stdout, /^kind,Oro order,store sale,status,detail/);
    const html = await cli('report', 'orders', '.', '--format', 'html');
    assert.equal((html.stdout.match(/<tr class="problem">/g) ?? []).length, json.rows.length);
  });
});

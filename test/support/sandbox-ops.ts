// What people do in the simulated vendor systems during end-to-end tests, through the vendors'
// own APIs with their own grants: a sales rep's tool placing an Oro order, a clerk completing an
// open sale at the register.
import assert from 'node:assert/strict';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import { lightspeedToken, oroToken } from './vendor-tokens.js';

/** A B2B order created through the back-office API, as an ERP or a sales rep's tool would: no stock change in Oro. Returns its identifier. */
export async function apiOrder(sandbox: Sandbox, sku: string, unit: string, quantity: number): Promise<string> {
  const token = await oroToken(sandbox);
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/vnd.api+json', accept: 'application/vnd.api+json' };
  const product = ((await (await fetch(`${sandbox.oro.url}/admin/api/products?filter[sku]=${sku}`, { headers })).json()) as { data: { id: string }[] }).data[0]!;
  const link = (type: string, id: string) => ({ data: { type, id } });
  const response = await fetch(`${sandbox.oro.url}/admin/api/orders`, {
    method: 'POST', headers,
    body: JSON.stringify({
      data: { type: 'orders', attributes: { currency: 'USD', poNumber: 'PO-STORE-1' }, relationships: { customer: link('customers', '1'), lineItems: { data: [{ type: 'orderlineitems', id: 'l1' }] } } },
      included: [{ type: 'orderlineitems', id: 'l1', attributes: { quantity, value: '50.00', currency: 'USD' }, relationships: { product: link('products', product.id), productUnit: link('productunits', unit) } }],
    }),
  });
  const text = await response.text();
  assert.equal(response.status, 201, text);
  return (JSON.parse(text) as { data: { attributes: { identifier: string } } }).data.attributes.identifier;
}

/**
 * A request to the Lightspeed API as another app of the account would send it, with its own grant:
 * it shares the account's rate-limit bucket with the engine, so on a 429 it waits as told.
 */
export async function lightspeedApi(sandbox: Sandbox, method: string, path: string, body?: unknown): Promise<{ status: number; text: string; json: unknown }> {
  const token = await lightspeedToken(sandbox);
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' };
  for (;;) {
    const response = await fetch(`${sandbox.lightspeed.url}/API/V3/Account/1/${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await response.text();
    if (response.status !== 429) return { status: response.status, text, json: text ? JSON.parse(text) as unknown : undefined };
    await new Promise((resolve) => setTimeout(resolve, 1000 * Number(response.headers.get('retry-after') ?? 1)));
  }
}

/** A clerk completes an open sale at the register, paid in full (cash). */
export async function completeSale(sandbox: Sandbox, saleId: number): Promise<void> {
  const read = await lightspeedApi(sandbox, 'GET', `Sale/${saleId}.json`);
  assert.equal(read.status, 200, read.text);
  const total = (read.json as { Sale: { calcTotal: string } }).Sale.calcTotal;
  const completed = await lightspeedApi(sandbox, 'PUT', `Sale/${saleId}.json`, { completed: true, SalePayments: { SalePayment: { amount: total, paymentTypeID: 1 } } });
  assert.equal(completed.status, 200, completed.text);
}

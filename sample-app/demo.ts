import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The tour runs on short broker timings (delay levels, check-backs, a 1 s reminder); set before the
// app module is loaded, since the module reads it when it is defined.
process.env.SAMPLE_FAST_TIME ??= '1';
// A fresh store for each tour, removed at the end, so one run's messages never show up in the next.
const storeDir = mkdtempSync(join(tmpdir(), 'rocketmq-sample-'));
process.env.SAMPLE_STORE_PATH ??= storeDir;
const { AppModule } = await import('./app.module.js');
const { EventLogService } = await import('./events/event-log.service.js');

/**
 * The scripted tour: starts the order system on the bundled broker, drives it over HTTP, prints what
 * every consumer did, and exits 0 only if every expected message arrived (and no unexpected one did).
 */
async function tour(): Promise<boolean> {
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  const log = app.get(EventLogService);
  const call = async <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => {
    const res = await fetch(base + path, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as T;
  };
  const post = <T = { msgId: string }>(path: string, body: unknown = {}) => call<T>('POST', path, body);
  const checks: Array<{ name: string; ok: () => boolean }> = [];
  const step = (name: string, ok: () => boolean) => checks.push({ name, ok });
  const waitUntil = async (ok: () => boolean, ms = 5000) => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline && !ok()) await new Promise((r) => setTimeout(r, 20));
  };
  const ids = (who: string, pattern: RegExp) => log.by(who).map((e) => pattern.exec(e.what)?.[1]).filter((x): x is string => !!x);
  const sameSet = (a: string[], b: string[]) => a.length === b.length && [...a].sort().join() === [...b].sort().join();

  try {
    console.log(`order system on ${base}, bundled RocketMQ broker in-process (fast timings)\n`);
    const placed: Array<{ msgId: string }> = [];
    for (let i = 1; i <= 3; i++) placed.push(await post('/orders', { orderId: `o-${i}`, customer: 'ann', amount: 10 * i }));
    console.log('placed 3 orders (syncSend with key and tag "created"):', placed.map((p) => p.msgId).join(', '));
    await post('/orders', { orderId: 'o-4', customer: 'bea', amount: 150, region: 'eu' });
    await post('/orders', { orderId: 'o-5', customer: 'carl', amount: 500, region: 'us' });
    console.log('placed o-4 (150, eu) and o-5 (500, us), amount and region as user properties');
    step("vip-desk (SQL92 amount > 100 AND region = 'eu') got exactly o-4", () => sameSet(ids('vip-desk', /about (\S+)/), ['o-4']));

    const committed = await post<{ state: string; transactionId: string }>('/orders/transactional', { orderId: 'o-10', customer: 'dan', amount: 40 });
    const rolledBack = await post<{ state: string }>('/orders/transactional', { orderId: 'o-10', customer: 'eve', amount: 99 });
    console.log(`transactional order o-10: ${committed.state}; the same id again (the local write fails): ${rolledBack.state}`);
    step('transactional o-10 committed once, the failed duplicate rolled back', () => committed.state === 'COMMIT' && rolledBack.state === 'ROLLBACK');

    await post('/orders', { orderId: 'o-6', customer: 'mallory', amount: 25 });
    console.log("placed o-6 for mallory, whose card billing always declines (maxReconsumeTimes 2, then %DLQ%billing)");
    step('billing failed o-6 three times (1 + 2 retries), then it reached %DLQ%billing', () =>
      ids('billing-failed', /for (\S+)/).filter((id) => id === 'o-6').length === 3 && sameSet(ids('dead-letters', /gave up on (\S+)/), ['o-6']),
    );
    step('billing invoiced o-1..o-5 and o-10 once each (not the rolled-back duplicate, not o-6)', () =>
      sameSet(ids('billing', /invoice for (\S+)/), ['o-1', 'o-2', 'o-3', 'o-4', 'o-5', 'o-10']),
    );

    await post('/orders/o-1/pay', { amount: 10 });
    console.log('paid o-1 (asyncSend, tag "paid")');
    step('shipping saw 7 created + 1 paid (tag filter "created || paid")', () => log.by('shipping').length === 8);

    const reminder = await post('/orders/o-2/reminder');
    const reminderSentAt = Date.now();
    console.log(`scheduled a payment reminder for o-2 (syncSendDelayTimeSeconds, 1 s): ${reminder.msgId}`);
    step('the o-2 payment reminder arrived, not before its delay', () => {
      const got = log.by('reminders');
      return got.length === 1 && got[0].what.includes('o-2') && got[0].at - reminderSentAt >= 900;
    });

    await post('/orders/o-2/statuses');
    await post('/orders/o-3/statuses');
    console.log('walked o-2 and o-3 through created -> paid -> shipped -> done (syncSendOrderly by order id)');
    const inOrder = (id: string) =>
      log
        .by('order-status')
        .filter((e) => e.what.startsWith(`${id} `))
        .map((e) => e.what.split(' ')[2])
        .join(',') === 'created,paid,shipped,done';
    step('order-status consumed each order in order (ORDERLY)', () => inOrder('o-2') && inOrder('o-3'));

    await post('/prices', [
      { sku: 'apple', price: 3 },
      { sku: 'pear', price: 4 },
    ]);
    console.log('published 2 prices in one batch send');
    step('price-cache got both prices (BROADCASTING)', () => log.by('price-cache').length === 2);
    await waitUntil(() => log.by('price-cache').length === 2);
    const quote = await call<{ total: number | null }>('GET', '/quotes/apple?qty=3');
    const unknown = await call<{ total: number | null }>('GET', '/quotes/kiwi?qty=1');
    console.log(`price quotes by request-reply: 3 x apple = ${quote.total}, kiwi = ${unknown.total}`);
    step('pricing answered the quotes (request-reply): 3 x apple = 9, kiwi unknown', () => quote.total === 9 && unknown.total === null);

    await waitUntil(() => checks.every((c) => c.ok()), 10_000);
    await new Promise((r) => setTimeout(r, 300)); // nothing unexpected arrives late (a rolled-back order, a 4th billing attempt)

    console.log('\nwhat the consumers did:');
    for (const e of log.events) console.log(`  [${e.who}] ${e.what}`);
    console.log('\nchecks:');
    for (const c of checks) console.log(`  ${c.ok() ? 'ok  ' : 'FAIL'} ${c.name}`);
    return checks.every((c) => c.ok());
  } finally {
    await app.close();
  }
}

tour().then(
  (ok) => {
    console.log(ok ? '\nevery expected message arrived' : '\nsome expected messages did not arrive');
    rmSync(storeDir, { recursive: true, force: true });
    process.exit(ok ? 0 : 1);
  },
  (err) => {
    console.error(err);
    rmSync(storeDir, { recursive: true, force: true });
    process.exit(1);
  },
);

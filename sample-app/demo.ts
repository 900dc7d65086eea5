import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AddressInfo } from 'node:net';
import { AppModule } from './app.module.js';
import { EventLogService } from './events/event-log.service.js';

/**
 * The scripted tour: starts the order system on the bundled broker, drives it over HTTP, prints what
 * every consumer did, and exits 0 only if every expected message arrived.
 */
async function tour(): Promise<boolean> {
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  const log = app.get(EventLogService);
  const post = async (path: string, body: unknown) => {
    const res = await fetch(base + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`POST ${path} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as { msgId: string };
  };
  const checks: Array<{ name: string; ok: () => boolean }> = [];
  const step = (name: string, ok: () => boolean) => checks.push({ name, ok });

  try {
    console.log(`order system on ${base}, bundled RocketMQ broker in-process\n`);
    const placed: Array<{ msgId: string }> = [];
    for (let i = 1; i <= 3; i++) placed.push(await post('/orders', { orderId: `o-${i}`, customer: 'ann', amount: 10 * i }));
    console.log('placed 3 orders (syncSend with key and tag "created"):', placed.map((p) => p.msgId).join(', '));
    step('billing invoiced 3 created orders', () => log.by('billing').length === 3);

    await post('/orders/o-1/pay', { amount: 10 });
    console.log('paid o-1 (asyncSend, tag "paid")');
    step('shipping saw 3 created + 1 paid (tag filter "created || paid")', () => log.by('shipping').length === 4);

    await post('/orders/o-2/statuses', {});
    await post('/orders/o-3/statuses', {});
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

    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !checks.every((c) => c.ok())) await new Promise((r) => setTimeout(r, 20));

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
    process.exit(ok ? 0 : 1);
  },
  (err) => {
    console.error(err);
    process.exit(1);
  },
);

/**
 * One end-to-end figure without the side-by-side harness, for profiling (`node --cpu-prof`):
 * producer and push consumer in one process on the bundled broker, `count` messages of `size` bytes,
 * acknowledged sends with `inFlight` outstanding (or batches of `batch` when given).
 *   npm run build && node dist/bench/e2e-probe.js [memory|file-async|file-sync] [count=200000] [size=1024] [inFlight=256] [batch=0] [sends-only]
 * `sends-only` starts no consumer: acknowledged sends per second alone (the SYNC_FLUSH figure).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Logger } from '@nestjs/common';
import { BundledRocketMQ } from '../lib/broker/index.js';
import { ClientConfig, ConsumeConcurrentlyStatus, ConsumeFromWhere, DefaultMQProducer, DefaultMQPushConsumer, MQClientManager } from '../lib/client/index.js';
import { Message } from '../lib/message/index.js';
import { InProcessRemotingClient } from '../lib/remoting/index.js';

async function main(): Promise<void> {
  Logger.overrideLogger(['error']);
  const [kind = 'memory', countArg = '200000', sizeArg = '1024', inFlightArg = '256', batchArg = '0', mode = 'e2e'] = process.argv.slice(2);
  const sendsOnly = mode === 'sends-only';
  const count = Number(countArg);
  const size = Number(sizeArg);
  const inFlight = Number(inFlightArg);
  const batch = Number(batchArg);
  const dir = kind === 'memory' ? undefined : mkdtempSync(join(tmpdir(), 'e2e-probe-'));
  const broker = new BundledRocketMQ({
    nameServerAddress: '127.0.0.1:19876',
    broker: (dir ? { store: 'file', storePathRootDir: dir, flushDiskType: kind === 'file-sync' ? 'SYNC_FLUSH' : 'ASYNC_FLUSH' } : { store: 'memory' }) as never,
  });
  await broker.start();
  const config = {
    namesrvAddr: broker.nameServerAddress,
    clientIP: '127.0.0.1',
    remotingClientFactory: (local: unknown) => new InProcessRemotingClient(broker.registry, local as never),
  } as unknown as ClientConfig;
  const pm = new MQClientManager();
  const cm = new MQClientManager();
  const producer = new DefaultMQProducer({ producerGroup: 'probe_pg' }, config, pm);
  await producer.start();
  const topic = 'ProbeTopic';
  await producer.send(new Message(topic, Buffer.alloc(1)));
  let received = 0;
  let lastAt = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((r) => (done = r));
  const consumer = new DefaultMQPushConsumer({ consumerGroup: 'probe_cg', consumeFromWhere: ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET }, config, cm);
  consumer.subscribe(topic, '*');
  consumer.registerMessageListener({
    consumeMessage: (msgs) => {
      for (const m of msgs) if (m.body.length >= 8) received++;
      if (received >= count) {
        lastAt = performance.now();
        done();
      }
      return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
    },
  });
  if (!sendsOnly) await consumer.start();
  const template = Buffer.alloc(Math.max(8, size), 0x61);
  const body = () => Buffer.from(template);
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  let issued = 0;
  let sendDoneAt = 0;
  const loop = async () => {
    while (issued < count) {
      if (batch > 0) {
        const n = Math.min(batch, count - issued);
        issued += n;
        await producer.sendBatch(Array.from({ length: n }, () => new Message(topic, body())));
      } else {
        issued++;
        await producer.send(new Message(topic, body()));
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, loop));
  sendDoneAt = performance.now();
  const giveUp = new Promise<void>((r) => setTimeout(r, 60_000).unref());
  if (!sendsOnly) await Promise.race([finished, giveUp]);
  const cpu = process.cpuUsage(cpu0);
  const wall = (sendsOnly ? sendDoneAt : lastAt || performance.now()) - started;
  const sendRate = count / ((sendDoneAt - started) / 1000);
  const e2eRate = received / (((lastAt || performance.now()) - started) / 1000);
  console.log(
    `${kind} ${count} x ${size} B, ${batch > 0 ? `batches of ${batch}, ` : ''}${inFlight} in flight: sends ${Math.round(sendRate)} msg/s${sendsOnly ? '' : `, end to end ${Math.round(e2eRate)} msg/s (${received} received)`}, rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB, cpu ${Math.round(((cpu.user + cpu.system) / 1000 / wall) * 100)}% of one core`,
  );
  await consumer.shutdown();
  await producer.shutdown();
  await pm.shutdown();
  await cm.shutdown();
  await broker.shutdown();
  if (dir) rmSync(dir, { recursive: true, force: true });
}

void main();

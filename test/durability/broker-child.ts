/**
 * The crash test's victim: a bundled broker on the file store (SYNC_FLUSH) with concurrent producers and
 * a consumer group, reporting every acknowledged send and the offsets found persisted to its parent until
 * the parent SIGKILLs it. Runs compiled (dist/test/durability/broker-child.js), forked with an IPC channel.
 */
import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BundledRocketMQ } from '../../lib/broker/index.js';
import {
  ClientConfig,
  ConsumeConcurrentlyStatus,
  ConsumeFromWhere,
  DefaultMQProducer,
  DefaultMQPushConsumer,
  MQClientManager,
  SendStatus,
} from '../../lib/client/index.js';
import { Message } from '../../lib/message/index.js';
import { InProcessRemotingClient } from '../../lib/remoting/index.js';
import { bodyHash } from './body-hash.js';
import { CrashChildConfig, CrashChildReport, crashStoreOptions, PRODUCER_PROPERTY, SEQ_PROPERTY } from './crash-child-protocol.js';

/** However the parent fares, the child never outlives this. */
const MAX_LIFETIME_MILLIS = 60_000;

const logger = new Logger('CrashChild');

function report(message: CrashChildReport): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env.CRASH_CHILD_CONFIG ?? '') as CrashChildConfig;
  const mq = new BundledRocketMQ({ broker: crashStoreOptions(config.root) });
  await mq.start();
  const clientConfig = (instanceName: string): ClientConfig => ({
    namesrvAddr: mq.nameServerAddress,
    instanceName,
    clientIP: '127.0.0.1',
    persistConsumerOffsetInterval: 50,
    remotingClientFactory: (local) => new InProcessRemotingClient(mq.registry, local),
  });

  const consumer = new DefaultMQPushConsumer(
    { consumerGroup: config.consumerGroup, consumeFromWhere: ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET },
    clientConfig('consumer'),
    new MQClientManager(),
  );
  consumer.subscribe(config.topic, '*');
  consumer.registerMessageListener({ consumeMessage: async () => ConsumeConcurrentlyStatus.CONSUME_SUCCESS });

  const producers: DefaultMQProducer[] = [];
  for (let p = 0; p < config.producers; p++) {
    const producer = new DefaultMQProducer({ producerGroup: 'crash-producer' }, clientConfig(`producer-${p}`), new MQClientManager());
    await producer.start();
    producers.push(producer);
  }
  // The topic exists once the first send created it; the consumer starts after, so it sees every queue.
  await producers[0].send(new Message(config.topic, 'warm-up'));
  await consumer.start();

  const offsetFile = join(config.root, 'config', 'consumerOffset.json');
  const key = `${config.topic}@${config.consumerGroup}`;
  const watch = setInterval(() => {
    try {
      const table = JSON.parse(readFileSync(offsetFile, 'utf8')) as { offsetTable: Record<string, Record<string, number>> };
      if (table.offsetTable[key]) report({ type: 'offsets', offsets: table.offsetTable[key] });
    } catch {
      // Not written yet, or caught between its rename steps: the next tick reads it.
    }
  }, 20);
  watch.unref();

  report({ type: 'ready' });
  await Promise.all(
    producers.map(async (producer, p) => {
      for (let seq = 0; ; seq++) {
        const payload = randomBytes(Math.floor(Math.random() * config.maxPayload)).toString('base64');
        const body = Buffer.from(`p${p}:s${seq}:${payload}`);
        const msg = new Message(config.topic, body, { tags: `p${p}` });
        msg.putUserProperty(PRODUCER_PROPERTY, String(p));
        msg.putUserProperty(SEQ_PROPERTY, String(seq));
        try {
          const result = await producer.send(msg);
          if (result.sendStatus !== SendStatus.SEND_OK) continue;
          report({
            type: 'ack',
            producer: p,
            seq,
            queueId: result.messageQueue.queueId,
            queueOffset: result.queueOffset,
            msgId: result.msgId,
            offsetMsgId: result.offsetMsgId,
            bodyHash: bodyHash(body),
          });
        } catch (err) {
          logger.warn(`send p${p}:s${seq} failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    }),
  );
}

// A parent that dies closes the IPC channel: no orphan keeps writing to a directory nobody will remove.
process.on('disconnect', () => process.exit(0));
setTimeout(() => process.exit(0), MAX_LIFETIME_MILLIS).unref();
Logger.overrideLogger(['error', 'warn']);
main().catch((err: unknown) => {
  report({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(1);
});

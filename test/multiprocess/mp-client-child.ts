/**
 * A producer or consumer process for the multi-process suite, on the TCP client. Runs compiled
 * (dist/test/multiprocess/mp-client-child.js) and reports on stdout, one JSON object a line:
 *   consumer <namesrv> <group> <topic> <clustering|broadcasting|orderly>  → {"type":"ready"}, {"type":"msg",...}
 *   producer <namesrv> <topic> <count> <prefix>                            → {"type":"sent",...}, {"type":"done"}
 */
import {
  ConsumeConcurrentlyStatus,
  ConsumeFromWhere,
  ConsumeOrderlyStatus,
  DefaultMQProducer,
  DefaultMQPushConsumer,
  MessageModel,
  MQClientManager,
} from '../../lib/client/index.js';
import { Message, MessageExt } from '../../lib/message/index.js';

/** However the parent fares, the child never outlives this. */
const MAX_LIFETIME_MILLIS = 90_000;

function report(value: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

function describeMessage(m: MessageExt): Record<string, unknown> {
  return { type: 'msg', body: m.body.toString('utf8'), brokerName: m.brokerName, queueId: m.queueId, queueOffset: m.queueOffset, t: Date.now() };
}

async function runConsumer(manager: MQClientManager, namesrvAddr: string, group: string, topic: string, mode: string): Promise<() => Promise<void>> {
  const consumer = new DefaultMQPushConsumer(
    {
      consumerGroup: group,
      messageModel: mode === 'broadcasting' ? MessageModel.BROADCASTING : MessageModel.CLUSTERING,
      consumeFromWhere: ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET,
    },
    // A short rebalance period keeps the suite fast; NOTIFY_CONSUMER_IDS_CHANGED usually comes first.
    { namesrvAddr, rebalanceInterval: 2000 },
    manager,
  );
  consumer.subscribe(topic, '*');
  if (mode === 'orderly') {
    consumer.registerMessageListener({
      orderly: true,
      consumeMessage: async (msgs) => {
        for (const m of msgs) report(describeMessage(m));
        // Slow enough that a hand-over happens while messages are in flight.
        await new Promise((r) => setTimeout(r, 20));
        return ConsumeOrderlyStatus.SUCCESS;
      },
    });
  } else {
    consumer.registerMessageListener({
      consumeMessage: (msgs) => {
        for (const m of msgs) report(describeMessage(m));
        return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
      },
    });
  }
  await consumer.start();
  report({ type: 'ready' });
  return () => consumer.shutdown();
}

async function runProducer(manager: MQClientManager, namesrvAddr: string, topic: string, count: number, prefix: string): Promise<() => Promise<void>> {
  const producer = new DefaultMQProducer({ producerGroup: `PG_${prefix}`, retryTimesWhenSendFailed: 2 }, { namesrvAddr }, manager);
  await producer.start();
  for (let i = 0; i < count; i++) {
    const result = await producer.send(new Message(topic, `${prefix}-${i}`));
    report({ type: 'sent', body: `${prefix}-${i}`, brokerName: result.messageQueue?.brokerName, queueId: result.messageQueue?.queueId });
  }
  report({ type: 'done' });
  return () => producer.shutdown();
}

async function main(): Promise<void> {
  const [role, namesrvAddr, ...rest] = process.argv.slice(2);
  const lifetime = setTimeout(() => process.exit(3), MAX_LIFETIME_MILLIS);
  lifetime.unref();
  const manager = new MQClientManager();
  const stop =
    role === 'consumer'
      ? await runConsumer(manager, namesrvAddr, rest[0], rest[1], rest[2])
      : await runProducer(manager, namesrvAddr, rest[0], Number(rest[1]), rest[2]);
  const shutdown = () => {
    void stop()
      .then(() => manager.shutdown())
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  if (role === 'producer') shutdown();
}

main().catch((err: unknown) => {
  report({ type: 'error', message: err instanceof Error ? err.stack : String(err) });
  process.exit(2);
});

import { ChildProcess, fork } from 'node:child_process';
import { BundledRocketMQ } from '../../lib/broker/index.js';
import {
  ConsumeConcurrentlyStatus,
  DefaultMQPushConsumer,
  MQClientManager,
} from '../../lib/client/index.js';
import { InProcessRemotingClient } from '../../lib/remoting/index.js';
import { bodyHash } from './body-hash.js';
import { AckReport, CrashChildConfig, CrashChildReport, crashStoreOptions, PRODUCER_PROPERTY, SEQ_PROPERTY } from './crash-child-protocol.js';

export interface CrashRoundOptions {
  /** The compiled child script (dist/test/durability/broker-child.js). */
  childScript: string;
  /** Empty directory for the store; the caller removes it. */
  root: string;
  /** How long after the child reports ready it is SIGKILLed. */
  killAfterMillis: number;
  /** @default 4 */
  producers?: number;
  /** Called while the child runs, after it reported ready (the lock test tries to open the store here). */
  whileRunning?: () => Promise<void>;
  /** Called right after the kill, before recovery (the corrupt-tail tests damage files here). */
  afterKill?: () => void;
  /** The caller's set of live children: the child is in it while it runs, so an afterAll can kill it. */
  children: Set<ChildProcess>;
}

export interface CrashRoundResult {
  acknowledged: number;
  /** Acknowledged messages found intact at their queue offset. */
  checked: number;
  /** Messages in the recovered topic (acknowledged or not: a record can be durable before its answer). */
  recovered: number;
  /** Time from constructing the recovering broker to started (store recovery and metadata load). */
  recoveryMillis: number;
  /** Queues whose persisted consumer offset was compared with the recovered one. */
  offsetQueuesChecked: number;
  /** Everything found wrong; empty means nothing acknowledged was lost, damaged or reordered. */
  problems: string[];
  /** The acknowledged sends not found intact (also listed in `problems`). */
  lost: AckReport[];
}

const TOPIC = 'crash-orders';
const GROUP = 'crash-consumer';

/** SIGKILLs every child still in `children`. */
export function killChildren(children: Set<ChildProcess>): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}

/**
 * One round: a child broker takes concurrent SYNC_FLUSH sends and consumes some, reporting what was
 * acknowledged and what offsets reached disk; it is SIGKILLed mid-stream; a broker in this process recovers
 * the same directory and every acknowledgement is checked against it.
 */
export async function runCrashRound(options: CrashRoundOptions): Promise<CrashRoundResult> {
  const config: CrashChildConfig = { root: options.root, topic: TOPIC, producers: options.producers ?? 4, consumerGroup: GROUP, maxPayload: 600 };
  const acks: AckReport[] = [];
  let offsets: Record<string, number> = {};
  const child = fork(options.childScript, [], {
    env: { ...process.env, CRASH_CHILD_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  options.children.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 8192) stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the child did not get ready within 15 s; stderr: ${stderr}`)), 15_000);
      child.on('message', (message: CrashChildReport) => {
        if (message.type === 'ack') acks.push(message);
        else if (message.type === 'offsets') offsets = message.offsets;
        else if (message.type === 'ready') {
          clearTimeout(timer);
          resolve();
        } else if (message.type === 'error') {
          clearTimeout(timer);
          reject(new Error(`the child failed: ${message.message}`));
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the child exited early (${code ?? signal}); stderr: ${stderr}`));
      });
    });
    const began = Date.now();
    await options.whileRunning?.();
    await new Promise((r) => setTimeout(r, Math.max(0, options.killAfterMillis - (Date.now() - began))));
  } finally {
    child.kill('SIGKILL');
    await exited;
    options.children.delete(child);
  }
  // What the child reported before dying is all in: its IPC messages were read before 'exit' fired.
  options.afterKill?.();

  const began = Date.now();
  const mq = new BundledRocketMQ({ broker: crashStoreOptions(options.root) as never });
  await mq.start();
  const recoveryMillis = Date.now() - began;
  try {
    const problems: string[] = [];
    const lost: AckReport[] = [];
    const checked = checkAcknowledged(mq, acks, problems, lost);
    const { recovered, queues } = checkQueues(mq, problems);
    const offsetQueuesChecked = await checkConsumerResumes(mq, offsets, queues, problems);
    return { acknowledged: acks.length, checked, recovered, recoveryMillis, offsetQueuesChecked, problems, lost };
  } finally {
    await mq.shutdown();
  }
}

/** Each acknowledged message is at its queue offset with its msgId, producer, sequence and body. */
function checkAcknowledged(mq: BundledRocketMQ, acks: AckReport[], problems: string[], lost: AckReport[]): number {
  const store = mq.brokerController.messageStore;
  let checked = 0;
  for (const ack of acks) {
    const where = `p${ack.producer}:s${ack.seq} at ${TOPIC}:${ack.queueId}@${ack.queueOffset}`;
    const entry = store.getConsumeQueueEntry(TOPIC, ack.queueId, ack.queueOffset);
    const msg = entry && store.lookMessageByOffset(entry.phyOffset);
    let problem: string | undefined;
    if (!msg) problem = `lost: ${where}`;
    else if (msg.msgId !== ack.msgId) problem = `${where}: msgId ${msg.msgId}, acknowledged ${ack.msgId}`;
    else if (bodyHash(msg.body) !== ack.bodyHash) problem = `${where}: body damaged`;
    else if (msg.properties[PRODUCER_PROPERTY] !== String(ack.producer) || msg.properties[SEQ_PROPERTY] !== String(ack.seq)) {
      problem = `${where}: holds p${msg.properties[PRODUCER_PROPERTY]}:s${msg.properties[SEQ_PROPERTY]}`;
    }
    if (problem) {
      problems.push(problem);
      lost.push(ack);
    } else checked++;
  }
  return checked;
}

/** Every offset of every queue holds a readable message, and each producer's sequence rises along a queue. */
function checkQueues(mq: BundledRocketMQ, problems: string[]): { recovered: number; queues: number } {
  const store = mq.brokerController.messageStore;
  const topic = mq.brokerController.topicConfigManager.selectTopicConfig(TOPIC);
  const queues = topic?.writeQueueNums ?? 0;
  let recovered = 0;
  for (let q = 0; q < queues; q++) {
    const last = new Map<string, { seq: number; msgId: string }>();
    const max = store.getMaxOffsetInQueue(TOPIC, q);
    for (let offset = store.getMinOffsetInQueue(TOPIC, q); offset < max; offset++) {
      const entry = store.getConsumeQueueEntry(TOPIC, q, offset);
      const msg = entry && store.lookMessageByOffset(entry.phyOffset);
      if (!msg) {
        problems.push(`gap: ${TOPIC}:${q}@${offset} below the queue's max offset ${max} is unreadable`);
        continue;
      }
      recovered++;
      const producer = msg.properties[PRODUCER_PROPERTY];
      if (producer === undefined) continue; // the warm-up message
      const seq = Number(msg.properties[SEQ_PROPERTY]);
      const before = last.get(producer);
      // A resend (the client retried a send whose answer it missed) repeats the same message, same msgId.
      if (before && (seq < before.seq || (seq === before.seq && msg.msgId !== before.msgId))) {
        problems.push(`order: ${TOPIC}:${q}@${offset} has p${producer}:s${seq} after s${before.seq}`);
      }
      last.set(producer, { seq, msgId: msg.msgId });
    }
  }
  return { recovered, queues };
}

/**
 * The group's recovered offsets are at least what the child saw persisted, and a consumer of the group
 * resumes exactly there: the first message it gets from each queue is the one at the committed offset.
 */
async function checkConsumerResumes(mq: BundledRocketMQ, persisted: Record<string, number>, queues: number, problems: string[]): Promise<number> {
  const store = mq.brokerController.messageStore;
  const offsets = mq.brokerController.consumerOffsetManager;
  const committed = new Map<number, number>();
  let checkedQueues = 0;
  for (let q = 0; q < queues; q++) {
    const recovered = offsets.queryOffset(GROUP, TOPIC, q);
    const max = store.getMaxOffsetInQueue(TOPIC, q);
    const reported = persisted[String(q)];
    if (reported !== undefined) {
      checkedQueues++;
      if (recovered < reported) problems.push(`offset: queue ${q} recovered at ${recovered}, below the persisted ${reported}`);
    }
    if (recovered > max) problems.push(`offset: queue ${q} recovered at ${recovered}, beyond the queue's max ${max}`);
    committed.set(q, Math.max(0, recovered));
  }
  let remaining = 0;
  for (let q = 0; q < queues; q++) remaining += Math.max(0, store.getMaxOffsetInQueue(TOPIC, q) - committed.get(q)!);
  const firstSeen = new Map<number, number>();
  let received = 0;
  const manager = new MQClientManager();
  const consumer = new DefaultMQPushConsumer(
    { consumerGroup: GROUP, consumeMessageBatchMaxSize: 32 },
    {
      namesrvAddr: mq.nameServerAddress,
      instanceName: 'recovery-check',
      clientIP: '127.0.0.1',
      remotingClientFactory: (local) => new InProcessRemotingClient(mq.registry, local),
    },
    manager,
  );
  consumer.subscribe(TOPIC, '*');
  consumer.registerMessageListener({
    consumeMessage: async (msgs) => {
      for (const m of msgs) {
        const first = firstSeen.get(m.queueId);
        if (first === undefined || m.queueOffset < first) firstSeen.set(m.queueId, m.queueOffset);
        received++;
      }
      return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
    },
  });
  await consumer.start();
  try {
    const deadline = Date.now() + 10_000;
    while (received < remaining && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    if (received < remaining) problems.push(`resume: the group got ${received} of the ${remaining} messages after its committed offsets`);
    for (const [q, offset] of committed) {
      const first = firstSeen.get(q);
      if (first !== undefined && first !== offset) problems.push(`resume: queue ${q} restarted at ${first}, committed ${offset}`);
    }
  } finally {
    await consumer.shutdown();
    await manager.shutdown();
  }
  return checkedQueues;
}

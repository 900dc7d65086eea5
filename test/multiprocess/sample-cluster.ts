/**
 * `npm run sample:cluster`: the sample tour as separate processes on a standalone broker. Starts
 * `nestjs-rocketmq broker` as a child (free ports, a temporary store), runs the tour with
 * ROCKETMQ_NAME_SERVER pointing at it, stops the broker and exits with the tour's status.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { FAST_DELAY_LEVELS } from '../../sample-app/sample-config.js';
import { startBrokerProcess } from './multiprocess-kit.js';

async function main(): Promise<number> {
  // The tour runs on fast time (SAMPLE_FAST_TIME, set by demo.ts): the broker gets the same short delay
  // levels and transaction check timing the bundled sample broker uses.
  const broker = await startBrokerProcess([
    `messageDelayLevel=${FAST_DELAY_LEVELS}`,
    'transactionTimeOut=300',
    'transactionCheckInterval=200',
  ]);
  process.stdout.write(`standalone broker up: NameServer ${broker.nameServer}, broker ${broker.broker}\n`);
  try {
    return await new Promise<number>((resolve) => {
      const tour = spawn(process.execPath, [join(process.cwd(), 'dist/sample-app/demo.js')], {
        stdio: 'inherit',
        env: { ...process.env, ROCKETMQ_NAME_SERVER: broker.nameServer },
      });
      tour.on('exit', (code) => resolve(code ?? 1));
    });
  } finally {
    await broker.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`sample:cluster failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);

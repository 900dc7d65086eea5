/**
 * Startup of a Nest app with the in-process bundled broker, a producer (RocketMQTemplate) and one listener:
 * NestFactory.createApplicationContext + init(), until the listener's consumer has started; then close().
 * Each sample runs in a fresh process (what one test file pays, imports excluded and reported apart),
 * then several apps one after another in one process (what each further test of a file pays).
 *   npm run bench:startup [-- --runs 10] [-- --store memory|file]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : fallback;
};

interface Sample {
  importMs: number;
  startMs: number[];
  closeMs: number[];
}

/** One process: imports, then `apps` apps started and closed one after the other. */
async function child(store: 'memory' | 'file', apps: number): Promise<Sample> {
  const t0 = performance.now();
  const [{ Injectable, Logger, Module }, { NestFactory }, lib] = await Promise.all([
    import('@nestjs/common'),
    import('@nestjs/core'),
    import('../lib/index.js'),
  ]);
  const importMs = performance.now() - t0;
  Logger.overrideLogger(false);
  const { RocketMQModule, RocketMQMessageListener } = lib;

  @RocketMQMessageListener({ topic: 'startup-topic', consumerGroup: 'startup-group' })
  @Injectable()
  class StartupListener {
    onMessage(): void {}
  }

  const startMs: number[] = [];
  const closeMs: number[] = [];
  for (let i = 0; i < apps; i++) {
    const dir = store === 'file' ? mkdtempSync(join(tmpdir(), 'bench-startup-')) : undefined;
    @Module({
      imports: [RocketMQModule.forRoot({ producer: { group: 'startup-producer' }, broker: { store, ...(dir ? { storePath: dir } : {}) } })],
      providers: [StartupListener],
    })
    class StartupModule {}
    const started = performance.now();
    const app = await NestFactory.createApplicationContext(StartupModule, { logger: false });
    await app.init();
    startMs.push(performance.now() - started);
    const closing = performance.now();
    await app.close();
    closeMs.push(performance.now() - closing);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
  return { importMs, startMs, closeMs };
}

const percentile = (values: number[], q: number) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
};
const ms = (v: number) => `${v.toFixed(1)} ms`;

async function main(): Promise<void> {
  if (argv[0] === '--child') {
    const sample = await child(argv[1] as 'memory' | 'file', Number(argv[2]));
    process.stdout.write(JSON.stringify(sample));
    return;
  }
  const runs = Number(option('--runs', '10'));
  const stores = (option('--store', 'memory,file').split(',') as Array<'memory' | 'file'>);
  const self = fileURLToPath(import.meta.url);
  console.log(`startup of a Nest app with the in-process bundled broker, a producer and one listener (${runs} fresh processes per store)\n`);
  for (const store of stores) {
    const first: number[] = [];
    const imports: number[] = [];
    const closes: number[] = [];
    let later: number[] = [];
    for (let r = 0; r < runs; r++) {
      const out = spawnSync(process.execPath, [self, '--child', store, r === 0 ? '10' : '1'], { encoding: 'utf8', env: { ...process.env, ROCKETMQ_BUNDLED_STORE: '' } });
      if (out.status !== 0) throw new Error(`startup child failed: ${out.stderr}`);
      const sample = JSON.parse(out.stdout) as Sample;
      imports.push(sample.importMs);
      first.push(sample.startMs[0]);
      closes.push(...sample.closeMs);
      if (r === 0) later = sample.startMs.slice(1);
    }
    console.log(`${store} store`);
    console.log(`  first app in a fresh process: median ${ms(percentile(first, 0.5))}, max ${ms(Math.max(...first))}   (imports before it: median ${ms(percentile(imports, 0.5))})`);
    console.log(`  further apps in the same process: median ${ms(percentile(later, 0.5))}, max ${ms(Math.max(...later))}`);
    console.log(`  close(): median ${ms(percentile(closes, 0.5))}, max ${ms(Math.max(...closes))}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

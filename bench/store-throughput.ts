/**
 * Write throughput and memory of the file store: `npm run bench:store` (add `-- --quick` for a short run).
 * Works in a temp directory it deletes afterwards, scaled down (with a note) when the disk is short.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Logger } from '@nestjs/common';
import { FileMessageStore, FileMessageStoreConfig, MessageExtBrokerInner } from '../lib/store/index.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const quick = process.argv.includes('--quick');
const body = Buffer.alloc(1024, 0x61);

function message(i: number): MessageExtBrokerInner {
  return {
    topic: 'BenchTopic',
    queueId: i % 8,
    flag: 0,
    body,
    propertiesString: `UNIQ_KEY\u0001BENCH${i}\u0002TAGS\u0001t\u0002`,
    tagsCode: 116,
    sysFlag: 0,
    bornTimestamp: Date.now(),
    bornHost: '127.0.0.1:50000',
    storeHost: '127.0.0.1:10911',
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
  };
}

function freeBytes(dir: string): number {
  const s = fs.statfsSync(dir);
  return s.bavail * s.bsize;
}

async function withStore<T>(config: Partial<FileMessageStoreConfig>, run: (store: FileMessageStore) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rmq-bench-'));
  const store = new FileMessageStore({ storePathRootDir: dir, ...config });
  try {
    await store.start();
    const result = await run(store);
    await store.shutdown();
    return result;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function report(label: string, count: number, bytes: number, millis: number): void {
  const secs = millis / 1000;
  console.log(`${label}: ${count} msgs, ${(bytes / MiB).toFixed(0)} MiB in ${secs.toFixed(2)} s -> ${Math.round(count / secs)} msgs/s, ${(bytes / MiB / secs).toFixed(1)} MB/s`);
}

async function asyncFlush(count: number): Promise<void> {
  await withStore({ flushDiskType: 'ASYNC_FLUSH', mappedFileSizeCommitLog: 256 * MiB }, async (store) => {
    let bytes = 0;
    const begin = performance.now();
    for (let i = 0; i < count; i++) {
      bytes += (store.putMessage(message(i)) as { wroteBytes: number }).wroteBytes;
      // Let the flush services run now and then, as a broker's event loop would.
      if (i % 10000 === 0) await new Promise((r) => setImmediate(r));
    }
    await store.flush();
    report('ASYNC_FLUSH, 1 KiB bodies, incl. final fdatasync', count, bytes, performance.now() - begin);
  });
}

async function syncFlush(count: number, inFlight: number): Promise<void> {
  let syncs = 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rmq-bench-'));
  const store = new FileMessageStore(
    { storePathRootDir: dir, flushDiskType: 'SYNC_FLUSH', mappedFileSizeCommitLog: 256 * MiB },
    { onSync: (f) => (f.includes('commitlog') ? syncs++ : undefined) },
  );
  try {
    await store.start();
    let bytes = 0;
    let next = 0;
    const begin = performance.now();
    const writer = async () => {
      while (next < count) {
        const r = await store.putMessage(message(next++));
        bytes += r.wroteBytes;
      }
    };
    await Promise.all(Array.from({ length: inFlight }, writer));
    report(`SYNC_FLUSH, ${inFlight} writers in flight (group commit)`, count, bytes, performance.now() - begin);
    console.log(`  ${syncs} CommitLog fdatasyncs for ${count} puts (${(count / Math.max(1, syncs)).toFixed(1)} puts per fdatasync)`);
    await store.shutdown();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function rssAfter(volume: number): Promise<void> {
  await withStore({ flushDiskType: 'ASYNC_FLUSH', mappedFileSizeCommitLog: 256 * MiB }, async (store) => {
    let bytes = 0;
    let count = 0;
    let peakRss = process.memoryUsage().rss;
    let peakBuffered = 0;
    const begin = performance.now();
    for (let i = 0; bytes < volume; i++) {
      bytes += (store.putMessage(message(i)) as { wroteBytes: number }).wroteBytes;
      count++;
      if (i % 10000 === 0) {
        await new Promise((r) => setImmediate(r));
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
        peakBuffered = Math.max(peakBuffered, store.stats().bufferedBytes);
      }
    }
    await store.flush();
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    const stats = store.stats();
    report(`ASYNC_FLUSH volume run`, count, bytes, performance.now() - begin);
    console.log(
      `  stored ${(bytes / GiB).toFixed(2)} GiB in ${stats.commitLogSegments} segments of 256 MiB: peak RSS ${(peakRss / MiB).toFixed(0)} MiB, ` +
        `store buffers peak ${(peakBuffered / MiB).toFixed(1)} MiB, open files ${stats.openFiles}`,
    );
  });
}

async function main(): Promise<void> {
  Logger.overrideLogger(['error', 'warn']);
  let asyncCount = quick ? 100_000 : 500_000;
  let syncCount = quick ? 20_000 : 100_000;
  let volume = quick ? 256 * MiB : 2 * GiB;
  const free = freeBytes(os.tmpdir());
  console.log(`temp dir ${os.tmpdir()}: ${(free / GiB).toFixed(1)} GiB free; node ${process.version}; ${os.cpus().length} CPUs${quick ? '; --quick' : ''}`);
  const needed = volume * 1.2 + 64 * MiB;
  if (free < needed) {
    const scale = Math.max(0.05, (free - 64 * MiB) / needed);
    volume = Math.floor(volume * scale);
    asyncCount = Math.floor(asyncCount * scale);
    syncCount = Math.floor(syncCount * scale);
    console.log(`NOTE: not enough free disk for the full run; scaled down to ${(scale * 100).toFixed(0)} % (volume ${(volume / MiB).toFixed(0)} MiB)`);
  }
  await asyncFlush(asyncCount);
  await syncFlush(syncCount, 256);
  await rssAfter(volume);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});

import { afterEach, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BundledRocketMQ } from '../../../lib/broker/index.js';
import { ConfigManager } from '../../../lib/broker/config/config-manager.js';

/** A table holding one counter; counts how often it was encoded (one encode per write). */
class CounterTable extends ConfigManager {
  value = 0;
  encodes = 0;

  constructor(private readonly file: string) {
    super();
  }

  configFilePath(): string {
    return this.file;
  }

  encode(prettyFormat = false): string {
    this.encodes++;
    return JSON.stringify({ value: this.value }, null, prettyFormat ? 2 : undefined);
  }

  decode(jsonString: string): void {
    const parsed = JSON.parse(jsonString) as { value?: unknown };
    if (typeof parsed.value !== 'number') throw new Error('value is missing');
    this.value = parsed.value;
  }
}

function readValue(file: string): number {
  return (JSON.parse(readFileSync(file, 'utf8')) as { value: number }).value;
}

describe('ConfigManager.persistAsync', () => {
  let dir: string | undefined;

  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  function loadedTable(): CounterTable {
    dir = mkdtempSync(join(tmpdir(), 'rmq-config-'));
    const table = new CounterTable(join(dir, 'config', 'counter.json'));
    expect(table.load()).toBe(true);
    return table;
  }

  it('concurrent persists leave valid JSON holding the latest state, written once by the callers that waited', async () => {
    const table = loadedTable();
    table.value = 1;
    const persists: Promise<boolean>[] = [table.persistAsync()];
    // Let the first write start; the rest arrive while it is in flight.
    await Promise.resolve();
    for (let v = 2; v <= 20; v++) {
      table.value = v;
      persists.push(table.persistAsync());
    }
    expect(await Promise.all(persists)).toEqual(Array(20).fill(true));
    const file = table.configFilePath();
    expect(readValue(file)).toBe(20);
    // One write in flight, one behind it for everyone who came later.
    expect(table.encodes).toBe(2);
    expect(readValue(`${file}.bak`)).toBe(1);
    expect(existsSync(`${file}.tmp`)).toBe(false);

    const reloaded = new CounterTable(file);
    expect(reloaded.load()).toBe(true);
    expect(reloaded.value).toBe(20);
  });

  it('keeps the previous file as .bak, as persist() does', async () => {
    const table = loadedTable();
    table.value = 1;
    await table.persistAsync();
    table.value = 2;
    await table.persistAsync();
    expect(readValue(table.configFilePath())).toBe(2);
    expect(readValue(`${table.configFilePath()}.bak`)).toBe(1);
  });

  it('writes a snapshot taken earlier instead of the current state', async () => {
    const table = loadedTable();
    table.value = 5;
    const snapshot = table.encode(true);
    table.value = 6;
    await table.persistAsync(snapshot);
    expect(readValue(table.configFilePath())).toBe(5);
  });

  it('a persist() while an async one is in flight is written after it, never beside it', async () => {
    const table = loadedTable();
    table.value = 1;
    const first = table.persistAsync();
    table.value = 2;
    expect(table.persist()).toBe(true);
    await first;
    await table.settled();
    expect(readValue(table.configFilePath())).toBe(2);
    expect(existsSync(`${table.configFilePath()}.tmp`)).toBe(false);
  });

  it('settled() then persist() leaves the final state: what shutdown does', async () => {
    const table = loadedTable();
    table.value = 1;
    void table.persistAsync();
    table.value = 2;
    void table.persistAsync();
    table.value = 3;
    await table.settled();
    expect(table.persist()).toBe(true);
    expect(readValue(table.configFilePath())).toBe(3);
  });

  it('resolves false and logs when the file cannot be written', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rmq-config-'));
    // The directory the file should live in is a file.
    writeFileSync(join(dir, 'config'), 'in the way');
    const table = new CounterTable(join(dir, 'config', 'counter.json'));
    table.load();
    expect(await table.persistAsync()).toBe(false);
  });

  it('does nothing before load()', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rmq-config-'));
    const table = new CounterTable(join(dir, 'counter.json'));
    expect(await table.persistAsync()).toBe(true);
    expect(existsSync(table.configFilePath())).toBe(false);
  });
});

describe('BrokerController offsets persist', () => {
  let root: string | undefined;

  afterEach(() => {
    if (root) rmSync(root, { recursive: true, force: true });
    root = undefined;
  });

  it('a shutdown during a periodic persist leaves the final offsets on disk', async () => {
    root = mkdtempSync(join(tmpdir(), 'rmq-offsets-'));
    const mq = new BundledRocketMQ({ broker: { store: 'file', storePathRootDir: root, flushConsumerOffsetInterval: 10 } });
    await mq.start();
    const offsets = mq.brokerController.consumerOffsetManager;
    for (let i = 1; i <= 50; i++) {
      offsets.commitOffset('127.0.0.1', 'g', 'T', 0, i);
      void mq.brokerController.persistOffsets();
      if (i % 10 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    offsets.commitOffset('127.0.0.1', 'g', 'T', 0, 99);
    void mq.brokerController.persistOffsets();
    await mq.shutdown();
    const file = join(root, 'config', 'consumerOffset.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ offsetTable: { 'T@g': { '0': 99 } } });
    expect(existsSync(`${file}.tmp`)).toBe(false);

    const restarted = new BundledRocketMQ({ broker: { store: 'file', storePathRootDir: root } });
    await restarted.start();
    expect(restarted.brokerController.consumerOffsetManager.queryOffset('g', 'T', 0)).toBe(99);
    await restarted.shutdown();
  });
});

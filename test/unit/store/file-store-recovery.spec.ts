import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { decodeMessageRecord } from '../../../lib/message/index.js';
import { FileMessageStore, GetMessageStatus, PutMessageResult } from '../../../lib/store/index.js';
import { cleanup, commitLogFiles, inner, openStore, SMALL, tempDir } from './file-store-test-helpers.js';

type Damage = (file: string, last: PutMessageResult, segmentStart: number) => void;

/** Where a record's body starts in an IPv4 record (after the 4-byte body length). */
const BODY_AT = 84 + 4;

const damages: Record<string, Damage> = {
  'a truncated last record': (file, last, base) => fs.truncateSync(file, last.wroteOffset - base + last.wroteBytes - 7),
  'a flipped byte in the last body (CRC mismatch)': (file, last, base) => {
    const fd = fs.openSync(file, 'r+');
    const at = last.wroteOffset - base + BODY_AT + 2;
    const b = Buffer.alloc(1);
    fs.readSync(fd, b, 0, 1, at);
    b[0] ^= 0xff;
    fs.writeSync(fd, b, 0, 1, at);
    fs.closeSync(fd);
  },
  'trailing zeros after the last record': (file) => fs.appendFileSync(file, Buffer.alloc(5000)),
  'a half-written header after the last record': (file) => fs.appendFileSync(file, Buffer.from([0, 0, 1, 0, 0xda])),
};

describe('FileMessageStore recovery after a crash', () => {
  let dir: string | undefined;
  let store: FileMessageStore | undefined;
  afterEach(async () => {
    await store?.shutdown();
    store = undefined;
    cleanup(dir);
    dir = undefined;
  });

  for (const [name, damage] of Object.entries(damages)) {
    it(`cuts ${name} at the last good record, warns, and appends continue there`, async () => {
      dir = tempDir();
      store = await openStore(dir);
      const results: PutMessageResult[] = [];
      for (let i = 0; i < 40; i++) results.push(await store.putMessage(inner({ body: Buffer.from(`body-${i}`.padEnd(300, '.')), propertiesString: `KEYS\u0001k${i}\u0002` })));
      // Everything on disk (ConsumeQueues included), then a crash.
      await store.flush();
      await store.halt();
      const files = commitLogFiles(dir);
      const file = files[files.length - 1];
      const last = results[results.length - 1];
      damage(file, last, Number(path.basename(file)));
      const destroyed = name.includes('truncated') || name.includes('flipped');
      const keep = destroyed ? 39 : 40;

      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      try {
        store = new FileMessageStore({ ...SMALL, storePathRootDir: dir });
        const loaded = await store.load();
        expect(loaded.cleanShutdown).toBe(false);
        const cut = destroyed ? last.wroteOffset : last.wroteOffset + last.wroteBytes;
        expect(loaded.truncatedAt).toBe(cut);
        expect(warn.mock.calls.some(([m]) => String(m).includes(`cut at offset ${cut}`))).toBe(true);
      } finally {
        warn.mockRestore();
      }
      await store.start();
      expect(store.getMaxPhyOffset()).toBe(destroyed ? last.wroteOffset : last.wroteOffset + last.wroteBytes);
      expect(store.getMaxOffsetInQueue('T', 0)).toBe(keep);
      const pulled = store.getMessage('g', 'T', 0, 0, 64, 1 << 30);
      expect(pulled.messages).toHaveLength(Math.min(keep, 32));
      expect(store.queryMessage('T', 'k39', 5, 0, Number.MAX_SAFE_INTEGER).messages).toHaveLength(destroyed ? 0 : 1);
      expect(store.queryMessage('T', 'k38', 5, 0, Number.MAX_SAFE_INTEGER).messages).toHaveLength(1);
      const next = await store.putMessage(inner({ body: Buffer.from('after') }));
      expect(next.wroteOffset).toBe(store.getMaxPhyOffset() - next.wroteBytes);
      expect(next.wroteOffset).toBe(destroyed ? last.wroteOffset : last.wroteOffset + last.wroteBytes);
      expect(next.logicsOffset).toBe(keep);
      const tail = store.getMessage('g', 'T', 0, keep, 1, 1 << 30);
      expect(tail.status).toBe(GetMessageStatus.FOUND);
      expect(decodeMessageRecord(tail.messages[0]).body.toString()).toBe('after');

      // And the repaired store reopens cleanly with the same content.
      await store.shutdown();
      store = new FileMessageStore({ ...SMALL, storePathRootDir: dir });
      expect(await store.load()).toEqual({ cleanShutdown: true });
      await store.start();
      expect(store.getMaxOffsetInQueue('T', 0)).toBe(keep + 1);
    });
  }

  it('cuts a half-written blank filler at the end of a segment', async () => {
    dir = tempDir();
    store = await openStore(dir, { mappedFileSizeCommitLog: 64 * 1024 });
    const body = Buffer.alloc(20 * 1024, 3);
    const results: PutMessageResult[] = [];
    for (let i = 0; i < 4; i++) results.push(await store.putMessage(inner({ body })));
    await store.flush();
    await store.halt();
    const [first, second] = commitLogFiles(dir);
    // The blank's header reached the disk, its padding and the next segment did not.
    const blankAt = results[2].wroteOffset + results[2].wroteBytes;
    fs.truncateSync(first, blankAt + 100);
    fs.rmSync(second);
    store = new FileMessageStore({ ...SMALL, mappedFileSizeCommitLog: 64 * 1024, storePathRootDir: dir });
    const loaded = await store.load();
    expect(loaded.truncatedAt).toBe(blankAt);
    await store.start();
    expect(store.getMaxOffsetInQueue('T', 0)).toBe(3);
    const next = await store.putMessage(inner({ body }));
    expect(next.wroteOffset).toBe(64 * 1024);
    expect(next.logicsOffset).toBe(3);
  });

  it('recovers an empty store and a store whose CommitLog holds nothing yet', async () => {
    dir = tempDir();
    store = await openStore(dir);
    await store.halt();
    store = new FileMessageStore({ storePathRootDir: dir });
    expect(await store.load()).toMatchObject({ cleanShutdown: false });
    await store.start();
    expect((await store.putMessage(inner())).wroteOffset).toBe(0);
  });
});

import { describe, expect, it } from '@jest/globals';
import { EventEmitter } from 'node:events';
import { Socket } from 'node:net';
import { RemotingCommand, encodeRemotingCommand } from '../../../lib/remoting/index.js';
import { FrameOutput } from '../../../lib/remoting/tcp/frame-output.js';

/** Records what FrameOutput hands to the socket; `accept` says what write returns. */
class FakeSocket extends EventEmitter {
  readonly writes: Buffer[][] = [];
  private corked: Buffer[] | undefined;
  accept = true;
  destroyed = false;

  cork(): void {
    this.corked = [];
  }

  uncork(): void {
    if (this.corked) this.writes.push(this.corked);
    this.corked = undefined;
  }

  write(data: Buffer): boolean {
    const copy = Buffer.from(data);
    if (this.corked) this.corked.push(copy);
    else this.writes.push([copy]);
    return this.accept;
  }
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function request(n: number, bodyBytes = 16): RemotingCommand {
  const cmd = RemotingCommand.createRequest(310, { n }, Buffer.alloc(bodyBytes, n));
  cmd.opaque = n;
  return cmd;
}

describe('FrameOutput', () => {
  it('sends the frames of one tick in one write, byte for byte as encoded alone', async () => {
    const socket = new FakeSocket();
    const output = new FrameOutput(socket as unknown as Socket);
    const cmds = [request(1), request(2), request(3)];
    for (const cmd of cmds) output.write(cmd, 'ROCKETMQ');
    expect(socket.writes).toHaveLength(0);
    await tick();
    expect(socket.writes).toHaveLength(1);
    expect(Buffer.concat(socket.writes[0]).equals(Buffer.concat(cmds.map((c) => encodeRemotingCommand(c, 'ROCKETMQ'))))).toBe(true);
  });

  it('encodes at write time, so later changes to the command do not travel', async () => {
    const socket = new FakeSocket();
    const output = new FrameOutput(socket as unknown as Socket);
    const cmd = request(1);
    const expected = encodeRemotingCommand(cmd, 'JSON');
    output.write(cmd, 'JSON');
    cmd.extFields.n = 'changed';
    await tick();
    expect(Buffer.concat(socket.writes[0]).equals(expected)).toBe(true);
  });

  it('passes large bodies through as their own buffers and spans several chunks', async () => {
    const socket = new FakeSocket();
    const output = new FrameOutput(socket as unknown as Socket);
    const cmds = [request(1), request(2, 100_000), ...Array.from({ length: 200 }, (_, i) => request(i + 3, 1000))];
    for (const cmd of cmds) output.write(cmd, 'ROCKETMQ');
    await tick();
    expect(socket.writes).toHaveLength(1);
    expect(socket.writes[0].some((b) => b.length === 100_000)).toBe(true);
    expect(Buffer.concat(socket.writes[0]).equals(Buffer.concat(cmds.map((c) => encodeRemotingCommand(c, 'ROCKETMQ'))))).toBe(true);
  });

  it('holds frames while the socket is full and sends them together on drain', async () => {
    const socket = new FakeSocket();
    const states: boolean[] = [];
    const output = new FrameOutput(socket as unknown as Socket, (blocked) => states.push(blocked));
    socket.accept = false;
    output.write(request(1), 'ROCKETMQ');
    await tick();
    expect(socket.writes).toHaveLength(1);
    expect(output.isBlocked).toBe(true);
    expect(states).toEqual([true]);

    output.write(request(2), 'ROCKETMQ');
    output.write(request(3), 'JSON');
    await tick();
    expect(socket.writes).toHaveLength(1);
    expect(output.pendingBytes).toBeGreaterThan(0);

    socket.accept = true;
    socket.emit('drain');
    expect(states).toEqual([true, false]);
    expect(socket.writes).toHaveLength(2);
    expect(Buffer.concat(socket.writes[1]).equals(Buffer.concat([encodeRemotingCommand(request(2), 'ROCKETMQ'), encodeRemotingCommand(request(3), 'JSON')]))).toBe(true);
    expect(output.pendingBytes).toBe(0);
  });

  it('drops what is left when closed', async () => {
    const socket = new FakeSocket();
    const output = new FrameOutput(socket as unknown as Socket);
    output.write(request(1), 'ROCKETMQ');
    output.close();
    output.write(request(2), 'ROCKETMQ');
    await tick();
    expect(socket.writes).toHaveLength(0);
  });
});

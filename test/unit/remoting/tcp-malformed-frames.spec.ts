import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Socket, connect } from 'node:net';
import {
  RemotingCommand,
  RequestDispatcher,
  ResponseCode,
  TcpRemotingClient,
  TcpRemotingServer,
} from '../../../lib/remoting/index.js';

const PING = 9100;

function jsonFrame(header: string): Buffer {
  const bytes = Buffer.from(header);
  const frame = Buffer.alloc(8 + bytes.length);
  frame.writeInt32BE(4 + bytes.length, 0);
  frame.writeInt32BE(bytes.length, 4);
  bytes.copy(frame, 8);
  return frame;
}

const MALFORMED: Array<[string, Buffer, boolean]> = [
  // [name, bytes, whether the sender half-closes after writing]
  ['garbage bytes', Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), false],
  ['a truncated frame then close', Buffer.from('0000004000000010' + '7b22636f6465223a', 'hex'), true],
  ['an absurd length', Buffer.from('7fffffff00000000', 'hex'), false],
  ['a negative header length', Buffer.from('0000000cffffff00' + '0000000000000000', 'hex'), false],
  ['an invalid JSON header', jsonFrame('{"code":105,'), false],
  ['a header length larger than the frame', Buffer.from('0000000800000100' + '7b7d7b7d', 'hex'), false],
];

describe('TcpRemotingServer with malformed frames', () => {
  let server: TcpRemotingServer;
  let client: TcpRemotingClient;
  const sockets: Socket[] = [];

  beforeEach(async () => {
    const dispatcher = new RequestDispatcher();
    dispatcher.registerProcessor(PING, {
      processRequest: (_c, request) => RemotingCommand.createResponse(ResponseCode.SUCCESS, undefined, { n: request.extFields.n }),
    });
    server = new TcpRemotingServer(dispatcher);
    await server.listen();
    client = new TcpRemotingClient();
  });

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    client.shutdown();
    await server.close();
  });

  it.each(MALFORMED)('closes only the connection that sent %s', async (_name, bytes, halfClose) => {
    // A healthy client keeps calling throughout.
    let n = 0;
    let failures = 0;
    let running = true;
    const healthy = (async () => {
      while (running) {
        const response = await client
          .invoke(server.address, RemotingCommand.createRequest(PING, { n: ++n }), 2000)
          .catch(() => ((failures += 1), undefined));
        if (response) expect(response.extFields.n).toBe(String(n));
      }
    })();
    await client.invoke(server.address, RemotingCommand.createRequest(PING, { n: 0 }), 2000);

    const [host, port] = server.address.split(':');
    const raw = connect({ host, port: Number(port) });
    sockets.push(raw);
    await new Promise<void>((resolve) => raw.once('connect', () => resolve()));
    raw.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => raw.once('close', () => resolve()));
    const received: Buffer[] = [];
    raw.on('data', (chunk: Buffer) => received.push(chunk));
    raw.write(bytes);
    if (halfClose) raw.end();
    await closed;

    running = false;
    await healthy;
    expect(failures).toBe(0);
    expect(Buffer.concat(received).length).toBe(0);
    expect(server.connectionCount).toBe(1);
    const after = await client.invoke(server.address, RemotingCommand.createRequest(PING, { n: 'after' }), 2000);
    expect(after.extFields.n).toBe('after');
  });

  it('closes a connection whose frame exceeds maxFrameLength', async () => {
    const small = new TcpRemotingServer(new RequestDispatcher(), { maxFrameLength: 1024 });
    await small.listen();
    try {
      const c = new TcpRemotingClient();
      const error = await c
        .invoke(small.address, RemotingCommand.createRequest(PING, {}, Buffer.alloc(4096)), 2000)
        .catch((e: unknown) => e);
      expect((error as { kind: string }).kind).toBe('closed');
      c.shutdown();
    } finally {
      await small.close();
    }
  });
});

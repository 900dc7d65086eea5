import { afterEach, describe, expect, it } from '@jest/globals';
import { AddressInfo, Server, Socket, connect, createServer } from 'node:net';
import {
  RemotingCommand,
  RemotingFrameDecoder,
  RequestDispatcher,
  ResponseCode,
  SerializeType,
  TcpRemotingClient,
  TcpRemotingServer,
  encodeRemotingCommand,
} from '../../../lib/remoting/index.js';

const ECHO = 9201;
const POP_CODE = 200050;

describe('TCP remoting serialize types and flow control', () => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A bare TCP server that answers every request in the form it came in and records that form. */
  async function recordingPeer(): Promise<{ address: string; types: SerializeType[] }> {
    const types: SerializeType[] = [];
    const server: Server = createServer((socket) => {
      const decoder = new RemotingFrameDecoder();
      socket.on('data', (chunk: Buffer) =>
        decoder.decode(chunk, (cmd, type) => {
          types.push(type);
          const response = RemotingCommand.createResponse(ResponseCode.SUCCESS, undefined, { code: cmd.code });
          response.opaque = cmd.opaque;
          socket.write(encodeRemotingCommand(response, type));
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    return { address: `127.0.0.1:${(server.address() as AddressInfo).port}`, types };
  }

  it('sends binary headers by default and JSON for codes a binary header cannot carry', async () => {
    const peer = await recordingPeer();
    const client = new TcpRemotingClient();
    cleanups.push(() => client.shutdown());
    const first = await client.invoke(peer.address, RemotingCommand.createRequest(105, { topic: 'T' }), 3000);
    const pop = await client.invoke(peer.address, RemotingCommand.createRequest(POP_CODE, { topic: 'T' }), 3000);
    expect(first.extFields.code).toBe('105');
    expect(pop.extFields.code).toBe(String(POP_CODE));
    expect(peer.types).toEqual(['ROCKETMQ', 'JSON']);
  });

  it('keeps JSON when asked to', async () => {
    const peer = await recordingPeer();
    const client = new TcpRemotingClient({ serializeType: 'JSON' });
    cleanups.push(() => client.shutdown());
    await client.invoke(peer.address, RemotingCommand.createRequest(105), 3000);
    expect(peer.types).toEqual(['JSON']);
  });

  it('stops reading a peer that does not read its answers, and serves it again once it does', async () => {
    let served = 0;
    const dispatcher = new RequestDispatcher();
    dispatcher.registerProcessor(ECHO, {
      processRequest: (_channel, request) => {
        served++;
        const response = RemotingCommand.createResponse(ResponseCode.SUCCESS);
        response.body = request.body;
        return response;
      },
    });
    const server = new TcpRemotingServer(dispatcher);
    await server.listen();
    cleanups.push(() => server.close());
    const [host, port] = server.address.split(':');
    const raw: Socket = connect({ host, port: Number(port) });
    cleanups.push(() => raw.destroy());
    await new Promise((resolve) => raw.once('connect', resolve));
    raw.pause();

    const total = 64;
    const body = Buffer.alloc(1024 * 1024, 1);
    for (let i = 1; i <= total; i++) {
      const request = RemotingCommand.createRequest(ECHO, { i }, body);
      request.opaque = i;
      raw.write(encodeRemotingCommand(request, 'ROCKETMQ'));
    }
    // Wait until the server stops making progress with nobody reading its answers.
    let last = -1;
    while (served !== last) {
      last = served;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(served).toBeLessThan(total);

    const decoder = new RemotingFrameDecoder(64 * 1024 * 1024);
    const answered = new Set<number>();
    const all = new Promise<void>((resolve) => {
      raw.on('data', (chunk: Buffer) =>
        decoder.decode(chunk, (cmd) => {
          expect(cmd.body?.length).toBe(body.length);
          answered.add(cmd.opaque);
          if (answered.size === total) resolve();
        }),
      );
    });
    raw.resume();
    await all;
    expect(served).toBe(total);
  });
});

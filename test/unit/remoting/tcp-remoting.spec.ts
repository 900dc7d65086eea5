import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, Server } from 'node:net';
import {
  RemotingChannel,
  RemotingCommand,
  RemotingError,
  RequestCode,
  RequestDispatcher,
  ResponseCode,
  TcpRemotingClient,
  TcpRemotingServer,
} from '../../../lib/remoting/index.js';

const ECHO = 9001;
const SLOW = 9002;
const RECORD = 9003;
const PUSH_TO_CLIENT = 9004;

describe('TcpRemotingServer + TcpRemotingClient', () => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function start(dispatcher = echoDispatcher()): Promise<{ server: TcpRemotingServer; address: string }> {
    const server = new TcpRemotingServer(dispatcher, { port: 0 });
    await server.listen();
    cleanups.push(() => server.close());
    return { server, address: server.address };
  }

  function client(options: ConstructorParameters<typeof TcpRemotingClient>[0] = {}): TcpRemotingClient {
    const c = new TcpRemotingClient(options);
    cleanups.push(() => c.shutdown());
    return c;
  }

  function echoDispatcher(onRecord?: (cmd: RemotingCommand, channel: RemotingChannel) => void): RequestDispatcher {
    const dispatcher = new RequestDispatcher();
    dispatcher.registerProcessor(ECHO, {
      processRequest: (_channel, request) => {
        const response = RemotingCommand.createResponse(ResponseCode.SUCCESS, undefined, { ...request.extFields, echoed: 'yes' });
        response.body = request.body;
        return response;
      },
    });
    dispatcher.registerProcessor(SLOW, {
      processRequest: async () => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        return RemotingCommand.createResponse(ResponseCode.SUCCESS);
      },
    });
    dispatcher.registerProcessor(RECORD, {
      processRequest: (channel, request) => {
        onRecord?.(request, channel);
        return RemotingCommand.createResponse(ResponseCode.SUCCESS);
      },
    });
    return dispatcher;
  }

  it.each(['JSON', 'ROCKETMQ'] as const)('invokes and gets the answer in %s', async (serializeType) => {
    const { address } = await start();
    const response = await client({ serializeType }).invoke(
      address,
      RemotingCommand.createRequest(ECHO, { topic: 'T', queueId: 3 }, Buffer.from('payload')),
      3000,
    );
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(response.isResponse()).toBe(true);
    expect(response.extFields).toMatchObject({ topic: 'T', queueId: '3', echoed: 'yes' });
    expect(response.body?.toString()).toBe('payload');
  });

  it('answers unknown codes with REQUEST_CODE_NOT_SUPPORTED', async () => {
    const { address } = await start();
    const response = await client().invoke(address, RemotingCommand.createRequest(4242), 3000);
    expect(response.code).toBe(ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
    expect(response.remark).toBe(' request type 4242 not supported');
  });

  it('delivers oneway requests without a response, and the peer address is the client socket', async () => {
    const seen: Array<{ cmd: RemotingCommand; address: string }> = [];
    const { address } = await start(echoDispatcher((cmd, channel) => seen.push({ cmd, address: channel.remoteAddress })));
    const c = client();
    c.invokeOneway(address, RemotingCommand.createRequest(RECORD, { n: 1 }));
    await waitFor(() => seen.length === 1);
    expect(seen[0].cmd.isOneway()).toBe(true);
    expect(seen[0].cmd.extFields.n).toBe('1');
    expect(seen[0].address).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('lets the server send requests to the client processor on the same connection', async () => {
    let serverChannel: RemotingChannel | undefined;
    const { address } = await start(echoDispatcher((_cmd, channel) => (serverChannel = channel)));
    const c = client({ serializeType: 'ROCKETMQ' });
    const received: RemotingCommand[] = [];
    c.registerProcessor(PUSH_TO_CLIENT, {
      processRequest: (_channel, request) => {
        received.push(request);
        return RemotingCommand.createResponse(ResponseCode.SUCCESS, 'client says hi');
      },
    });
    c.registerProcessor(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, {
      processRequest: (_channel, request) => {
        received.push(request);
        return null;
      },
    });
    await c.invoke(address, RemotingCommand.createRequest(RECORD), 3000);
    expect(serverChannel).toBeDefined();
    const answer = await serverChannel!.invoke(RemotingCommand.createRequest(PUSH_TO_CLIENT, { x: 'y' }), 3000);
    expect(answer.code).toBe(ResponseCode.SUCCESS);
    expect(answer.remark).toBe('client says hi');
    serverChannel!.invokeOneway(RemotingCommand.createRequest(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, { consumerGroup: 'g' }));
    await waitFor(() => received.length === 2);
    expect(received[1].extFields.consumerGroup).toBe('g');
    const unknown = await serverChannel!.invoke(RemotingCommand.createRequest(4343), 3000);
    expect(unknown.code).toBe(ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
  });

  it('matches 1,000 concurrent invokes by opaque', async () => {
    const { address } = await start();
    const c = client();
    const responses = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => c.invoke(address, RemotingCommand.createRequest(ECHO, { i }), 5000)),
    );
    responses.forEach((response, i) => expect(response.extFields.i).toBe(String(i)));
  });

  it('carries a 4 MiB body both ways', async () => {
    const { address } = await start();
    const body = Buffer.alloc(4 * 1024 * 1024);
    for (let i = 0; i < body.length; i += 4) body.writeUInt32BE(i, i);
    const response = await client().invoke(address, RemotingCommand.createRequest(ECHO, {}, body), 10000);
    expect(response.body?.length).toBe(body.length);
    expect(response.body?.equals(body)).toBe(true);
  });

  it("rejects with kind 'timeout' and ignores the late response", async () => {
    const { address } = await start();
    const c = client();
    const error = await c.invoke(address, RemotingCommand.createRequest(SLOW), 50).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemotingError);
    expect((error as RemotingError).kind).toBe('timeout');
    await new Promise((resolve) => setTimeout(resolve, 350));
    const response = await c.invoke(address, RemotingCommand.createRequest(ECHO, { after: 'timeout' }), 3000);
    expect(response.extFields.after).toBe('timeout');
  });

  it("rejects with kind 'connect' when nothing listens, and backs off", async () => {
    const port = await freePort();
    const c = client({ connectTimeoutMillis: 1000 });
    const first = await c.invoke(`127.0.0.1:${port}`, RemotingCommand.createRequest(ECHO), 3000).catch((e: unknown) => e);
    expect((first as RemotingError).kind).toBe('connect');
    const second = await c.invoke(`127.0.0.1:${port}`, RemotingCommand.createRequest(ECHO), 3000).catch((e: unknown) => e);
    expect((second as RemotingError).kind).toBe('connect');
    expect((second as RemotingError).message).toMatch(/next attempt in/);
  });

  it("rejects in-flight calls with 'closed' when the server closes, then reconnects on the next call", async () => {
    const dispatcher = echoDispatcher();
    const server = new TcpRemotingServer(dispatcher, { port: 0 });
    const { port } = await server.listen();
    const c = client();
    const address = `127.0.0.1:${port}`;
    await c.invoke(address, RemotingCommand.createRequest(ECHO), 3000);
    const closedListener = new Promise<void>((resolve) => {
      dispatcher.registerProcessor(RECORD, {
        processRequest: (channel) => {
          channel.onClose(resolve);
          return RemotingCommand.createResponse(ResponseCode.SUCCESS);
        },
      });
    });
    await c.invoke(address, RemotingCommand.createRequest(RECORD), 3000);
    const inFlight = c.invoke(address, RemotingCommand.createRequest(SLOW), 5000).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await server.close();
    await closedListener;
    const error = await inFlight;
    expect((error as RemotingError).kind).toBe('closed');

    const again = new TcpRemotingServer(dispatcher, { port });
    await again.listen();
    cleanups.push(() => again.close());
    const response = await c.invoke(address, RemotingCommand.createRequest(ECHO, { back: 1 }), 3000);
    expect(response.extFields.back).toBe('1');
  });

  it('closeChannel drops the connection and the next call opens a new one', async () => {
    const addresses: string[] = [];
    const { address, server } = await start(echoDispatcher((_cmd, channel) => addresses.push(channel.remoteAddress)));
    const c = client();
    await c.invoke(address, RemotingCommand.createRequest(RECORD), 3000);
    c.closeChannel(address);
    await c.invoke(address, RemotingCommand.createRequest(RECORD), 3000);
    expect(addresses[0]).not.toBe(addresses[1]);
    await waitFor(() => server.connectionCount === 1);
  });

  it('rejects calls after shutdown', async () => {
    const { address } = await start();
    const c = client();
    c.shutdown();
    const error = await c.invoke(address, RemotingCommand.createRequest(ECHO), 1000).catch((e: unknown) => e);
    expect((error as RemotingError).kind).toBe('closed');
  });
});

async function waitFor(condition: () => boolean, timeoutMillis = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function freePort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

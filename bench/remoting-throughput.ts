/**
 * Invokes per second over loopback TCP: one TcpRemotingClient keeps `concurrency` requests in flight
 * against a TcpRemotingServer whose processor answers at once. With `split` the server runs in a child
 * process, so client and server each have a core as they do in a real deployment. Usage:
 *   npm run build && node dist/bench/remoting-throughput.js [seconds=5] [concurrency=256] [JSON|ROCKETMQ] [bodyBytes=128] [split]
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Logger } from '@nestjs/common';
import {
  RemotingCommand,
  RequestDispatcher,
  ResponseCode,
  SerializeType,
  TcpRemotingClient,
  TcpRemotingServer,
} from '../lib/remoting/index.js';

const SERVER_ROLE = 'remoting-throughput-server';

async function startServer(): Promise<TcpRemotingServer> {
  const dispatcher = new RequestDispatcher();
  dispatcher.registerProcessor(310, {
    processRequest: () => RemotingCommand.createResponse(ResponseCode.SUCCESS, undefined, { msgId: 'AC11000100002A9F0000000000000000', queueId: 1, queueOffset: 42 }),
  });
  const server = new TcpRemotingServer(dispatcher);
  await server.listen();
  return server;
}

/** The server in a child process: reports its address, exits when the parent disconnects. */
async function serveForParent(): Promise<void> {
  Logger.overrideLogger(['error']);
  const server = await startServer();
  process.send!({ address: server.address });
  process.once('disconnect', () => void server.close().then(() => process.exit(0)));
}

async function serverInChild(): Promise<{ address: string; stop: () => void }> {
  const child = fork(fileURLToPath(import.meta.url), [], { env: { ...process.env, REMOTING_THROUGHPUT_ROLE: SERVER_ROLE } });
  const address = await new Promise<string>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { address: string }).address));
    child.once('exit', (code) => reject(new Error(`the server process exited with ${code}`)));
  });
  return { address, stop: () => child.disconnect() };
}

async function main(): Promise<void> {
  Logger.overrideLogger(['error']);
  const seconds = Number(process.argv[2] ?? 5);
  const concurrency = Number(process.argv[3] ?? 256);
  const serializeType = (process.argv[4] ?? 'JSON') as SerializeType;
  const body = Buffer.alloc(Number(process.argv[5] ?? 128), 1);
  const split = process.argv[6] === 'split';
  const local = split ? undefined : await startServer();
  const remote = split ? await serverInChild() : undefined;
  const address = local ? local.address : remote!.address;
  const client = new TcpRemotingClient({ serializeType });
  const deadline = Date.now() + seconds * 1000;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (Date.now() < deadline) {
      const request = RemotingCommand.createRequest(310, { a: 'pg', b: 'BenchTopic', c: 'TBW102', d: 4, e: 1, f: 0, g: Date.now(), h: 0, i: 'UNIQ_KEY\u0001x\u0002', j: 0, k: false, m: false }, body);
      await client.invoke(address, request, 10000);
      done++;
    }
  };
  const started = Date.now();
  const cpuBefore = process.cpuUsage();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (Date.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const clientMicros = (cpu.user + cpu.system) / done;
  console.log(
    `${serializeType} body=${body.length}B concurrency=${concurrency}${split ? ' (server in its own process)' : ''}: ` +
      `${Math.round(done / elapsed)} invokes/s (${done} in ${elapsed.toFixed(1)} s), ${clientMicros.toFixed(1)} us CPU per invoke in the ${split ? 'client' : 'process'}`,
  );
  client.shutdown();
  await local?.close();
  remote?.stop();
}

if (process.env.REMOTING_THROUGHPUT_ROLE === SERVER_ROLE) void serveForParent();
else void main();

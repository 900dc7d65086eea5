/**
 * Invokes per second over loopback TCP: one TcpRemotingClient keeps `concurrency` requests in flight
 * against a TcpRemotingServer whose processor answers at once. Usage:
 *   npm run build && node dist/bench/remoting-throughput.js [seconds=5] [concurrency=256] [JSON|ROCKETMQ] [bodyBytes=128]
 */
import { Logger } from '@nestjs/common';
import {
  RemotingCommand,
  RequestDispatcher,
  ResponseCode,
  SerializeType,
  TcpRemotingClient,
  TcpRemotingServer,
} from '../lib/remoting/index.js';

async function main(): Promise<void> {
  Logger.overrideLogger(['error']);
  const seconds = Number(process.argv[2] ?? 5);
  const concurrency = Number(process.argv[3] ?? 256);
  const serializeType = (process.argv[4] ?? 'JSON') as SerializeType;
  const body = Buffer.alloc(Number(process.argv[5] ?? 128), 1);
  const dispatcher = new RequestDispatcher();
  dispatcher.registerProcessor(310, {
    processRequest: () => RemotingCommand.createResponse(ResponseCode.SUCCESS, undefined, { msgId: 'AC11000100002A9F0000000000000000', queueId: 1, queueOffset: 42 }),
  });
  const server = new TcpRemotingServer(dispatcher);
  await server.listen();
  const client = new TcpRemotingClient({ serializeType });
  const deadline = Date.now() + seconds * 1000;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (Date.now() < deadline) {
      const request = RemotingCommand.createRequest(310, { a: 'pg', b: 'BenchTopic', c: 'TBW102', d: 4, e: 1, f: 0, g: Date.now(), h: 0, i: 'UNIQ_KEY\u0001x\u0002', j: 0, k: false, m: false }, body);
      await client.invoke(server.address, request, 10000);
      done++;
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (Date.now() - started) / 1000;
  console.log(`${serializeType} body=${body.length}B concurrency=${concurrency}: ${Math.round(done / elapsed)} invokes/s (${done} in ${elapsed.toFixed(1)} s)`);
  client.shutdown();
  await server.close();
}

void main();

import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';

/** Serves the sample order system on 127.0.0.1 (PORT, default 3000) until Ctrl-C. */
async function main(): Promise<void> {
  const app = await NestFactory.create(AppModule);
  app.enableShutdownHooks();
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port, '127.0.0.1');
  const logger = new Logger('SampleApp');
  logger.log(`order system on http://127.0.0.1:${port} with the bundled RocketMQ broker`);
  logger.log(`try: curl -X POST -H 'content-type: application/json' -d '{"orderId":"o-1","customer":"ann","amount":42}' http://127.0.0.1:${port}/orders`);
  logger.log(`transactional: curl -X POST -H 'content-type: application/json' -d '{"orderId":"o-9","customer":"dan","amount":150,"region":"eu"}' http://127.0.0.1:${port}/orders/transactional`);
  logger.log(`price quote (request-reply): curl 'http://127.0.0.1:${port}/quotes/apple?qty=3' (after POST /prices)`);
  logger.log(`then: curl http://127.0.0.1:${port}/events`);
}

void main();

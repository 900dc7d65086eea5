import { ConsoleLogger, Logger, type DynamicModule, type INestApplicationContext, type Provider, type Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';

// Errors and warnings only (ROCKETMQ_TEST_LOG=debug for everything): a failing test shows what was logged.
const logger = new ConsoleLogger({
  logLevels: process.env.ROCKETMQ_TEST_LOG === 'debug' ? ['log', 'error', 'warn', 'debug'] : ['error', 'warn'],
});
Logger.overrideLogger(logger);

/** Compiles and initialises a test app (all lifecycle hooks run, consumers started). */
export async function createApp(options: {
  imports?: Array<Type<unknown> | DynamicModule>;
  providers?: Provider[];
}): Promise<INestApplicationContext> {
  const moduleRef = await Test.createTestingModule({ imports: options.imports ?? [], providers: options.providers ?? [] }).setLogger(logger).compile();
  await moduleRef.init();
  return moduleRef;
}

/** Expects app creation to fail and returns the error (closing anything a partial start left open). */
export async function createAppError(options: Parameters<typeof createApp>[0]): Promise<Error> {
  let moduleRef: INestApplicationContext | undefined;
  try {
    moduleRef = await Test.createTestingModule({ imports: options.imports ?? [], providers: options.providers ?? [] }).setLogger(logger).compile();
    await moduleRef.init();
  } catch (err) {
    await moduleRef?.close().catch(() => undefined);
    return err as Error;
  }
  await moduleRef.close();
  throw new Error('expected the app to fail to start, but it started');
}

#!/usr/bin/env node
import { Logger } from '@nestjs/common';
import { RocketMQBrokerConfigError } from '../broker/index.js';
import { BROKER_USAGE, BrokerCommandLineError, parseBrokerCommandLine } from './broker-command-line.js';
import { BrokerStartup } from './broker-startup.js';

const USAGE = `Usage: nestjs-rocketmq <command> [options]

Commands:
  broker    start a standalone NameServer and Broker (see nestjs-rocketmq broker --help)
`;

/** `nestjs-rocketmq broker ...`: runs until SIGINT or SIGTERM; resolves the process exit code. */
async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help') {
    process.stdout.write(USAGE);
    return command === undefined ? 1 : 0;
  }
  if (command !== 'broker') {
    process.stderr.write(`unknown command "${command}"\n${USAGE}`);
    return 1;
  }
  let commandLine;
  try {
    commandLine = parseBrokerCommandLine(rest);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${BROKER_USAGE}`);
    return 1;
  }
  if (commandLine.help) {
    process.stdout.write(BROKER_USAGE);
    return 0;
  }
  const logger = new Logger('NestjsRocketMQ');
  const startup = new BrokerStartup(commandLine);
  try {
    await startup.start();
  } catch (err) {
    process.stderr.write(`nestjs-rocketmq broker: ${describeStartFailure(err)}\n`);
    return 1;
  }
  return new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      logger.log(`${signal} received; shutting down`);
      startup.shutdown().then(
        () => resolve(0),
        (err: unknown) => {
          process.stderr.write(`nestjs-rocketmq broker: shutdown failed: ${String(err)}\n`);
          resolve(1);
        },
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

function describeStartFailure(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') return `${(err as Error).message}: the port is in use (another broker or NameServer running?)`;
  if (err instanceof RocketMQBrokerConfigError) return err.message;
  return err instanceof Error ? err.message : String(err);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`nestjs-rocketmq: ${String(err)}\n`);
    process.exit(1);
  },
);

import { Logger } from '@nestjs/common';

// Tests assert behaviour, not log lines; keep warnings and errors visible, the rest quiet.
// ROCKETMQ_TEST_LOG=debug shows everything when a test needs investigating.
if (process.env.ROCKETMQ_TEST_LOG !== 'debug') Logger.overrideLogger(['error', 'warn']);

// Suites run many bundled brokers side by side: keep them in memory unless a test asks for files.
process.env.ROCKETMQ_BUNDLED_STORE ??= 'memory';

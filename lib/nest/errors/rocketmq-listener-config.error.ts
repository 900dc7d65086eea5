/**
 * One or more `@RocketMQMessageListener` classes are misconfigured. Thrown at module init, before any
 * consumer starts, with every problem of every listener listed (class name and attribute each).
 */
export class RocketMQListenerConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      problems.length === 1
        ? `Invalid @RocketMQMessageListener: ${problems[0]}`
        : `Invalid @RocketMQMessageListener configuration (${problems.length} problems):\n${problems
            .map((p) => `  - ${p}`)
            .join('\n')}`,
    );
    this.name = 'RocketMQListenerConfigError';
  }
}

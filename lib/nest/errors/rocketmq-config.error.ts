/**
 * The module options (or the Spring-style properties they came from) are wrong. The message names the
 * option and says what value is expected, so the fix is in the message.
 */
export class RocketMQConfigError extends Error {
  constructor(
    message: string,
    /** Every problem found, when several were collected before throwing. */
    readonly problems: string[] = [message],
  ) {
    super(message);
    this.name = 'RocketMQConfigError';
  }

  /** One error listing all problems, so a misconfigured app is fixed in one round. */
  static of(problems: string[], what = 'RocketMQModule options'): RocketMQConfigError {
    if (problems.length === 1) return new RocketMQConfigError(`Invalid ${what}: ${problems[0]}`, problems);
    return new RocketMQConfigError(
      `Invalid ${what} (${problems.length} problems):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      problems,
    );
  }
}

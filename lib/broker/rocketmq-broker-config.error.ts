/** A bundled broker or NameServer option is unknown or has a bad value. */
export class RocketMQBrokerConfigError extends Error {
  constructor(
    /** The option at fault, e.g. "broker.listenPort". */
    readonly key: string,
    message: string,
  ) {
    super(message);
    this.name = 'RocketMQBrokerConfigError';
  }
}

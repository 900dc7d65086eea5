/** A second store was opened on a directory a live process already owns. */
export class RocketMQStoreLockedError extends Error {
  constructor(
    readonly lockFile: string,
    readonly ownerPid: number,
  ) {
    super(
      `the message store at ${lockFile.replace(/[\\/]lock$/, '')} is in use by process ${ownerPid} (lock file ${lockFile}). ` +
        `Two brokers must not share a store: stop process ${ownerPid}, or give this broker its own storePathRootDir. ` +
        `If process ${ownerPid} is not a broker, delete ${lockFile}.`,
    );
    this.name = 'RocketMQStoreLockedError';
  }
}

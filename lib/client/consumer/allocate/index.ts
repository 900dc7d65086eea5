export * from './allocate-message-queue-strategy.js';
export * from './allocate-message-queue-averagely.js';
export * from './allocate-message-queue-averagely-by-circle.js';
export * from './allocate-message-queue-by-config.js';
export * from './allocate-message-queue-by-machine-room.js';
export * from './allocate-message-queue-consistent-hash.js';

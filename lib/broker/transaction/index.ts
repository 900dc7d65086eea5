export * from './transactional-message-util.js';
export * from './transactional-message-bridge.js';
export * from './transactional-message-check-listener.js';
export * from './transactional-message-service.js';
export * from './transactional-message-check-service.js';
export * from './half-message-put-interceptor.js';
export * from './end-transaction-request-header.js';

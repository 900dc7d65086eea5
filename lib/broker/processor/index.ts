export * from './put-message-interceptor.js';
export * from './send-message-processor.js';
export * from './pull-message-processor.js';
export * from './client-manage-processor.js';
export * from './consumer-manage-processor.js';
export * from './admin-broker-processor.js';

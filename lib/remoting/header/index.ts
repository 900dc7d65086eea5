export * from './send-message-request-header.js';

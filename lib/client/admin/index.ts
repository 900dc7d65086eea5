export * from './mq-admin-client.js';

export * from './rocketmq-admin.service.js';

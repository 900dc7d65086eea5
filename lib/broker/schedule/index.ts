export * from './inner-message.js';
export * from './schedule-message-service.js';
export * from './timer-heap.js';
export * from './timer-message-service.js';
export * from './schedule-put-message-interceptor.js';
export * from './due-timer.js';

export * from './pull-request.js';
export * from './pull-request-hold-service.js';

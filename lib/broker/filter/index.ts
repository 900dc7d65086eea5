export * from './subscription-data.js';
export * from './expression-message-filter.js';

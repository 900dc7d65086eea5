export * from './subscription-data.js';
export * from './expression-message-filter.js';
export * from './consumer-filter-manager.js';

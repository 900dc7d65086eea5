export * from './rebalance-lock-manager.js';

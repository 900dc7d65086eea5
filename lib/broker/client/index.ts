export * from './client-channel-info.js';
export * from './consumer-group-info.js';
export * from './consumer-manager.js';
export * from './producer-manager.js';

export * from './broker-options.js';
export * from './broker-config-parser.js';
export * from './broker-path-config-helper.js';
export * from './config-manager.js';
export * from './timer-checkpoint.js';

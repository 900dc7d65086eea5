export * from './namesrv-config.js';
export * from './route-data.js';
export * from './route-info-manager.js';
export * from './default-request-processor.js';
export * from './namesrv-controller.js';

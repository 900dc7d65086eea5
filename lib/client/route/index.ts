export * from './topic-route-data.js';
export * from './topic-publish-info.js';

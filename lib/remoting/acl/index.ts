export * from './acl-validator.js';
export * from './acl-signature.js';
export * from './acl-permission.js';
export * from './remote-address-matcher.js';
export * from './plain-acl-validator.js';
export * from './plain-acl-yaml-parser.js';

export * from './managed-cmk';
export * from './managed-cmk-replica';
export * from './key-admin-role';
export * from './key-health-canary';
export * from './envelope-encrypted-bucket';

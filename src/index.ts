export * from './managed-cmk';
export * from './managed-cmk-replica';
export * from './key-admin-role';
export * from './key-health-canary';
export * from './envelope-encrypted-bucket';
export * from './key-audit-trail';
export * from './key-auditor-role';
export * from './ebs-default-encryption';

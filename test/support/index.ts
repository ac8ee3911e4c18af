/**
 * The one test support module: every test imports its helpers from here.
 */
export * from './acknowledgements';
export * from './cdk-cli';
export * from './compliance';
export * from './configurations';
export * from './control-tower';
export * from './custom-resource';
export * from './faults';
export * from './filter-pattern';
export * from './local-aws';
export * from './nag';
export * from './policy-intrinsics';
export * from './policy-simulator';
export * from './stacks';

import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import { grantKeyUse } from './key-use';
import { integration, integrationStatements } from '../private/service-contract';

/**
 * The key-policy statements of an AWS service integration (private/service-contract.ts) on a key, for
 * the resources the library creates itself: the same statements a resource of the app gets when it
 * uses a library key, so a library resource and a user's resource of the same service are treated
 * alike. With a key the library cannot change, the statements go where `grantKeyUse` puts them.
 */
export function grantServiceIntegration(key: kms.IKey, scope: IConstruct, integrationId: string): iam.Grant[] {
  const stack = Stack.of(scope);
  return integrationStatements(integration(integrationId), stack).map((st) =>
    grantKeyUse(key, st.principal, { actions: [...st.actions], conditions: st.conditions, statementId: st.sid }));
}

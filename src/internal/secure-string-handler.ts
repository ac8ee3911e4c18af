import { Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct, IConstruct } from 'constructs';
import { HardenedFunction } from './hardened-function';
import { LibraryFunctionOptions } from '../library-function';
import { grantKeyUse } from './key-use';
import { EncryptedSecureStringParamFunction } from '../encrypted-secure-string-param-function';
import { PARAMETER_ARN_CONTEXT_KEY, SECURE_STRING_HANDLER_ID } from '../private/contracts/encrypted-secure-string-param.contract';
import { ServiceActions, Sid, encryptionContextKey } from '../private/kms-actions';

/**
 * The handler function of `EncryptedSecureStringParam`: one per stack, shared by the stack's
 * parameters, with the permissions they add.
 */

/** The construct id, under the handler, of the shared permission state. */
const PERMISSIONS_ID = 'ParameterPermissions';

/** IAM's limit on the size of a customer managed policy, white space excluded. */
const MANAGED_POLICY_MAX_CHARS = 6144;

/**
 * The permissions of the stack's handler, shared by the stack's parameters so that they grow by
 * one ARN per parameter rather than one statement: ONE SSM statement in the handler's managed
 * policy, whose resources are the parameter ARNs, and per key ONE statement for Parameter Store's
 * use of it, whose `PARAMETER_ARN` condition lists the parameters under that key. Kept in the
 * construct tree under the handler (no static state), so that every parameter of the stack finds it.
 */
export class ParameterPermissions extends Construct {
  private readonly statement = new iam.PolicyStatement({
    actions: ['ssm:AddTagsToResource', 'ssm:DeleteParameter', 'ssm:GetParameter', 'ssm:ListTagsForResource', 'ssm:PutParameter'],
  });
  private readonly parametersByKey = new Map<kms.IKey, string[]>();

  constructor(private readonly hardened: HardenedFunction, id: string) {
    super(hardened, id);
    hardened.policy.addStatements(this.statement);
    this.node.addValidation({ validate: () => this.validatePolicySize() });
  }

  /** Let the handler manage the parameter, and let Parameter Store use its key for it. */
  public allowParameter(arn: string, key: kms.IKey): void {
    this.statement.addResources(arn);
    const known = this.parametersByKey.get(key);
    if (known) {
      known.push(arn);
      return;
    }
    const arns = [arn];
    this.parametersByKey.set(key, arns);
    // Parameter Store encrypts (standard tier: Encrypt; advanced: GenerateDataKey) and decrypts
    // with the parameter ARN as encryption context. The condition lists every parameter under the
    // key (StringEquals with a list matches any of them), resolved at synthesis.
    grantKeyUse(key, this.hardened.role, {
      actions: [...ServiceActions.SSM_PARAMETER],
      identityPolicy: this.hardened.policy,
      viaServices: [ssmEndpoint(Stack.of(this))],
      conditions: {
        StringEquals: {
          [encryptionContextKey(PARAMETER_ARN_CONTEXT_KEY)]: Lazy.uncachedAny({ produce: () => (arns.length === 1 ? arns[0] : [...arns]) }),
        },
      },
      statementId: Sid.SECURE_STRING_PARAMETER,
    });
  }

  private validatePolicySize(): string[] {
    const deployed = JSON.stringify(estimateDeployed(Stack.of(this).resolve(this.hardened.policy.document.toJSON()) ?? {}));
    if (deployed.length > MANAGED_POLICY_MAX_CHARS) {
      return [
        `The permissions of ${this.hardened.node.path} need about ${deployed.length} characters; IAM allows ${MANAGED_POLICY_MAX_CHARS} ` +
          'in a managed policy. Move some EncryptedSecureStringParams to another stack.',
      ];
    }
    return [];
  }
}

/**
 * A policy as CloudFormation deploys it, for its size: joins evaluated, pseudo parameters replaced
 * by their longest values, references to resources by a generous ARN-sized placeholder.
 */
function estimateDeployed(value: unknown): unknown {
  const PSEUDO: Record<string, string> = {
    'AWS::Partition': 'aws-us-gov',
    'AWS::Region': 'ap-southeast-5',
    'AWS::AccountId': '123456789012',
    'AWS::URLSuffix': 'amazonaws.com.cn',
  };
  if (Array.isArray(value)) return value.map(estimateDeployed);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [fn, arg] = entries[0];
    if (fn === 'Ref') return PSEUDO[arg as string] ?? 'x'.repeat(128);
    if (fn === 'Fn::Join' && Array.isArray(arg) && Array.isArray(arg[1])) {
      return (arg[1] as unknown[]).map((part) => String(estimateDeployed(part))).join(String(arg[0]));
    }
    if (fn.startsWith('Fn::')) return 'x'.repeat(128);
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, estimateDeployed(v)]));
}

/** The function options the stack's handler was created with, kept with the handler. */
const HANDLER_OPTIONS = Symbol.for('cdk-kms-governance.SecureStringHandlerOptions');
type HandlerWithOptions = HardenedFunction & { [HANDLER_OPTIONS]?: LibraryFunctionOptions };

/** The stack's handler function and the permissions its parameters share. */
export interface StackHandler {
  readonly hardened: HardenedFunction;
  readonly permissions: ParameterPermissions;
}

/**
 * The stack's handler and its shared permissions, created on first use with the options of the
 * first parameter. Every parameter of a stack shares the handler, so they must give the same
 * function options: another set is an error naming the parameter.
 */
export function secureStringHandler(stack: Stack, requester: IConstruct, options: LibraryFunctionOptions): StackHandler {
  const existing = stack.node.tryFindChild(SECURE_STRING_HANDLER_ID) as HandlerWithOptions | undefined;
  if (existing) {
    const first = existing[HANDLER_OPTIONS] ?? {};
    const differs = (['operationalKey', 'vpc', 'vpcSubnets', 'securityGroups'] as const).filter((k) => !sameOption(first[k], options[k]));
    if (differs.length > 0) {
      throw new Error(
        `${differs.map((k) => `'${k}'`).join(', ')} of ${requester.node.path} must be the same as for the other EncryptedSecureStringParams ` +
          `of stack ${stack.stackName}: they share one handler function. Received: a different ${differs.join(', ')}`,
      );
    }
  }
  const hardened = existing ?? Object.defineProperty(new HardenedFunction(stack, SECURE_STRING_HANDLER_ID, {
    create: (s, i, p) => new EncryptedSecureStringParamFunction(s, i, p),
    description: 'Creates SSM SecureString parameters under KMS keys (cdk-kms-governance EncryptedSecureStringParam)',
    memorySize: 256,
    timeout: Duration.minutes(2),
    reservedConcurrentExecutions: 1,
    options,
  }), HANDLER_OPTIONS, { value: { ...options } });
  const permissions = (hardened.node.tryFindChild(PERMISSIONS_ID) as ParameterPermissions | undefined)
    ?? new ParameterPermissions(hardened, PERMISSIONS_ID);
  return { hardened, permissions };
}

/** Options are the same when they are the same objects (or equal subnet selections, or lists of the same objects). */
function sameOption(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => sameOption((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

/** The Parameter Store endpoint of the stack's Region. */
export function ssmEndpoint(stack: Stack): string {
  return `ssm.${stack.region}.amazonaws.com`;
}

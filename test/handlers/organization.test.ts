/**
 * The KMS baseline across an Organization, end to end against the local AWS: an organization
 * with a management account, a security account and member accounts in two OUs (Prod nested in
 * Workloads); the real CDK CLI deploys the management stack (test/handlers/organization-app.ts),
 * whose KmsGovernanceStackSet rolls the KmsGovernanceBaseline out to Workloads in two Regions.
 *
 * Every check reads back with the target account's own credentials (its
 * OrganizationAccountAccessRole: the local AWS tells accounts by their access keys), so an
 * instance in the wrong account or Region, or a handler that ran with the management account's
 * credentials, fails. Then automatic deployment: an account moved into the nested OU gets the
 * baseline in both Regions, and an account moved out keeps its stacks and keys.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EC2Client, GetEbsDefaultKmsKeyIdCommand, GetEbsEncryptionByDefaultCommand } from '@aws-sdk/client-ec2';
import { GetPolicyVersionCommand, GetPolicyCommand, GetRoleCommand, IAMClient, ListAttachedRolePoliciesCommand } from '@aws-sdk/client-iam';
import { DescribeKeyCommand, GetKeyPolicyCommand, GetKeyRotationStatusCommand, KMSClient, ListAliasesCommand } from '@aws-sdk/client-kms';
import { ORGANIZATION_APP } from './organization-app';
import { Credentials, LocalAws, loadSdkClient, runCdkCli, startLocalAws } from '../support';

const ROOT = path.resolve(__dirname, '..', '..');
const APP = `"${process.execPath}" -r ts-node/register/transpile-only ${path.join('test', 'handlers', 'organization-app.ts')}`;
const CLI_TIMEOUT_MS = 240_000;
const REGIONS = ['us-east-1', 'eu-west-1'];
const MANAGEMENT = ORGANIZATION_APP.management;

let aws: LocalAws;
let orgSdk: any;
let cfnSdk: any;
let stsSdk: any;
let org: any;
let cfn: any;
let outdir: string;
const started = Date.now();
const timings: Record<string, number> = {};

/** The organization: OU ids and account ids by role. */
const ids = { root: '', workloads: '', prod: '', security: '', memberA: '', memberB: '', memberC: '', newcomer: '' };

beforeAll(async () => {
  aws = await startLocalAws();
  orgSdk = loadSdkClient('@aws-sdk/client-organizations');
  cfnSdk = loadSdkClient('@aws-sdk/client-cloudformation');
  stsSdk = loadSdkClient('@aws-sdk/client-sts');
  org = new orgSdk.OrganizationsClient(aws.clientConfig);
  cfn = new cfnSdk.CloudFormationClient(aws.clientConfig);
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmsgov-org-'));
  timings.emulator = Date.now() - started;

  await org.send(new orgSdk.CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  await cfn.send(new cfnSdk.ActivateOrganizationsAccessCommand({}));
  ids.root = (await org.send(new orgSdk.ListRootsCommand({}))).Roots[0].Id;
  ids.workloads = await createOu(ids.root, 'Workloads');
  ids.prod = await createOu(ids.workloads, 'Prod');
  ids.security = await createAccount('security');
  ids.memberA = await createAccount('member-a', ids.workloads);
  ids.memberB = await createAccount('member-b', ids.prod);
  ids.memberC = await createAccount('member-c', ids.prod);
  ids.newcomer = await createAccount('newcomer');
  timings.organization = Date.now() - started - timings.emulator;
}, CLI_TIMEOUT_MS);

afterAll(async () => {
  org?.destroy();
  cfn?.destroy();
  await aws?.stop();
  if (outdir) fs.rmSync(outdir, { recursive: true, force: true });
  // The runtime, for the report (the acceptance limit is 3 minutes for the whole file).
  // eslint-disable-next-line no-console
  console.info(`organization e2e: ${JSON.stringify({ ...timings, totalMs: Date.now() - started })}`);
});

async function createOu(parentId: string, name: string): Promise<string> {
  const created = await org.send(new orgSdk.CreateOrganizationalUnitCommand({ ParentId: parentId, Name: name }));
  return created.OrganizationalUnit.Id;
}

async function createAccount(name: string, ou?: string): Promise<string> {
  const created = await org.send(new orgSdk.CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }));
  const accountId: string = created.CreateAccountStatus.AccountId;
  expect(accountId).toMatch(/^\d{12}$/);
  if (ou) await moveAccount(accountId, ids.root, ou);
  return accountId;
}

async function moveAccount(accountId: string, from: string, to: string): Promise<void> {
  await org.send(new orgSdk.MoveAccountCommand({ AccountId: accountId, SourceParentId: from, DestinationParentId: to }));
}

/** Run the CDK CLI against the local AWS; throws with its output unless it exits 0. */
function cdk(args: string[]): string {
  const appArgs = args[0] === 'bootstrap' ? [] : [
    '--app', APP, '--output', outdir,
    '-c', `org:securityAccount=${ids.security}`, '-c', `org:ou=${ids.workloads}`, '-c', `org:regions=${REGIONS.join(',')}`,
  ];
  return runCdkCli(args, { appArgs, cwd: ROOT, env: aws.env, timeoutMs: CLI_TIMEOUT_MS - 10_000 });
}

const credentialCache = new Map<string, Credentials>();

/** Credentials of `account` (its OrganizationAccountAccessRole), as the account's own operators. */
async function credentialsOf(account: string): Promise<Credentials> {
  const cached = credentialCache.get(account);
  if (cached) return cached;
  const sts = new stsSdk.STSClient(aws.clientConfig);
  try {
    const { Credentials: c } = await sts.send(new stsSdk.AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${account}:role/OrganizationAccountAccessRole`,
      RoleSessionName: 'baseline-readback',
    }));
    const credentials = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
    credentialCache.set(account, credentials);
    return credentials;
  } finally {
    sts.destroy();
  }
}

async function clientsOf(account: string, region: string) {
  const config = { endpoint: aws.endpoint, region, credentials: await credentialsOf(account) };
  return {
    ec2: new EC2Client(config),
    kms: new KMSClient(config),
    iam: new IAMClient(config),
    cfn: new cfnSdk.CloudFormationClient(config),
    destroy() {
      for (const c of [this.ec2, this.kms, this.iam, this.cfn]) c.destroy();
    },
  };
}

/** The stack set's instances, as the management account sees them. */
async function instances(): Promise<Array<{ Account: string; Region: string; StackId?: string; Status: string; OrganizationalUnitId?: string }>> {
  const result = await cfn.send(new cfnSdk.ListStackInstancesCommand({ StackSetName: ORGANIZATION_APP.stackSetName }));
  return result.Summaries;
}

function instanceKeys(list: Array<{ Account: string; Region: string }>): string[] {
  return list.map((i) => `${i.Account}/${i.Region}`).sort();
}

function expected(accounts: string[]): string[] {
  return accounts.flatMap((a) => REGIONS.map((r) => `${a}/${r}`)).sort();
}

/** The instance stack's outputs, read with the account's own credentials. */
async function outputsOf(stackId: string, clients: Awaited<ReturnType<typeof clientsOf>>): Promise<Record<string, string>> {
  const { Stacks } = await clients.cfn.send(new cfnSdk.DescribeStacksCommand({ StackName: stackId }));
  expect(Stacks[0].StackStatus).toMatch(/^(CREATE|UPDATE)_COMPLETE$/);
  return Object.fromEntries((Stacks[0].Outputs ?? []).map((o: any) => [o.OutputKey, o.OutputValue]));
}

function statements(document: string): any[] {
  const parsed = JSON.parse(decodeURIComponent(document));
  return Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
}

/** Everything the baseline promises, in one account and Region, read with that account's credentials. */
async function expectBaseline(account: string, region: string, stackId: string): Promise<void> {
  const clients = await clientsOf(account, region);
  try {
    const outputs = await outputsOf(stackId, clients);

    // EBS encryption by default, with this account's own key in this Region
    const keyArn = outputs.EbsKeyArn;
    expect(keyArn).toMatch(new RegExp(`^arn:aws:kms:${region}:${account}:key/`));
    expect((await clients.ec2.send(new GetEbsEncryptionByDefaultCommand({}))).EbsEncryptionByDefault).toBe(true);
    expect((await clients.ec2.send(new GetEbsDefaultKmsKeyIdCommand({}))).KmsKeyId).toBe(keyArn);

    // the key: customer managed, enabled, rotating, with its alias
    const { KeyMetadata } = await clients.kms.send(new DescribeKeyCommand({ KeyId: keyArn }));
    expect(KeyMetadata).toMatchObject({ KeyManager: 'CUSTOMER', KeyState: 'Enabled', AWSAccountId: account });
    expect((await clients.kms.send(new GetKeyRotationStatusCommand({ KeyId: keyArn }))).KeyRotationEnabled).toBe(true);
    const { Aliases } = await clients.kms.send(new ListAliasesCommand({ KeyId: KeyMetadata!.KeyId }));
    expect(Aliases?.map((a) => a.AliasName)).toContain(ORGANIZATION_APP.ebsKeyAlias);

    // the two roles: assumable only from the security account, with MFA
    for (const [output, name] of [['KeyAdminRoleArn', 'KeyAdmin'], ['KeyAuditorRoleArn', 'KeyAuditor']]) {
      const roleName = `${ORGANIZATION_APP.roleNamePrefix}${name}-${region}`;
      expect(outputs[output]).toBe(`arn:aws:iam::${account}:role/${roleName}`);
      const { Role } = await clients.iam.send(new GetRoleCommand({ RoleName: roleName }));
      expect(statements(Role!.AssumeRolePolicyDocument!)).toEqual([{
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { AWS: `arn:aws:iam::${ids.security}:root` },
        Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
      }]);
    }

    // the key administrator of the key is this account's admin role
    const { Policy: keyPolicy } = await clients.kms.send(new GetKeyPolicyCommand({ KeyId: keyArn, PolicyName: 'default' }));
    const administration = JSON.parse(keyPolicy!).Statement.find((s: any) => s.Sid === 'KeyAdministration');
    expect(administration?.Principal).toEqual({ AWS: outputs.KeyAdminRoleArn });

    // the auditor: only read actions allowed, and every key use and change denied
    const auditorName = `${ORGANIZATION_APP.roleNamePrefix}KeyAuditor-${region}`;
    const { AttachedPolicies } = await clients.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: auditorName }));
    expect(AttachedPolicies).toHaveLength(1);
    const { Policy } = await clients.iam.send(new GetPolicyCommand({ PolicyArn: AttachedPolicies![0].PolicyArn }));
    expect(Policy!.Arn).toContain(`:${account}:policy/`);
    const { PolicyVersion } = await clients.iam.send(new GetPolicyVersionCommand({ PolicyArn: Policy!.Arn, VersionId: Policy!.DefaultVersionId }));
    const auditorStatements = statements(PolicyVersion!.Document!);
    const allowed = auditorStatements.filter((s) => s.Effect === 'Allow').flatMap((s) => [s.Action].flat());
    expect(allowed.length).toBeGreaterThan(0);
    for (const action of allowed) {
      expect(action).toMatch(/^(kms|cloudtrail|logs):(Describe|Get|List|LookupEvents|FilterLogEvents|StartQuery|StopQuery)/);
      expect(action).not.toBe('kms:GetParametersForImport');
    }
    const denied = auditorStatements.filter((s) => s.Effect === 'Deny').flatMap((s) => [s.Action].flat());
    expect(denied).toEqual(expect.arrayContaining(['kms:Decrypt', 'kms:Encrypt', 'kms:CreateGrant', 'kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:DisableKey']));
  } finally {
    clients.destroy();
  }
}

describe('KmsGovernanceStackSet across an Organization (local AWS)', () => {
  let initial: Awaited<ReturnType<typeof instances>>;

  test('cdk deploy rolls the baseline out to every account of the OU and its nested OU, in both Regions', async () => {
    const t0 = Date.now();
    cdk(['bootstrap', `aws://${MANAGEMENT}/${ORGANIZATION_APP.home}`]);
    timings.bootstrap = Date.now() - t0;
    const t1 = Date.now();
    cdk(['deploy', ORGANIZATION_APP.stack, '--require-approval', 'never']);
    timings.deploy = Date.now() - t1;

    initial = await instances();
    // the management account, the security account and the newcomer (all outside Workloads) get none
    expect(instanceKeys(initial)).toEqual(expected([ids.memberA, ids.memberB, ids.memberC]));
    expect(initial.every((i) => i.Status === 'CURRENT')).toBe(true);
    expect(new Set(initial.map((i) => i.OrganizationalUnitId))).toEqual(new Set([ids.workloads]));

    const { StackSet } = await cfn.send(new cfnSdk.DescribeStackSetCommand({ StackSetName: ORGANIZATION_APP.stackSetName }));
    expect(StackSet).toMatchObject({
      PermissionModel: 'SERVICE_MANAGED',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: true },
      Parameters: [],
    });
  }, CLI_TIMEOUT_MS);

  test('every account and Region: its own EBS default key, rotating with its alias; roles trust only the security account with MFA; the auditor reads only', async () => {
    expect(initial).toHaveLength(6);
    const t0 = Date.now();
    for (const instance of initial) {
      await expectBaseline(instance.Account, instance.Region, instance.StackId!);
    }
    timings.readback = Date.now() - t0;
    // six different keys: no two accounts or Regions share one
    const keys = new Set<string>();
    for (const instance of initial) {
      const clients = await clientsOf(instance.Account, instance.Region);
      keys.add((await outputsOf(instance.StackId!, clients)).EbsKeyArn);
      clients.destroy();
    }
    expect(keys.size).toBe(6);
  }, CLI_TIMEOUT_MS);

  test('an account moved into the nested OU gets the baseline in both Regions (automatic deployment)', async () => {
    const t0 = Date.now();
    await moveAccount(ids.newcomer, ids.root, ids.prod);
    timings.moveIn = Date.now() - t0;
    const now = await instances();
    expect(instanceKeys(now)).toEqual(expected([ids.memberA, ids.memberB, ids.memberC, ids.newcomer]));
    for (const instance of now.filter((i) => i.Account === ids.newcomer)) {
      await expectBaseline(instance.Account, instance.Region, instance.StackId!);
    }
  }, CLI_TIMEOUT_MS);

  test('an account moved out of the OU loses its instances but keeps its stacks, keys and EBS setting', async () => {
    const leaving = initial.filter((i) => i.Account === ids.memberA);
    expect(leaving).toHaveLength(2);
    const t0 = Date.now();
    await moveAccount(ids.memberA, ids.workloads, ids.root);
    timings.moveOut = Date.now() - t0;
    expect(instanceKeys(await instances())).toEqual(expected([ids.memberB, ids.memberC, ids.newcomer]));
    for (const instance of leaving) {
      // still there, read with the account's own credentials, exactly as before
      await expectBaseline(instance.Account, instance.Region, instance.StackId!);
    }
  }, CLI_TIMEOUT_MS);
});

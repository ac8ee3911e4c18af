/**
 * The whole lifecycle with the real CDK CLI against the local AWS, which sends custom resources
 * Create, Update and Delete as CloudFormation does: deploy, update, destroy, and deploy the same
 * app again (test/handlers/lifecycle-app.ts). integ-runner deploys once, so this is where updates
 * and redeploys are proven:
 *
 * - EncryptedSecureStringParam: an update keeps the generated value and changes the description
 *   (the handler got Update, not Create), a renamed parameter replaces the old one, destroy keeps
 *   the RETAIN parameter, and the stack deployed again adopts it (ownership by stack name);
 * - EbsDefaultEncryption: an update switches the default key, destroy resets it;
 * - EnvelopeEncryptedBucket: with STACK_INSTANCE naming the stack deploys again after destroy;
 *   with the default naming that deployment fails on the retained bucket, as the README says.
 *
 * The generated values feed a leak check over the CLI's output and the synthesized templates.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EC2Client, GetEbsDefaultKmsKeyIdCommand, GetEbsEncryptionByDefaultCommand } from '@aws-sdk/client-ec2';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeParametersCommand, GetParameterCommand, ListTagsForResourceCommand, SSMClient } from '@aws-sdk/client-ssm';
import { LIFECYCLE } from './lifecycle-app';
import { OWNER_TAG_KEY } from '../../src/private/contracts/encrypted-secure-string-param.contract';
import { LocalAws, loadSdkClient, runCdkCli, startLocalAws } from '../support';

const ROOT = path.resolve(__dirname, '..', '..');
const APP = `"${process.execPath}" -r ts-node/register/transpile-only ${path.join('test', 'handlers', 'lifecycle-app.ts')}`;
const CLI_TIMEOUT_MS = 240_000;

let aws: LocalAws;
let ssm: SSMClient;
let ec2: EC2Client;
let kms: KMSClient;
let s3: S3Client;
let cfn: any;
let cfnSdk: any;
let outdir: string;
/** The generated values read back; none may appear in the CLI's output or the templates. */
const plaintexts = new Set<string>();
const cliOutput: string[] = [];

beforeAll(async () => {
  aws = await startLocalAws();
  ssm = new SSMClient(aws.clientConfig);
  ec2 = new EC2Client(aws.clientConfig);
  kms = new KMSClient(aws.clientConfig);
  s3 = new S3Client({ ...aws.clientConfig, forcePathStyle: true });
  cfnSdk = loadSdkClient('@aws-sdk/client-cloudformation');
  cfn = new cfnSdk.CloudFormationClient(aws.clientConfig);
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmsgov-lifecycle-'));
  cdk(['bootstrap', `aws://${LIFECYCLE.account}/${LIFECYCLE.region}`]);
}, CLI_TIMEOUT_MS);

afterAll(async () => {
  for (const client of [ssm, ec2, kms, s3, cfn]) client?.destroy();
  await aws?.stop();
  if (outdir) fs.rmSync(outdir, { recursive: true, force: true });
});

/** Run the CDK CLI against the local AWS; throws with its output unless it exits 0 (or `expectFailure`). */
function cdk(args: string[], options: { phase?: number; expectFailure?: boolean } = {}): string {
  const appArgs = args[0] === 'bootstrap' ? [] : ['--app', APP, '--output', outdir, '-c', `lifecycle:phase=${options.phase ?? 1}`];
  const output = runCdkCli(args, { appArgs, cwd: ROOT, env: aws.env, timeoutMs: CLI_TIMEOUT_MS - 10_000 }, options.expectFailure);
  cliOutput.push(output);
  return output;
}

const deploy = (stacks: string[], phase = 1, expectFailure = false) => cdk(['deploy', ...stacks, '--require-approval', 'never'], { phase, expectFailure });
const destroyAll = () => cdk(['destroy', '--all', '--force']);

async function parameter(name: string): Promise<{ value: string; description?: string; owner?: string } | undefined> {
  const described = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Values: [name] }] }));
  const meta = described.Parameters?.[0];
  if (!meta) return undefined;
  const value = (await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }))).Parameter!.Value!;
  plaintexts.add(value);
  const tags = await ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: name }));
  return { value, description: meta.Description, owner: tags.TagList?.find((t) => t.Key === OWNER_TAG_KEY)?.Value };
}

async function keyArnOf(alias: string): Promise<string> {
  return (await kms.send(new DescribeKeyCommand({ KeyId: `alias/${alias}` }))).KeyMetadata!.Arn!;
}

async function ebsState(): Promise<{ encrypted?: boolean; keyId?: string }> {
  const [{ EbsEncryptionByDefault }, { KmsKeyId }] = await Promise.all([
    ec2.send(new GetEbsEncryptionByDefaultCommand({})),
    ec2.send(new GetEbsDefaultKmsKeyIdCommand({})),
  ]);
  return { encrypted: EbsEncryptionByDefault, keyId: KmsKeyId };
}

async function bucketNames(): Promise<string[]> {
  return ((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name!).filter((n) => n.startsWith('kmsgov-'));
}

async function stackId(name: string): Promise<string> {
  return (await cfn.send(new cfnSdk.DescribeStacksCommand({ StackName: name }))).Stacks[0].StackId;
}

/** The statuses a stack's resource went through, oldest first. */
async function resourceStatuses(stack: string, logicalIdPrefix: string): Promise<string[]> {
  const events = (await cfn.send(new cfnSdk.DescribeStackEventsCommand({ StackName: stack }))).StackEvents as any[];
  return events.filter((e) => e.LogicalResourceId.startsWith(logicalIdPrefix)).map((e) => e.ResourceStatus).reverse();
}

const OWNER = new RegExp(`^arn:aws:cloudformation:us-east-1:123456789012:stack/${LIFECYCLE.params}/Kept[0-9A-F]{8}$`);

describe('deploy, update, destroy, deploy again (CDK CLI against the local AWS)', () => {
  let keptValue: string;
  let firstBuckets: string[];

  test('deploy: the parameters, the EBS default and both buckets are there', async () => {
    deploy([LIFECYCLE.params, LIFECYCLE.ebs, LIFECYCLE.bucketPerInstance, LIFECYCLE.bucketFixed]);

    const kept = await parameter(LIFECYCLE.kept);
    expect(kept).toMatchObject({ value: expect.stringMatching(/^[A-Za-z0-9]{24}$/), description: 'first', owner: expect.stringMatching(OWNER) });
    keptValue = kept!.value;
    expect(await parameter(LIFECYCLE.renamed(1))).toMatchObject({ value: expect.stringMatching(/^[A-Za-z0-9]{20}$/) });
    expect(await ebsState()).toEqual({ encrypted: true, keyId: await keyArnOf('lifecycle/ebs-first') });

    firstBuckets = await bucketNames();
    const suffix = (await stackId(LIFECYCLE.bucketPerInstance)).split('/')[2].split('-')[0];
    expect(firstBuckets.filter((n) => n.endsWith(`-123456789012-us-east-1-${suffix}`))).toHaveLength(1);
    expect(firstBuckets.filter((n) => /^kmsgov-[0-9a-f]{8}-123456789012-us-east-1$/.test(n))).toHaveLength(1);
  }, CLI_TIMEOUT_MS);

  test('update: the handlers get Update — the value is kept, the description, the renamed parameter and the EBS key change', async () => {
    deploy([LIFECYCLE.params, LIFECYCLE.ebs], 2);

    // the same generated value with the new description: an Update (a Create would write a new value)
    expect(await parameter(LIFECYCLE.kept)).toMatchObject({ value: keptValue, description: 'second' });
    expect(await resourceStatuses(LIFECYCLE.params, 'Kept')).toEqual(expect.arrayContaining(['UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE']));
    // a new name is a replacement: the new parameter is created, the old one deleted (DESTROY) in the
    // cleanup. (On AWS that delete is refused: the handler's policy is narrowed first; see the README's
    // IMPORTANT note. The local AWS enforces no IAM.)
    expect(await parameter(LIFECYCLE.renamed(2))).toBeDefined();
    expect(await parameter(LIFECYCLE.renamed(1))).toBeUndefined();
    expect(await ebsState()).toEqual({ encrypted: true, keyId: await keyArnOf('lifecycle/ebs-second') });
    expect(await resourceStatuses(LIFECYCLE.ebs, 'EbsDefault')).toEqual(expect.arrayContaining(['UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE']));
  }, CLI_TIMEOUT_MS);

  test('destroy: the RETAIN parameter and the buckets stay, the DESTROY parameter goes, the EBS key is reset', async () => {
    destroyAll();

    expect(await parameter(LIFECYCLE.kept)).toMatchObject({ value: keptValue, owner: expect.stringMatching(OWNER) });
    expect(await parameter(LIFECYCLE.renamed(2))).toBeUndefined();
    expect(await ebsState()).toEqual({ encrypted: true, keyId: 'alias/aws/ebs' });
    expect(await bucketNames()).toEqual(expect.arrayContaining(firstBuckets));
  }, CLI_TIMEOUT_MS);

  test('deploy the same app again: the stack adopts its retained parameter, the STACK_INSTANCE bucket is new', async () => {
    deploy([LIFECYCLE.params, LIFECYCLE.bucketPerInstance]);

    // the owner tag names the stack by name, so the new stack (a new stack id) owns it
    const kept = await parameter(LIFECYCLE.kept);
    expect(kept).toMatchObject({ value: expect.stringMatching(/^[A-Za-z0-9]{24}$/), description: 'first', owner: expect.stringMatching(OWNER) });
    expect(await parameter(LIFECYCLE.renamed(1))).toBeDefined();

    const suffix = (await stackId(LIFECYCLE.bucketPerInstance)).split('/')[2].split('-')[0];
    const now = await bucketNames();
    expect(now.filter((n) => n.endsWith(`-${suffix}`))).toHaveLength(1);
    expect(firstBuckets.some((n) => n.endsWith(`-${suffix}`))).toBe(false);
    expect(now).toEqual(expect.arrayContaining(firstBuckets)); // the retained bucket is untouched
  }, CLI_TIMEOUT_MS);

  test('…while the default (fixed) bucket name fails on the retained bucket, as documented', async () => {
    const output = deploy([LIFECYCLE.bucketFixed], 1, true);
    // the data bucket's name is taken (S3: BucketAlreadyExists; CloudFormation: "<name> already exists")
    expect(output).toMatch(/CREATE_FAILED\s+\| AWS::S3::Bucket\s+\| Data\/Bucket \(DataBucket[0-9A-F]{8}\) (BucketAlreadyExists|.*already exists)/);
  }, CLI_TIMEOUT_MS);

  test('destroy again; nothing generated appears in the CLI output or the templates', async () => {
    destroyAll();
    expect(await parameter(LIFECYCLE.renamed(1))).toBeUndefined();

    expect(plaintexts.size).toBeGreaterThanOrEqual(4);
    const templates = fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json')).map((f) => fs.readFileSync(path.join(outdir, f), 'utf8'));
    expect(templates.length).toBeGreaterThanOrEqual(4);
    const hits = [...plaintexts].filter((p) => [...cliOutput, ...templates].some((text) => text.includes(p)));
    expect(hits).toEqual([]);
  }, CLI_TIMEOUT_MS);
});

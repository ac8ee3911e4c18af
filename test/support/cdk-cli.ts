import { spawnSync } from 'child_process';

/** How a test runs the real CDK CLI (the aws-cdk dev dependency). */
export interface CdkCliRun {
  /** Appended to the command's arguments, and left out of its error message (`--app`, `--output`, `-c`). */
  readonly appArgs?: string[];
  /** Where the CLI runs (the app's paths are relative to it). */
  readonly cwd: string;
  /** Added to the test's environment (for example the local AWS's endpoint and credentials). */
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs: number;
}

/**
 * Run `cdk <args>` and return its exit and its output (stdout, then stderr). Throws with the last
 * 6,000 characters of the output when the exit is not what `expectFailure` says.
 */
export function runCdkCli(args: string[], run: CdkCliRun, expectFailure = false): string {
  const result = spawnSync(process.execPath, [require.resolve('aws-cdk/bin/cdk'), ...args, ...(run.appArgs ?? [])], {
    cwd: run.cwd,
    env: { ...process.env, ...run.env, NODE_NO_WARNINGS: '1', CDK_DISABLE_VERSION_CHECK: '1' },
    encoding: 'utf8',
    timeout: run.timeoutMs,
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  const failed = result.status !== 0;
  if (failed !== expectFailure) {
    throw new Error(`cdk ${args.join(' ')} ${failed ? `failed (exit ${result.status ?? result.signal})` : 'succeeded, but was expected to fail'}:\n${output.slice(-6000)}`);
  }
  return output;
}

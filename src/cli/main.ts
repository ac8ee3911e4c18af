/**
 * The `cdk-kms-governance` command of the package (`npx cdk-kms-governance <command>`). Bundled
 * with esbuild into `assets/cli/main/index.js`, the package's `bin`; not part of the jsii API.
 */
import { importKeyMaterialCommand } from './import-key-material';

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  'import-key-material': (argv) => importKeyMaterialCommand(argv, {
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
  }),
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const run = command === undefined ? undefined : COMMANDS[command];
  if (!run) {
    const usage = `Usage: cdk-kms-governance <command> [flags]; commands: ${Object.keys(COMMANDS).join(', ')} (each with --help).`;
    if (command === undefined || command === '--help' || command === '-h') {
      process.stdout.write(`${usage}\n`);
      return command === undefined ? 1 : 0;
    }
    process.stderr.write(`Unknown command ${JSON.stringify(command)}. ${usage}\n`);
    return 1;
  }
  return run(rest);
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});

import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * The acknowledgements the library ships with its constructs (src/private/acknowledgements.ts),
 * read back from the construct tree the way cdk-nag reads them: `Validations.of(x).acknowledge()`
 * records them as `aws:cdk:acknowledged-rules` metadata on the resource. A user's run of the packs
 * honours them; `rawFindings` runs the packs as if none had been recorded, so that a test can check
 * that each one still matches a finding.
 */
export interface ShippedAcknowledgement {
  /** The finding id as cdk-nag v3 reports it. */
  readonly id: string;
  /** The construct path of the resource it is recorded on. */
  readonly path: string;
  readonly reason: string;
}

/** cdk-aws-lib ≥ 2.258 prefixes ids without `::` with `annotation::`; cdk-nag strips it, as we do. */
const ANNOTATION_PREFIX = /^annotation::/i;

/** Every acknowledgement recorded on a construct of `scope`. */
export function shippedAcknowledgements(scope: IConstruct): ShippedAcknowledgement[] {
  const out: ShippedAcknowledgement[] = [];
  for (const c of scope.node.findAll()) {
    for (const entry of c.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        out.push({ id: id.replace(ANNOTATION_PREFIX, ''), path: c.node.path, reason });
      }
    }
  }
  return out;
}

/**
 * Run `fn` with every recorded acknowledgement invisible to cdk-nag: it looks them up under
 * `Validations.ACKNOWLEDGED_RULES_METADATA_KEY`, which is switched to a key nothing writes.
 */
export function ignoringAcknowledgements<T>(fn: () => T): T {
  const holder = Validations as unknown as { ACKNOWLEDGED_RULES_METADATA_KEY: string };
  const saved = holder.ACKNOWLEDGED_RULES_METADATA_KEY;
  holder.ACKNOWLEDGED_RULES_METADATA_KEY = 'kmsgov-test:acknowledgements-ignored';
  try {
    return fn();
  } finally {
    holder.ACKNOWLEDGED_RULES_METADATA_KEY = saved;
  }
}

import * as iam from 'aws-cdk-lib/aws-iam';
import { IManagedKey } from './managed-key';

/**
 * The grants of a library key, in the shape of aws-cdk-lib's `kms.KeyGrants` (`key.grants.decrypt(role)`),
 * every one of which lands in the key policy: each method is the key's `grant*` method of the same
 * name. (`kms.KeyGrants.fromKey(key)` itself writes a same-account grant into the grantee's IAM policy;
 * for a library key the app pass copies that use into the key policy, see README "Across stacks".)
 */
export class ManagedKeyGrants {
  /** The grants of `key`. */
  public static of(key: IManagedKey): ManagedKeyGrants {
    return new ManagedKeyGrants(key);
  }

  private constructor(private readonly key: IManagedKey) {}

  /** Grant actions (see `grant`). */
  public actions(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return this.key.grant(grantee, ...actions);
  }

  /** Grant the administration actions (see `grantAdmin`). */
  public admin(grantee: iam.IGrantable): iam.Grant {
    return this.key.grantAdmin(grantee);
  }

  /** Grant decryption (see `grantDecrypt`). */
  public decrypt(grantee: iam.IGrantable): iam.Grant {
    return this.key.grantDecrypt(grantee);
  }

  /** Grant encryption (see `grantEncrypt`). */
  public encrypt(grantee: iam.IGrantable): iam.Grant {
    return this.key.grantEncrypt(grantee);
  }

  /** Grant encryption and decryption (see `grantEncryptDecrypt`). */
  public encryptDecrypt(grantee: iam.IGrantable): iam.Grant {
    return this.key.grantEncryptDecrypt(grantee);
  }

  /** Grant signing (see `grantSign`). */
  public sign(grantee: iam.IGrantable): iam.Grant {
    return this.key.grantSign(grantee);
  }

  /** Grant verification (see `grantVerify`). */
  public verify(grantee: iam.IGrantable): iam.Grant {
    return this.key.grantVerify(grantee);
  }

  /** Grant signing and verification (see `grantSignVerify`). */
  public signVerify(grantee: iam.IGrantable): iam.Grant {
    return this.key.grantSignVerify(grantee);
  }

  /** Grant MAC generation (see `grantGenerateMac`). */
  public generateMac(grantee: iam.IGrantable): iam.Grant {
    return this.key.grantGenerateMac(grantee);
  }

  /** Grant MAC verification (see `grantVerifyMac`). */
  public verifyMac(grantee: iam.IGrantable): iam.Grant {
    return this.key.grantVerifyMac(grantee);
  }
}

"""Apply every moto patch, once (each module says which moto functions it
replaces and why)."""

_applied = False


def apply_all() -> None:
    global _applied
    if _applied:
        return
    from . import (
        cfn_names,
        cfn_resource_types,
        cfn_stacksets_api,
        patch_cloudformation,
        patch_core,
        patch_ebs,
        patch_iam,
        patch_kms,
        patch_kms_asymmetric,
        patch_kms_material,
        patch_kms_multiregion,
        patch_lambda,
        patch_organizations,
        patch_s3,
    )

    patch_core.apply()
    patch_lambda.apply()
    patch_kms.apply()
    patch_kms_multiregion.apply()  # after patch_kms: wraps its functions
    patch_kms_material.apply()  # after patch_kms_multiregion: wraps its functions
    patch_kms_asymmetric.apply()  # after patch_kms_material: uses its key material IDs
    patch_ebs.apply()
    patch_iam.apply()
    patch_s3.apply()
    patch_organizations.apply()
    cfn_resource_types.apply()
    cfn_names.apply()
    patch_cloudformation.apply()
    cfn_stacksets_api.apply()  # after patch_cloudformation: replaces moto's StackSets actions
    _applied = True

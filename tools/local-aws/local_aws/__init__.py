"""Offline AWS emulator harness built on moto 5.2.1.

Entry point: ``tools/local-aws/launcher.py``. The modules in this package are
imported only after the launcher has checked that the installed moto is the
exact version the patches were written for.

Modules:
  constants        -- account, region, paths shared by everything else
  client_env       -- the environment a client process needs to talk to us
  sdk_install      -- ``npm ci`` of tools/local-aws/sdk (the Lambda runtime SDK)
  server           -- start/stop of the in-process moto server
  lambda_executor  -- runs Node.js Lambda handlers in a ``node`` child process
  patch_lambda     -- plugs the executor into moto's Lambda model
  patch_cloudformation   -- change sets, stack create/update/delete wiring, failure handling
  cfn_events             -- stack/resource events and failure types (shared)
  cfn_custom_resources   -- the custom-resource protocol: Create/Update/Delete, ServiceTimeout
  cfn_lifecycle          -- stack updates (cleanup, rollback) and deletes, in dependency order
  cfn_resource_types     -- strict resource types + the few types we add
  cfn_cloudtrail         -- AWS::CloudTrail::Trail on moto's CloudTrail backend
  cfn_names              -- generated physical names within each type's name limit
  cfn_stacksets          -- StackSets: stack sets, stack instances (real stacks in their
                            account and Region), operations, automatic deployment
  cfn_stacksets_api      -- the StackSets API actions on cfn_stacksets
  cfn_stackset_resource  -- AWS::CloudFormation::StackSet on cfn_stacksets
  patch_organizations    -- Organizations: MoveAccount/OU checks, member access,
                            delegated admins for StackSets, account-change hooks
  patch_kms        -- key state, key usage, CloudFormation key properties
  patch_ebs        -- Get/ResetEbsDefaultKmsKeyId
  patch_core       -- unimplemented actions answer HTTP 400 instead of 500
  patches          -- applies all of the above, once
  node_runner.js   -- runs one Lambda invocation in `node` (used by lambda_executor)
  cfn_response.js  -- the `cfn-response` module given to inline (ZipFile) Node.js code
"""

"""StackSets and Organizations regression tests (patch_organizations.py,
cfn_stacksets*.py, cfn_stackset_resource.py, cfn_names.py, the account
credentials of patch_lambda.py); loaded by selftest.py (run that, under the
launcher). Every check reads back with the target account's own credentials
(sts:AssumeRole into its OrganizationAccountAccessRole: moto identifies the
account by the access key), so an instance that landed in the wrong account
or Region, or a handler that ran with the management account's credentials,
fails the test.
"""

from __future__ import annotations

import json
import unittest
import uuid

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

__all__ = [  # selftest.py star-imports the test classes only
    "OrganizationsTests", "ServiceManagedStackSetTests", "InstanceHandlerTests", "SelfManagedStackSetTests",
    "StackSetResourceTests",
]

MANAGEMENT = "123456789012"
HOME = "us-east-1"
OTHER = "eu-west-1"
LONG_CALLS = Config(read_timeout=300, retries={"max_attempts": 0})


def client(service: str, region: str = HOME, credentials: dict | None = None):
    keys = {}
    if credentials:
        keys = {"aws_access_key_id": credentials["AccessKeyId"], "aws_secret_access_key": credentials["SecretAccessKey"],
                "aws_session_token": credentials["SessionToken"]}
    return boto3.client(service, region_name=region, config=LONG_CALLS, **keys)


_credentials: dict[str, dict] = {}


def as_account(account: str, service: str, region: str = HOME):
    """A client signed with ``account``'s credentials (its OrganizationAccountAccessRole)."""
    if account not in _credentials:
        _credentials[account] = client("sts").assume_role(
            RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole", RoleSessionName="selftest-readback"
        )["Credentials"]
    return client(service, region, _credentials[account])


def error_of(call) -> tuple[str, str]:
    try:
        call()
    except ClientError as error:
        return error.response["Error"]["Code"], error.response["Error"].get("Message", "")
    return "no error", ""


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


class Org:
    """The organization: created once (moto keeps one per management account)."""

    _root: str | None = None

    @classmethod
    def root(cls) -> str:
        if cls._root is None:
            org = client("organizations")
            try:
                org.create_organization(FeatureSet="ALL")
            except ClientError as error:
                if error.response["Error"]["Code"] != "AlreadyInOrganizationException":
                    raise
            client("cloudformation").activate_organizations_access()
            cls._root = org.list_roots()["Roots"][0]["Id"]
        return cls._root

    @classmethod
    def ou(cls, name: str, parent: str | None = None) -> str:
        return client("organizations").create_organizational_unit(ParentId=parent or cls.root(), Name=unique(name))["OrganizationalUnit"]["Id"]

    @classmethod
    def account(cls, name: str, parent: str | None = None) -> str:
        cls.root()
        org = client("organizations")
        account = org.create_account(AccountName=unique(name), Email=f"{unique(name)}@example.com")["CreateAccountStatus"]["AccountId"]
        if parent:
            org.move_account(AccountId=account, SourceParentId=cls.root(), DestinationParentId=parent)
        return account


def stack_of(account: str, region: str, stack_id: str) -> dict:
    return as_account(account, "cloudformation", region).describe_stacks(StackName=stack_id)["Stacks"][0]


def instances(name: str, **kwargs) -> dict[tuple[str, str], dict]:
    summaries = client("cloudformation").list_stack_instances(StackSetName=name, **kwargs)["Summaries"]
    return {(s["Account"], s["Region"]): s for s in summaries}


def operation(name: str, operation_id: str) -> dict:
    return client("cloudformation").describe_stack_set_operation(StackSetName=name, OperationId=operation_id)["StackSetOperation"]


def results(name: str, operation_id: str) -> dict[tuple[str, str], dict]:
    summaries = client("cloudformation").list_stack_set_operation_results(StackSetName=name, OperationId=operation_id)["Summaries"]
    return {(s["Account"], s["Region"]): s for s in summaries}


def service_managed(name: str, template: dict, auto: dict | None = None, **kwargs) -> None:
    client("cloudformation").create_stack_set(
        StackSetName=name, TemplateBody=json.dumps(template), PermissionModel="SERVICE_MANAGED",
        AutoDeployment=auto or {"Enabled": False}, **kwargs,
    )


# An SSM parameter in each instance, named after the stack set: what the readback looks for.
MARKER_TEMPLATE = {
    "Parameters": {"Marker": {"Type": "String", "Default": "v1"}, "SetName": {"Type": "String"}},
    "Resources": {"MarkerParameter": {"Type": "AWS::SSM::Parameter", "Properties": {
        "Name": {"Fn::Sub": "/selftest/${SetName}"}, "Type": "String", "Value": {"Fn::Sub": "${Marker}@${AWS::AccountId}/${AWS::Region}"}}}},
}


def marker(account: str, region: str, set_name: str) -> str | None:
    try:
        return as_account(account, "ssm", region).get_parameter(Name=f"/selftest/{set_name}")["Parameter"]["Value"]
    except ClientError as error:
        if error.response["Error"]["Code"] == "ParameterNotFound":
            return None
        raise


class OrganizationsTests(unittest.TestCase):
    def test_nested_organizational_units_and_id_formats(self):
        org = client("organizations")
        root = Org.root()
        description = org.describe_organization()["Organization"]
        self.assertRegex(description["Id"], r"^o-[a-z0-9]{10,32}$")
        self.assertRegex(root, r"^r-[a-z0-9]{4,32}$")
        parent = Org.ou("parent")
        child = Org.ou("child", parent)
        self.assertRegex(child, r"^ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}$")
        self.assertEqual(child.split("-")[1], root.split("-")[1])  # an OU ID carries its root's
        self.assertEqual([o["Id"] for o in org.list_organizational_units_for_parent(ParentId=parent)["OrganizationalUnits"]], [child])
        self.assertEqual([c["Id"] for c in org.list_children(ParentId=parent, ChildType="ORGANIZATIONAL_UNIT")["Children"]], [child])
        account = Org.account("nested", child)
        self.assertEqual([a["Id"] for a in org.list_accounts_for_parent(ParentId=child)["Accounts"]], [account])
        self.assertEqual(org.list_accounts_for_parent(ParentId=parent)["Accounts"], [])  # direct children only, as on AWS
        self.assertEqual(org.list_parents(ChildId=account)["Parents"], [{"Id": child, "Type": "ORGANIZATIONAL_UNIT"}])
        self.assertEqual(org.list_parents(ChildId=child)["Parents"], [{"Id": parent, "Type": "ORGANIZATIONAL_UNIT"}])
        # moto accepted any parent, duplicate names and any depth
        self.assertEqual(error_of(lambda: org.create_organizational_unit(ParentId="ou-abcd-12345678", Name="x"))[0], "ParentNotFoundException")
        name = org.describe_organizational_unit(OrganizationalUnitId=child)["OrganizationalUnit"]["Name"]
        self.assertEqual(error_of(lambda: org.create_organizational_unit(ParentId=parent, Name=name))[0], "DuplicateOrganizationalUnitException")
        deep = child
        for level in range(3, 6):  # levels 3, 4, 5
            deep = Org.ou(f"level{level}", deep)
        self.assertEqual(error_of(lambda: org.create_organizational_unit(ParentId=deep, Name="level6"))[0], "ConstraintViolationException")

    def test_move_account_and_delete_ou_are_checked(self):
        org = client("organizations")
        ou, other = Org.ou("move"), Org.ou("move-other")
        account = Org.account("mover", ou)
        self.assertEqual(error_of(lambda: org.move_account(AccountId=account, SourceParentId=other, DestinationParentId=ou))[0], "AccountNotFoundException")
        self.assertEqual(error_of(lambda: org.move_account(AccountId=account, SourceParentId=ou, DestinationParentId=ou))[0], "DuplicateAccountException")
        self.assertEqual(error_of(lambda: org.move_account(AccountId=account, SourceParentId=ou, DestinationParentId="ou-abcd-12345678"))[0],
                         "DestinationParentNotFoundException")
        self.assertEqual(error_of(lambda: org.delete_organizational_unit(OrganizationalUnitId=ou))[0], "OrganizationalUnitNotEmptyException")
        org.move_account(AccountId=account, SourceParentId=ou, DestinationParentId=other)
        self.assertEqual(org.list_parents(ChildId=account)["Parents"][0]["Id"], other)
        org.delete_organizational_unit(OrganizationalUnitId=ou)
        # only the management account moves accounts
        self.assertEqual(error_of(lambda: as_account(account, "organizations").move_account(
            AccountId=account, SourceParentId=other, DestinationParentId=Org.root()))[0], "AccessDeniedException")

    def test_member_accounts_and_delegated_administrators(self):
        org = client("organizations")
        security = Org.account("security")
        member = as_account(security, "organizations")
        self.assertEqual(member.describe_organization()["Organization"]["Id"], org.describe_organization()["Organization"]["Id"])
        self.assertEqual(error_of(member.list_accounts)[0], "AccessDeniedException")  # moto: [] from the member's own backend
        org.register_delegated_administrator(AccountId=security, ServicePrincipal="member.org.stacksets.cloudformation.amazonaws.com")
        listed = {a["Id"] for a in member.list_accounts()["Accounts"]}
        self.assertIn(MANAGEMENT, listed)
        self.assertIn(security, listed)
        self.assertEqual(error_of(lambda: member.create_organizational_unit(ParentId=Org.root(), Name="x"))[0], "AccessDeniedException")
        iam = as_account(security, "iam")
        role = iam.get_role(RoleName="OrganizationAccountAccessRole")["Role"]
        self.assertEqual(role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"], {"AWS": f"arn:aws:iam::{MANAGEMENT}:root"})
        attached = iam.list_attached_role_policies(RoleName="OrganizationAccountAccessRole")["AttachedPolicies"]
        self.assertEqual([p["PolicyArn"] for p in attached], ["arn:aws:iam::aws:policy/AdministratorAccess"])
        self.assertEqual(as_account(security, "sts").get_caller_identity()["Account"], security)


class ServiceManagedStackSetTests(unittest.TestCase):
    def test_nested_ous_two_regions_each_account_reads_its_own(self):
        parent = Org.ou("targets")
        child = Org.ou("nested", parent)
        direct, nested = Org.account("direct", parent), Org.account("nested", child)
        bystander = Org.account("bystander")  # in the root, not targeted
        name = unique("nested")
        service_managed(name, MARKER_TEMPLATE, Parameters=[{"ParameterKey": "SetName", "ParameterValue": name}], Tags=[{"Key": "team", "Value": "sec"}])
        cfn = client("cloudformation")
        operation_id = cfn.create_stack_instances(StackSetName=name, DeploymentTargets={"OrganizationalUnitIds": [parent]}, Regions=[HOME, OTHER])["OperationId"]
        self.assertEqual(operation(name, operation_id)["Status"], "SUCCEEDED")
        found = instances(name)
        self.assertEqual(set(found), {(a, r) for a in (direct, nested) for r in (HOME, OTHER)})
        for (account, region), summary in found.items():
            self.assertEqual((summary["Status"], summary["StackInstanceStatus"]["DetailedStatus"], summary["OrganizationalUnitId"]), ("CURRENT", "SUCCEEDED", parent))
            self.assertEqual(marker(account, region, name), f"v1@{account}/{region}")  # in that account's and Region's backends
            stack = stack_of(account, region, summary["StackId"])
            self.assertRegex(stack["StackName"], rf"^StackSet-{name}-[0-9a-f-]{{36}}$")
            self.assertEqual(stack["StackStatus"], "CREATE_COMPLETE")
            self.assertIn({"Key": "team", "Value": "sec"}, stack["Tags"])
        self.assertIsNone(marker(bystander, HOME, name))
        self.assertIsNone(self._management_marker(name))
        described = cfn.describe_stack_set(StackSetName=name)["StackSet"]
        self.assertEqual((described["OrganizationalUnitIds"], described["Regions"]), ([parent], [HOME, OTHER]))

        # UpdateStackSet with a changed parameter, only for the nested OU in one Region: the rest is OUTDATED
        operation_id = cfn.update_stack_set(StackSetName=name, UsePreviousTemplate=True, DeploymentTargets={"OrganizationalUnitIds": [child]}, Regions=[OTHER],
                                            Parameters=[{"ParameterKey": "Marker", "ParameterValue": "v2"}, {"ParameterKey": "SetName", "UsePreviousValue": True}])["OperationId"]
        self.assertEqual(operation(name, operation_id)["Status"], "SUCCEEDED")
        found = instances(name)
        self.assertEqual(found[(nested, OTHER)]["Status"], "CURRENT")
        self.assertEqual({found[k]["Status"] for k in found if k != (nested, OTHER)}, {"OUTDATED"})
        self.assertEqual((marker(nested, OTHER, name), marker(direct, OTHER, name)), (f"v2@{nested}/{OTHER}", f"v1@{direct}/{OTHER}"))
        operation_id = cfn.update_stack_set(StackSetName=name, UsePreviousTemplate=True,
                                            Parameters=[{"ParameterKey": "Marker", "UsePreviousValue": True}, {"ParameterKey": "SetName", "UsePreviousValue": True}])["OperationId"]
        self.assertEqual({s["Status"] for s in instances(name).values()}, {"CURRENT"})
        self.assertEqual(marker(direct, HOME, name), f"v2@{direct}/{HOME}")
        self.assertEqual(len(results(name, operation_id)), 4)

        # DeleteStackInstances by the nested OU, keeping the stacks; then the parent OU, deleting them
        nested_stack = found[(nested, HOME)]["StackId"]
        cfn.delete_stack_instances(StackSetName=name, DeploymentTargets={"OrganizationalUnitIds": [child]}, Regions=[HOME, OTHER], RetainStacks=True)
        self.assertEqual(set(instances(name)), {(direct, HOME), (direct, OTHER)})
        self.assertEqual(stack_of(nested, HOME, nested_stack)["StackStatus"], "UPDATE_COMPLETE")  # kept, as it was
        direct_stack = found[(direct, OTHER)]["StackId"]
        operation_id = cfn.delete_stack_instances(StackSetName=name, DeploymentTargets={"OrganizationalUnitIds": [parent]}, Regions=[HOME, OTHER], RetainStacks=False)["OperationId"]
        self.assertEqual((operation(name, operation_id)["Action"], operation(name, operation_id)["RetainStacks"]), ("DELETE", False))
        self.assertEqual(instances(name), {})
        self.assertEqual(stack_of(direct, OTHER, direct_stack)["StackStatus"], "DELETE_COMPLETE")
        self.assertIsNone(marker(direct, OTHER, name))
        self.assertEqual(cfn.describe_stack_set(StackSetName=name)["StackSet"]["OrganizationalUnitIds"], [])
        stack_set_id = cfn.describe_stack_set(StackSetName=name)["StackSet"]["StackSetId"]
        cfn.delete_stack_set(StackSetName=name)
        self.assertEqual(cfn.describe_stack_set(StackSetName=stack_set_id)["StackSet"]["Status"], "DELETED")
        self.assertEqual(error_of(lambda: cfn.describe_stack_set(StackSetName=name))[0], "StackSetNotFoundException")

    @staticmethod
    def _management_marker(name: str):
        try:
            return client("ssm").get_parameter(Name=f"/selftest/{name}")["Parameter"]["Value"]
        except ClientError:
            return None

    def test_root_target_excludes_the_management_account(self):
        ou = Org.ou("root-target")
        account = Org.account("under-root", ou)
        name = unique("root")
        service_managed(name, MARKER_TEMPLATE, Parameters=[{"ParameterKey": "SetName", "ParameterValue": name}])
        cfn = client("cloudformation")
        cfn.create_stack_instances(StackSetName=name, DeploymentTargets={"OrganizationalUnitIds": [Org.root()]}, Regions=[HOME])
        accounts = {a for a, _ in instances(name)}
        self.assertIn(account, accounts)
        self.assertNotIn(MANAGEMENT, accounts)
        self.assertIsNone(self._management_marker(name))
        cfn.delete_stack_instances(StackSetName=name, DeploymentTargets={"OrganizationalUnitIds": [Org.root()]}, Regions=[HOME], RetainStacks=False)
        self.assertEqual(instances(name), {})
        cfn.delete_stack_set(StackSetName=name)

    def test_access_rules_and_delegated_administrator(self):
        cfn = client("cloudformation")
        template = json.dumps(MARKER_TEMPLATE)
        cfn.deactivate_organizations_access()
        try:
            self.assertEqual(cfn.describe_organizations_access()["Status"], "DISABLED")
            code, message = error_of(lambda: cfn.create_stack_set(StackSetName=unique("x"), TemplateBody=template, PermissionModel="SERVICE_MANAGED",
                                                                  AutoDeployment={"Enabled": False}))
            self.assertEqual((code, message), ("ValidationError", "You must enable organizations access to operate a service managed stack set"))
        finally:
            cfn.activate_organizations_access()
        self.assertEqual(cfn.describe_organizations_access()["Status"], "ENABLED")
        services = client("organizations").list_aws_service_access_for_organization()["EnabledServicePrincipals"]
        self.assertIn("member.org.stacksets.cloudformation.amazonaws.com", [s["ServicePrincipal"] for s in services])
        self.assertEqual(error_of(lambda: cfn.create_stack_set(StackSetName=unique("x"), TemplateBody=template, PermissionModel="SERVICE_MANAGED"))[0], "ValidationError")

        admin, plain = Org.account("stacksets-admin"), Org.account("plain-member")
        client("organizations").register_delegated_administrator(AccountId=admin, ServicePrincipal="member.org.stacksets.cloudformation.amazonaws.com")
        self.assertEqual(error_of(lambda: as_account(plain, "cloudformation").create_stack_set(
            StackSetName=unique("x"), TemplateBody=template, PermissionModel="SERVICE_MANAGED", AutoDeployment={"Enabled": False}))[1],
            "You must be the management account or delegated admin account of an organization before operating a SERVICE_MANAGED stack set")
        self.assertEqual(error_of(lambda: as_account(plain, "cloudformation").create_stack_set(
            StackSetName=unique("x"), TemplateBody=template, PermissionModel="SERVICE_MANAGED", AutoDeployment={"Enabled": False}, CallAs="DELEGATED_ADMIN"))[1],
            "Account used is not a delegated administrator")
        ou = Org.ou("delegated")
        target = Org.account("delegated-target", ou)
        delegated = as_account(admin, "cloudformation")
        name = unique("delegated")
        delegated.create_stack_set(StackSetName=name, TemplateBody=template, PermissionModel="SERVICE_MANAGED", AutoDeployment={"Enabled": False},
                                   CallAs="DELEGATED_ADMIN", Parameters=[{"ParameterKey": "SetName", "ParameterValue": name}])
        delegated.create_stack_instances(StackSetName=name, DeploymentTargets={"OrganizationalUnitIds": [ou]}, Regions=[HOME], CallAs="DELEGATED_ADMIN")
        arn = delegated.describe_stack_set(StackSetName=name, CallAs="DELEGATED_ADMIN")["StackSet"]["StackSetARN"]
        self.assertIn(f":{admin}:stackset/{name}:", arn)
        self.assertEqual(marker(target, HOME, name), f"v1@{target}/{HOME}")
        self.assertEqual(error_of(lambda: delegated.describe_stack_set(StackSetName=name))[0], "StackSetNotFoundException")  # CallAs SELF
        delegated.delete_stack_instances(StackSetName=name, DeploymentTargets={"OrganizationalUnitIds": [ou]}, Regions=[HOME], RetainStacks=False, CallAs="DELEGATED_ADMIN")
        delegated.delete_stack_set(StackSetName=name, CallAs="DELEGATED_ADMIN")

    def test_automatic_deployment_follows_accounts(self):
        targeted, elsewhere = Org.ou("auto"), Org.ou("not-targeted")
        first = Org.account("auto-first", targeted)
        mover = Org.account("auto-mover", elsewhere)
        template = {
            "Parameters": MARKER_TEMPLATE["Parameters"],
            "Resources": {**MARKER_TEMPLATE["Resources"],
                          "Key": {"Type": "AWS::KMS::Key", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain", "Properties": {"Description": "baseline key"}}},
            "Outputs": {"Key": {"Value": {"Ref": "Key"}}},
        }
        deleting, retaining = unique("auto-delete"), unique("auto-retain")
        service_managed(deleting, template, {"Enabled": True, "RetainStacksOnAccountRemoval": False}, Parameters=[{"ParameterKey": "SetName", "ParameterValue": deleting}])
        service_managed(retaining, template, {"Enabled": True, "RetainStacksOnAccountRemoval": True}, Parameters=[{"ParameterKey": "SetName", "ParameterValue": retaining}])
        cfn = client("cloudformation")
        for name in (deleting, retaining):
            cfn.create_stack_instances(StackSetName=name, DeploymentTargets={"OrganizationalUnitIds": [targeted]}, Regions=[HOME, OTHER])
            self.assertEqual(set(instances(name)), {(first, HOME), (first, OTHER)})
        self.assertEqual(cfn.list_stack_set_auto_deployment_targets(StackSetName=deleting)["Summaries"], [{"OrganizationalUnitId": targeted, "Regions": [HOME, OTHER]}])

        org = client("organizations")
        org.move_account(AccountId=mover, SourceParentId=elsewhere, DestinationParentId=targeted)
        for name in (deleting, retaining):
            found = instances(name)
            self.assertEqual(set(found), {(a, r) for a in (first, mover) for r in (HOME, OTHER)})
            self.assertEqual(found[(mover, OTHER)]["StackInstanceStatus"]["DetailedStatus"], "SUCCEEDED")
            self.assertEqual(marker(mover, OTHER, name), f"v1@{mover}/{OTHER}")
            automatic = cfn.list_stack_set_operations(StackSetName=name)["Summaries"][-1]
            self.assertEqual((automatic["Action"], automatic["Status"]), ("CREATE", "SUCCEEDED"))
        kept_stacks = {name: instances(name)[(mover, HOME)]["StackId"] for name in (deleting, retaining)}
        keys = {name: stack_of(mover, HOME, stack_id)["Outputs"][0]["OutputValue"] for name, stack_id in kept_stacks.items()}

        org.move_account(AccountId=mover, SourceParentId=targeted, DestinationParentId=elsewhere)
        for name in (deleting, retaining):
            self.assertEqual(set(instances(name)), {(first, HOME), (first, OTHER)})
            automatic = cfn.list_stack_set_operations(StackSetName=name)["Summaries"][-1]
            self.assertEqual((automatic["Action"], automatic["Status"]), ("DELETE", "SUCCEEDED"))
        self.assertEqual(stack_of(mover, HOME, kept_stacks[deleting])["StackStatus"], "DELETE_COMPLETE")
        self.assertIsNone(marker(mover, HOME, deleting))
        self.assertEqual(stack_of(mover, HOME, kept_stacks[retaining])["StackStatus"], "CREATE_COMPLETE")  # RetainStacksOnAccountRemoval
        self.assertEqual(marker(mover, HOME, retaining), f"v1@{mover}/{HOME}")
        kms = as_account(mover, "kms")
        for name in (deleting, retaining):  # DeletionPolicy Retain: never deleted by a StackSets operation
            self.assertEqual(kms.describe_key(KeyId=keys[name])["KeyMetadata"]["KeyState"], "Enabled")

        # an account moved within the targeted tree keeps its instances; one created in the root gets none
        deeper = Org.ou("auto-deeper", targeted)
        org.move_account(AccountId=first, SourceParentId=targeted, DestinationParentId=deeper)
        self.assertEqual(set(instances(deleting)), {(first, HOME), (first, OTHER)})
        for name in (deleting, retaining):
            cfn.delete_stack_instances(StackSetName=name, DeploymentTargets={"OrganizationalUnitIds": [targeted]}, Regions=[HOME, OTHER], RetainStacks=False)
            cfn.delete_stack_set(StackSetName=name)

    def test_operation_preferences_region_order_and_failure_tolerance(self):
        ou = Org.ou("preferences")
        failing, good_a, good_b = (Org.account(n, ou) for n in ("fails", "good-a", "good-b"))
        template = {
            "Parameters": {"FailIn": {"Type": "String"}},
            "Conditions": {"Fails": {"Fn::Equals": [{"Ref": "AWS::AccountId"}, {"Ref": "FailIn"}]}},
            # ECC_SECG_P256K1 keys sign and verify only: KEY_AGREEMENT fails the stack in one account
            "Resources": {"Key": {"Type": "AWS::KMS::Key", "DeletionPolicy": "Delete", "Properties": {
                "KeySpec": "ECC_SECG_P256K1", "KeyUsage": {"Fn::If": ["Fails", "KEY_AGREEMENT", "SIGN_VERIFY"]}}}},
        }
        name = unique("prefs")
        service_managed(name, template, Parameters=[{"ParameterKey": "FailIn", "ParameterValue": failing}])
        cfn = client("cloudformation")
        strict = {"RegionConcurrencyType": "SEQUENTIAL", "RegionOrder": [OTHER, HOME], "FailureToleranceCount": 0, "MaxConcurrentCount": 1}
        operation_id = cfn.create_stack_instances(StackSetName=name, DeploymentTargets={"OrganizationalUnitIds": [ou]}, Regions=[HOME, OTHER],
                                                  OperationPreferences=strict)["OperationId"]
        described = operation(name, operation_id)
        self.assertEqual((described["Status"], described["StatusDetails"]["FailedStackInstancesCount"]), ("FAILED", 1))
        self.assertEqual(described["OperationPreferences"]["RegionOrder"], [OTHER, HOME])
        outcome = {key: r["Status"] for key, r in results(name, operation_id).items()}
        self.assertEqual(outcome[(failing, OTHER)], "FAILED")  # the first account of the first Region
        self.assertEqual({outcome[(a, OTHER)] for a in (good_a, good_b)}, {"CANCELLED"})
        self.assertEqual({outcome[(a, HOME)] for a in (failing, good_a, good_b)}, {"CANCELLED"})  # never attempted
        found = instances(name)
        self.assertEqual(found[(failing, OTHER)]["StackInstanceStatus"]["DetailedStatus"], "FAILED")
        self.assertRegex(found[(failing, OTHER)]["StatusReason"], r"^ResourceLogicalId:Key, ResourceType:AWS::KMS::Key, ResourceStatusReason:.+")
        self.assertEqual((found[(good_a, HOME)]["Status"], found[(good_a, HOME)]["StackInstanceStatus"]["DetailedStatus"]), ("OUTDATED", "CANCELLED"))
        self.assertNotIn("StackId", found[(good_a, HOME)])
        self.assertEqual(set(instances(name, Filters=[{"Name": "DETAILED_STATUS", "Values": "FAILED"}])), {(failing, OTHER)})
        self.assertEqual(set(instances(name, StackInstanceRegion=OTHER, StackInstanceAccount=good_b)), {(good_b, OTHER)})
        failed_results = client("cloudformation").list_stack_set_operation_results(
            StackSetName=name, OperationId=operation_id, Filters=[{"Name": "OPERATION_RESULT_STATUS", "Values": "FAILED"}])["Summaries"]
        self.assertEqual([(r["Account"], r["Region"]) for r in failed_results], [(failing, OTHER)])

        # one failure per Region is tolerated: everything else deploys, eu-west-1 completely before us-east-1
        tolerant = {**strict, "FailureToleranceCount": 1, "MaxConcurrentCount": 2}
        operation_id = cfn.create_stack_instances(StackSetName=name, DeploymentTargets={"OrganizationalUnitIds": [ou]}, Regions=[HOME, OTHER],
                                                  OperationPreferences=tolerant)["OperationId"]
        self.assertEqual(operation(name, operation_id)["Status"], "SUCCEEDED")
        self.assertEqual(operation(name, operation_id)["StatusDetails"]["FailedStackInstancesCount"], 2)
        found = instances(name)
        created = {}
        for account in (good_a, good_b):
            for region in (HOME, OTHER):
                self.assertEqual(found[(account, region)]["Status"], "CURRENT")
                created[(account, region)] = stack_of(account, region, found[(account, region)]["StackId"])["CreationTime"]
        self.assertLess(max(created[(a, OTHER)] for a in (good_a, good_b)), min(created[(a, HOME)] for a in (good_a, good_b)))
        self.assertEqual({found[(failing, r)]["Status"] for r in (HOME, OTHER)}, {"OUTDATED"})

        # percentages round down: 50 % of 3 accounts tolerates 1 failure
        operation_id = cfn.update_stack_set(StackSetName=name, UsePreviousTemplate=True, Parameters=[{"ParameterKey": "FailIn", "UsePreviousValue": True}],
                                            OperationPreferences={"FailureTolerancePercentage": 50, "MaxConcurrentPercentage": 100, "RegionConcurrencyType": "PARALLEL"})["OperationId"]
        self.assertEqual(operation(name, operation_id)["Status"], "SUCCEEDED")
        operation_id = cfn.update_stack_set(StackSetName=name, UsePreviousTemplate=True, Parameters=[{"ParameterKey": "FailIn", "UsePreviousValue": True}],
                                            OperationPreferences={"FailureTolerancePercentage": 30, "MaxConcurrentPercentage": 100})["OperationId"]
        self.assertEqual(operation(name, operation_id)["Status"], "FAILED")  # 30 % of 3 is 0
        self.assertEqual(error_of(lambda: cfn.update_stack_set(StackSetName=name, UsePreviousTemplate=True,
                                                               OperationPreferences={"FailureToleranceCount": 1, "FailureTolerancePercentage": 10}))[0], "ValidationError")

        # the failing account's parameter is fixed: a stack that never got created is replaced
        cfn.update_stack_set(StackSetName=name, UsePreviousTemplate=True, Parameters=[{"ParameterKey": "FailIn", "ParameterValue": "000000000000"}],
                             OperationPreferences={"FailureToleranceCount": 0, "MaxConcurrentCount": 3})
        self.assertEqual({s["Status"] for s in instances(name).values()}, {"CURRENT"})
        cfn.delete_stack_instances(StackSetName=name, DeploymentTargets={"OrganizationalUnitIds": [ou]}, Regions=[HOME, OTHER], RetainStacks=False,
                                   OperationPreferences={"MaxConcurrentPercentage": 100, "FailureTolerancePercentage": 100})
        self.assertEqual(instances(name), {})
        cfn.delete_stack_set(StackSetName=name)


# A custom resource's handler: turns EBS encryption by default on (off on Delete) in
# ITS account and Region, and answers with who it ran as.
EBS_HANDLER = """
const https = require('https');
const { URL } = require('url');
const { EC2Client, EnableEbsEncryptionByDefaultCommand, DisableEbsEncryptionByDefaultCommand } = require('@aws-sdk/client-ec2');
const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');
exports.handler = async (event) => {
  let status = 'SUCCESS', reason = 'ok', data = {};
  try {
    const ec2 = new EC2Client({});
    await ec2.send(event.RequestType === 'Delete' ? new DisableEbsEncryptionByDefaultCommand({}) : new EnableEbsEncryptionByDefaultCommand({}));
    const me = await new STSClient({}).send(new GetCallerIdentityCommand({}));
    data = { Account: me.Account, Region: process.env.AWS_REGION, Request: event.RequestType, Level: event.ResourceProperties.Level,
             OldLevel: (event.OldResourceProperties || {}).Level || '' };
  } catch (e) { status = 'FAILED'; reason = String(e); }
  const body = JSON.stringify({ Status: status, Reason: reason, PhysicalResourceId: 'ebs-default-encryption',
    StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId, Data: data });
  const target = new URL(event.ResponseURL);
  await new Promise((resolve, reject) => {
    const req = https.request({ hostname: target.hostname, path: target.pathname + target.search, method: 'PUT' }, (res) => { res.resume(); res.on('end', resolve); });
    req.on('error', reject);
    req.end(body);
  });
};
"""

EBS_TEMPLATE = {
    "Parameters": {"Level": {"Type": "String", "Default": "one"}},
    "Resources": {
        "HandlerRole": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}},
        "EbsDefaultEncryptionHandlerFunction": {"Type": "AWS::Lambda::Function", "Properties": {
            "Runtime": "nodejs20.x", "Handler": "index.handler", "Timeout": 30, "Role": {"Fn::GetAtt": ["HandlerRole", "Arn"]},
            "Code": {"ZipFile": EBS_HANDLER}}},
        "EbsDefault": {"Type": "Custom::EbsDefaultEncryption", "Properties": {
            "ServiceToken": {"Fn::GetAtt": ["EbsDefaultEncryptionHandlerFunction", "Arn"]}, "Level": {"Ref": "Level"}}},
    },
    "Outputs": {k: {"Value": {"Fn::GetAtt": ["EbsDefault", k]}} for k in ("Account", "Region", "Request", "Level", "OldLevel")}
    | {"Function": {"Value": {"Ref": "EbsDefaultEncryptionHandlerFunction"}}, "Role": {"Value": {"Ref": "HandlerRole"}}},
}


def ebs_default(account: str, region: str) -> bool:
    return as_account(account, "ec2", region).get_ebs_encryption_by_default()["EbsEncryptionByDefault"]


def outputs(account: str, region: str, stack_id: str) -> dict[str, str]:
    return {o["OutputKey"]: o["OutputValue"] for o in stack_of(account, region, stack_id).get("Outputs") or []}


class InstanceHandlerTests(unittest.TestCase):
    def test_custom_resource_handler_runs_in_the_instance_account_and_region(self):
        ou = Org.ou("handlers")
        member, bystander = Org.account("handler-member", ou), Org.account("handler-bystander")
        name = unique("ebs-baseline-with-a-long-stack-set-name")
        cfn = client("cloudformation")
        code, message = error_of(lambda: service_managed(name, EBS_TEMPLATE))
        self.assertEqual((code, message), ("InsufficientCapabilitiesException", "Requires capabilities : [CAPABILITY_IAM]"))
        service_managed(name, EBS_TEMPLATE, Capabilities=["CAPABILITY_IAM"])
        cfn.create_stack_instances(StackSetName=name, DeploymentTargets={"OrganizationalUnitIds": [ou]}, Regions=[HOME, OTHER],
                                   OperationPreferences={"RegionConcurrencyType": "PARALLEL"})
        found = instances(name)
        self.assertEqual(set(found), {(member, HOME), (member, OTHER)})
        for region in (HOME, OTHER):
            out = outputs(member, region, found[(member, region)]["StackId"])
            self.assertEqual((out["Account"], out["Region"], out["Request"]), (member, region, "Create"))
            self.assertTrue(ebs_default(member, region))
            # generated names fit the service's limits (moto: StackSet:<name>-... broke them)
            self.assertLessEqual(len(out["Function"]), 64)
            self.assertLessEqual(len(out["Role"]), 64)
            self.assertTrue(out["Function"].startswith("StackSet-ebs-baseline"), out["Function"])
            self.assertRegex(out["Function"], r"-EbsDefaultEncryption[A-Za-z]*-[A-Z0-9]{12}$")  # stack name, logical ID, random: shortened
        self.assertFalse(ebs_default(bystander, HOME))
        self.assertFalse(client("ec2").get_ebs_encryption_by_default()["EbsEncryptionByDefault"])  # the management account's

        cfn.update_stack_set(StackSetName=name, UsePreviousTemplate=True, Capabilities=["CAPABILITY_IAM"],
                             Parameters=[{"ParameterKey": "Level", "ParameterValue": "two"}], OperationPreferences={"RegionConcurrencyType": "PARALLEL"})
        for region in (HOME, OTHER):
            out = outputs(member, region, found[(member, region)]["StackId"])
            self.assertEqual((out["Request"], out["Level"], out["OldLevel"]), ("Update", "two", "one"))
            self.assertEqual(stack_of(member, region, found[(member, region)]["StackId"])["StackStatus"], "UPDATE_COMPLETE")

        cfn.delete_stack_instances(StackSetName=name, DeploymentTargets={"OrganizationalUnitIds": [ou]}, Regions=[HOME, OTHER], RetainStacks=False,
                                   OperationPreferences={"RegionConcurrencyType": "PARALLEL"})
        for region in (HOME, OTHER):
            self.assertFalse(ebs_default(member, region))  # the handler got Delete, in that account
            self.assertEqual(stack_of(member, region, found[(member, region)]["StackId"])["StackStatus"], "DELETE_COMPLETE")
        cfn.delete_stack_set(StackSetName=name)


class SelfManagedStackSetTests(unittest.TestCase):
    def test_execution_role_and_stack_names(self):
        target = Org.account("self-managed")
        name = unique("selfmanaged")
        cfn = client("cloudformation")
        cfn.create_stack_set(StackSetName=name, TemplateBody=json.dumps(MARKER_TEMPLATE), Parameters=[{"ParameterKey": "SetName", "ParameterValue": name}])
        self.assertEqual(cfn.describe_stack_set(StackSetName=name)["StackSet"]["ExecutionRoleName"], "AWSCloudFormationStackSetExecutionRole")
        self.assertEqual(error_of(lambda: cfn.create_stack_instances(StackSetName=name, DeploymentTargets={"OrganizationalUnitIds": [Org.root()]},
                                                                     Regions=[HOME]))[0], "ValidationError")
        operation_id = cfn.create_stack_instances(StackSetName=name, Accounts=[target], Regions=[HOME])["OperationId"]
        self.assertEqual(operation(name, operation_id)["Status"], "FAILED")
        self.assertEqual(instances(name)[(target, HOME)]["StatusReason"],
                         f"Account {target} should have 'AWSCloudFormationStackSetExecutionRole' role with trust relationship to Role "
                         "'AWSCloudFormationStackSetAdministrationRole'.")
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{MANAGEMENT}:root"}, "Action": "sts:AssumeRole"}]}
        as_account(target, "iam").create_role(RoleName="AWSCloudFormationStackSetExecutionRole", AssumeRolePolicyDocument=json.dumps(trust))
        operation_id = cfn.create_stack_instances(StackSetName=name, Accounts=[target], Regions=[HOME])["OperationId"]  # a new operation retries it
        self.assertEqual(operation(name, operation_id)["Status"], "SUCCEEDED")
        summary = instances(name)[(target, HOME)]
        self.assertEqual(summary["Status"], "CURRENT")
        self.assertNotIn("OrganizationalUnitId", summary)
        self.assertRegex(stack_of(target, HOME, summary["StackId"])["StackName"], rf"^StackSet-{name}-[0-9a-f-]{{36}}$")  # moto: StackSet:<name>
        self.assertEqual(marker(target, HOME, name), f"v1@{target}/{HOME}")
        self.assertEqual(error_of(lambda: cfn.create_stack_instances(StackSetName=name, Accounts=[target], Regions=[HOME], OperationId=operation_id + "x")), ("no error", ""))
        same = cfn.create_stack_instances(StackSetName=name, Accounts=[target], Regions=[HOME], OperationId=operation_id)["OperationId"]
        self.assertEqual(same, operation_id)  # a retried request is the same operation
        self.assertEqual(error_of(lambda: cfn.delete_stack_instances(StackSetName=name, Accounts=[target], Regions=[HOME], RetainStacks=False, OperationId=operation_id))[0],
                         "OperationIdAlreadyExistsException")
        self.assertEqual(error_of(lambda: cfn.delete_stack_set(StackSetName=name))[0], "StackSetNotEmptyException")
        cfn.delete_stack_instances(StackSetName=name, Accounts=[target], Regions=[HOME], RetainStacks=False)
        cfn.delete_stack_set(StackSetName=name)


def stackset_resource_template(name: str, template_url: str, ou: str, regions: list[str], marker_value: str) -> dict:
    return {"Resources": {"Baseline": {"Type": "AWS::CloudFormation::StackSet", "Properties": {
        "StackSetName": name, "PermissionModel": "SERVICE_MANAGED", "TemplateURL": template_url,
        "AutoDeployment": {"Enabled": True, "RetainStacksOnAccountRemoval": True}, "CallAs": "SELF", "ManagedExecution": {"Active": True},
        "Parameters": [{"ParameterKey": "SetName", "ParameterValue": name}, {"ParameterKey": "Marker", "ParameterValue": marker_value}],
        "OperationPreferences": {"FailureToleranceCount": 0, "MaxConcurrentCount": 1, "RegionConcurrencyType": "SEQUENTIAL"},
        "StackInstancesGroup": [{"DeploymentTargets": {"OrganizationalUnitIds": [ou]}, "Regions": regions}],
    }}}, "Outputs": {"Id": {"Value": {"Ref": "Baseline"}}, "Attr": {"Value": {"Fn::GetAtt": ["Baseline", "StackSetId"]}}}}


class StackSetResourceTests(unittest.TestCase):
    def test_stack_set_resource_creates_updates_and_deletes_its_instances(self):
        ou = Org.ou("resource")
        member = Org.account("resource-member", ou)
        s3 = client("s3")
        bucket = unique("selftest-templates")
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="baseline.json", Body=json.dumps(MARKER_TEMPLATE).encode())
        url = f"https://s3.{HOME}.amazonaws.com/{bucket}/baseline.json"  # what the CDK synthesizes for a StackSetStack's template
        name = unique("resource")
        cfn = client("cloudformation")
        stack_name = unique("with-stackset")
        cfn.create_stack(StackName=stack_name, TemplateBody=json.dumps(stackset_resource_template(name, url, ou, [HOME], "v1")))
        stack = cfn.describe_stacks(StackName=stack_name)["Stacks"][0]
        self.assertEqual(stack["StackStatus"], "CREATE_COMPLETE", stack.get("StackStatusReason"))
        out = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
        described = cfn.describe_stack_set(StackSetName=name)["StackSet"]
        self.assertEqual((out["Id"], out["Attr"]), (described["StackSetId"], described["StackSetId"]))
        self.assertEqual((described["ManagedExecution"], described["AutoDeployment"]), ({"Active": True}, {"Enabled": True, "RetainStacksOnAccountRemoval": True}))
        self.assertEqual(marker(member, HOME, name), f"v1@{member}/{HOME}")

        updated = stackset_resource_template(name, url, ou, [HOME, OTHER], "v2")
        cfn.update_stack(StackName=stack_name, TemplateBody=json.dumps(updated))
        self.assertEqual(cfn.describe_stacks(StackName=stack_name)["Stacks"][0]["StackStatus"], "UPDATE_COMPLETE")
        self.assertEqual(set(instances(name)), {(member, HOME), (member, OTHER)})
        self.assertEqual((marker(member, HOME, name), marker(member, OTHER, name)), (f"v2@{member}/{HOME}", f"v2@{member}/{OTHER}"))
        instance_stack = instances(name)[(member, OTHER)]["StackId"]

        cfn.delete_stack(StackName=stack["StackId"])
        self.assertEqual(cfn.describe_stacks(StackName=stack["StackId"])["Stacks"][0]["StackStatus"], "DELETE_COMPLETE")
        self.assertEqual(cfn.describe_stack_set(StackSetName=out["Id"])["StackSet"]["Status"], "DELETED")
        self.assertEqual(stack_of(member, OTHER, instance_stack)["StackStatus"], "DELETE_COMPLETE")
        self.assertIsNone(marker(member, OTHER, name))

    def test_failed_instances_fail_and_roll_back_the_resource(self):
        ou = Org.ou("resource-failing")
        Org.account("resource-failing-member", ou)
        name = unique("resource-failing")
        template = stackset_resource_template(name, "unused", ou, [HOME], "v1")
        properties = template["Resources"]["Baseline"]["Properties"]
        del properties["TemplateURL"]
        properties["TemplateBody"] = json.dumps({"Resources": {"Key": {"Type": "AWS::KMS::Key", "Properties": {"KeySpec": "ECC_SECG_P256K1", "KeyUsage": "KEY_AGREEMENT"}}}})
        properties["Parameters"] = []
        cfn = client("cloudformation")
        stack_name = unique("with-failing-stackset")
        cfn.create_stack(StackName=stack_name, TemplateBody=json.dumps(template))
        stack = cfn.describe_stacks(StackName=stack_name)["Stacks"][0]
        self.assertEqual(stack["StackStatus"], "ROLLBACK_COMPLETE")
        failed = [e for e in cfn.describe_stack_events(StackName=stack_name)["StackEvents"] if e["ResourceStatus"] == "CREATE_FAILED"]
        self.assertRegex(failed[0]["ResourceStatusReason"], r"^Stack set operation \[[0-9a-f-]+\] was unexpectedly stopped or failed\. status reason\(s\): \[ResourceLogicalId:Key, ")
        active = [s["StackSetName"] for s in cfn.list_stack_sets(Status="ACTIVE")["Summaries"]]
        self.assertNotIn(name, active)  # the rollback deleted the stack set it had created
        self.assertIn(name, [s["StackSetName"] for s in cfn.list_stack_sets(Status="DELETED")["Summaries"]])


if __name__ == "__main__":
    raise SystemExit("run selftest.py (it loads this module) under the launcher")

"""IAM: roles, inline and managed policies, users, access keys, groups and instance profiles,
answered as AWS IAM answers them (shapes, defaults, quotas, error codes and messages); access
keys authenticate later requests and survive a restart."""
import json
import os
import tempfile
import unittest
import urllib.parse

import botocore.exceptions

from nimbus_harness import ACCESS_KEY, SECRET_KEY, NimbusServer, NimbusTestCase

ClientError = botocore.exceptions.ClientError

TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                   "Action": "sts:AssumeRole"}],
}
POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}],
}
BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def policy_with(**statement):
    s = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    s.update(statement)
    return json.dumps({"Version": "2012-10-17", "Statement": [s]})


class IamTestCase(NimbusTestCase):
    def setUp(self):
        super().setUp()
        self.iam = self.client("iam")
        self.unchecked = self.client("iam", parameter_validation=False)

    def create_role(self, name="app-role", **kw):
        return self.iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST),
                                    **kw)["Role"]

    def create_policy(self, name="app-policy", document=None, **kw):
        return self.iam.create_policy(PolicyName=name,
                                      PolicyDocument=document or json.dumps(POLICY), **kw)["Policy"]

    def assertError(self, call, code, status, message=None, **kw):
        with self.assertRaises(ClientError) as ctx:
            call(**kw)
        err = self.assertAwsError(ctx, code, status)
        if message is not None:
            self.assertEqual(err["Error"]["Message"], message)
        return err


class RoleTest(IamTestCase):
    def test_create_role_answers_ids_arn_and_defaults(self):
        """CreateRole: RoleId AROA + 17 upper-alnum, ARN from path and name, Path defaults to /."""
        role = self.create_role("lambda-exec")
        self.assertRegex(role["RoleId"], r"^AROA[A-Z0-9]{17}$")
        self.assertEqual(role["Arn"], "arn:aws:iam::000000000000:role/lambda-exec")
        self.assertEqual(role["Path"], "/")
        self.assertEqual(role["AssumeRolePolicyDocument"], TRUST)
        self.assertIn("CreateDate", role)

    def test_create_role_with_path_description_tags_and_session_duration(self):
        """CreateRole keeps Path (in the ARN), Description, MaxSessionDuration and Tags."""
        self.create_role("svc", Path="/service/app/", Description="does things",
                         MaxSessionDuration=7200, Tags=[{"Key": "team", "Value": "core"}])
        role = self.iam.get_role(RoleName="svc")["Role"]
        self.assertEqual(role["Arn"], "arn:aws:iam::000000000000:role/service/app/svc")
        self.assertEqual(role["Path"], "/service/app/")
        self.assertEqual(role["Description"], "does things")
        self.assertEqual(role["MaxSessionDuration"], 7200)
        self.assertEqual(role["Tags"], [{"Key": "team", "Value": "core"}])
        self.assertEqual(role["RoleLastUsed"], {})

    def test_get_role_defaults_max_session_duration_to_one_hour(self):
        """GetRole: MaxSessionDuration is 3600 unless set."""
        self.create_role()
        self.assertEqual(self.iam.get_role(RoleName="app-role")["Role"]["MaxSessionDuration"],
                         3600)

    def test_trust_policy_travels_url_encoded(self):
        """GetRole's AssumeRolePolicyDocument is URL-encoded on the wire (SDKs decode it)."""
        self.create_role()
        status, _, body = self.server.http(
            "POST", "/", b"Action=GetRole&RoleName=app-role&Version=2010-05-08",
            {"Content-Type": "application/x-www-form-urlencoded",
             "Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/iam/"
                              "aws4_request, SignedHeaders=host, Signature=00"})
        self.assertEqual(status, 200)
        encoded = urllib.parse.quote(json.dumps(TRUST), safe="")
        self.assertIn(("<AssumeRolePolicyDocument>%s</AssumeRolePolicyDocument>" % encoded)
                      .encode(), body)

    def test_get_missing_role_is_no_such_entity(self):
        """GetRole of an unknown role: NoSuchEntity, 404, AWS's message."""
        err = self.assertError(self.iam.get_role, "NoSuchEntity", 404,
                               "The role with name nope cannot be found.", RoleName="nope")
        self.assertEqual(err["Error"]["Type"], "Sender")

    def test_role_names_are_unique_without_regard_to_case(self):
        """CreateRole: a name differing only in case already exists (EntityAlreadyExists, 409)."""
        self.create_role("Deployer")
        self.assertError(self.iam.create_role, "EntityAlreadyExists", 409,
                         "Role with name deployer already exists.", RoleName="deployer",
                         AssumeRolePolicyDocument=json.dumps(TRUST))
        self.assertEqual(self.iam.get_role(RoleName="DEPLOYER")["Role"]["RoleName"], "Deployer")

    def test_list_roles_pages_with_marker_and_filters_by_path(self):
        """ListRoles: MaxItems pages with IsTruncated/Marker in name order; PathPrefix filters."""
        for name in ["r3", "r1", "r5", "r2", "r4"]:
            self.create_role(name)
        self.create_role("other", Path="/other/")
        names, marker = [], None
        while True:
            kw = {"Marker": marker} if marker else {}
            page = self.iam.list_roles(MaxItems=2, **kw)
            names += [r["RoleName"] for r in page["Roles"]]
            if not page["IsTruncated"]:
                self.assertNotIn("Marker", page)
                break
            self.assertEqual(len(page["Roles"]), 2)
            marker = page["Marker"]
        self.assertEqual(names, ["other", "r1", "r2", "r3", "r4", "r5"])
        only = self.iam.list_roles(PathPrefix="/other/")["Roles"]
        self.assertEqual([r["RoleName"] for r in only], ["other"])
        self.assertFalse(self.iam.list_roles(PathPrefix="/other/")["IsTruncated"])

    def test_list_roles_with_a_forged_marker_is_a_validation_error(self):
        """ListRoles: a Marker nimbus did not hand out is refused, not guessed at."""
        self.assertError(self.iam.list_roles, "ValidationError", 400, "Invalid Marker.",
                         Marker="!!not-a-marker!!")

    def test_update_role_and_description(self):
        """UpdateRole sets Description and MaxSessionDuration; UpdateRoleDescription answers
        the role."""
        self.create_role()
        self.iam.update_role(RoleName="app-role", Description="new", MaxSessionDuration=43200)
        role = self.iam.get_role(RoleName="app-role")["Role"]
        self.assertEqual((role["Description"], role["MaxSessionDuration"]), ("new", 43200))
        r = self.iam.update_role_description(RoleName="app-role", Description="newer")
        self.assertEqual(r["Role"]["Description"], "newer")

    def test_max_session_duration_out_of_range(self):
        """MaxSessionDuration must be 3600..43200 (ValidationError worded by the constraint)."""
        err = self.assertError(self.unchecked.create_role, "ValidationError", 400,
                               RoleName="r", AssumeRolePolicyDocument=json.dumps(TRUST),
                               MaxSessionDuration=60)
        self.assertIn("Member must have value greater than or equal to 3600",
                      err["Error"]["Message"])

    def test_update_assume_role_policy(self):
        """UpdateAssumeRolePolicy replaces the trust policy (checked as a trust policy)."""
        self.create_role()
        trust = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
             "Action": ["sts:AssumeRole", "sts:TagSession"]}]}
        self.iam.update_assume_role_policy(RoleName="app-role", PolicyDocument=json.dumps(trust))
        self.assertEqual(self.iam.get_role(RoleName="app-role")["Role"]["AssumeRolePolicyDocument"],
                         trust)
        self.assertError(self.iam.update_assume_role_policy, "MalformedPolicyDocument", 400,
                         "Has prohibited field Resource.", RoleName="app-role",
                         PolicyDocument=policy_with(Principal="*", Action="sts:AssumeRole"))

    def test_role_tags(self):
        """TagRole adds or replaces, UntagRole removes, ListRoleTags lists in insertion order."""
        self.create_role(Tags=[{"Key": "a", "Value": "1"}])
        self.iam.tag_role(RoleName="app-role", Tags=[{"Key": "b", "Value": "2"},
                                                     {"Key": "a", "Value": "3"}])
        self.assertEqual(self.iam.list_role_tags(RoleName="app-role")["Tags"],
                         [{"Key": "a", "Value": "3"}, {"Key": "b", "Value": "2"}])
        self.iam.untag_role(RoleName="app-role", TagKeys=["a"])
        r = self.iam.list_role_tags(RoleName="app-role")
        self.assertEqual(r["Tags"], [{"Key": "b", "Value": "2"}])
        self.assertFalse(r["IsTruncated"])

    def test_duplicate_tag_keys_are_invalid_input(self):
        """Tag keys are case-insensitive: two spellings of one key in a request is InvalidInput."""
        self.create_role()
        self.assertError(self.iam.tag_role, "InvalidInput", 400,
                         "Duplicate tag keys found. Please note that Tag keys are case "
                         "insensitive.",
                         RoleName="app-role", Tags=[{"Key": "k", "Value": "1"},
                                                    {"Key": "K", "Value": "2"}])

    def test_more_than_fifty_tags_is_limit_exceeded(self):
        """A role holds at most 50 tags."""
        self.create_role(Tags=[{"Key": "k%d" % i, "Value": "v"} for i in range(50)])
        self.assertError(self.iam.tag_role, "LimitExceeded", 409, RoleName="app-role",
                         Tags=[{"Key": "one-more", "Value": "v"}])

    def test_tag_with_invalid_characters_is_a_validation_error(self):
        """Tag keys must match [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+."""
        self.create_role()
        err = self.assertError(self.iam.tag_role, "ValidationError", 400, RoleName="app-role",
                               Tags=[{"Key": "bad*key", "Value": "v"}])
        self.assertIn("Value 'bad*key' at 'tags.1.member.key' failed to satisfy constraint",
                      err["Error"]["Message"])

    def test_role_name_too_long_or_with_invalid_characters(self):
        """RoleName: at most 64 characters of [\\w+=,.@-]+ (ValidationError, AWS wording)."""
        err = self.assertError(self.unchecked.create_role, "ValidationError", 400,
                               RoleName="r" * 65, AssumeRolePolicyDocument=json.dumps(TRUST))
        self.assertIn("at 'roleName' failed to satisfy constraint: Member must have length "
                      "less than or equal to 64", err["Error"]["Message"])
        self.assertError(self.iam.create_role, "ValidationError", 400,
                         "1 validation error detected: Value 'bad name!' at 'roleName' failed to "
                         "satisfy constraint: Member must satisfy regular expression pattern: "
                         "[\\w+=,.@-]+",
                         RoleName="bad name!", AssumeRolePolicyDocument=json.dumps(TRUST))

    def test_invalid_path(self):
        """Path must begin and end with / (pattern (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F))."""
        err = self.assertError(self.iam.create_role, "ValidationError", 400, RoleName="r",
                               Path="no-slashes", AssumeRolePolicyDocument=json.dumps(TRUST))
        self.assertIn("at 'path' failed to satisfy constraint: Member must satisfy regular "
                      "expression pattern", err["Error"]["Message"])

    def test_delete_role(self):
        """DeleteRole removes the role; a second delete is NoSuchEntity."""
        self.create_role()
        self.iam.delete_role(RoleName="app-role")
        self.assertError(self.iam.delete_role, "NoSuchEntity", 404, RoleName="app-role")

    def test_delete_role_with_policies_is_a_conflict(self):
        """DeleteRole refuses while inline or managed policies remain (DeleteConflict, 409)."""
        self.create_role()
        self.iam.put_role_policy(RoleName="app-role", PolicyName="p",
                                 PolicyDocument=json.dumps(POLICY))
        self.assertError(self.iam.delete_role, "DeleteConflict", 409,
                         "Cannot delete entity, must delete policies first.", RoleName="app-role")
        self.iam.delete_role_policy(RoleName="app-role", PolicyName="p")
        self.iam.attach_role_policy(RoleName="app-role", PolicyArn=BASIC_EXECUTION)
        self.assertError(self.iam.delete_role, "DeleteConflict", 409,
                         "Cannot delete entity, must detach all policies first.",
                         RoleName="app-role")
        self.iam.detach_role_policy(RoleName="app-role", PolicyArn=BASIC_EXECUTION)
        self.iam.delete_role(RoleName="app-role")

    def test_permissions_boundary(self):
        """CreateRole/PutRolePermissionsBoundary record the boundary; an unknown one is refused."""
        self.create_role(PermissionsBoundary=ADMIN)
        role = self.iam.get_role(RoleName="app-role")["Role"]
        self.assertEqual(role["PermissionsBoundary"],
                         {"PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                          "PermissionsBoundaryArn": ADMIN})
        self.iam.delete_role_permissions_boundary(RoleName="app-role")
        self.assertNotIn("PermissionsBoundary", self.iam.get_role(RoleName="app-role")["Role"])
        self.assertError(self.iam.put_role_permissions_boundary, "NoSuchEntity", 404,
                         RoleName="app-role",
                         PermissionsBoundary="arn:aws:iam::000000000000:policy/missing")


class TrustPolicyTest(IamTestCase):
    def test_invalid_json_trust_policy(self):
        """CreateRole with a trust policy that is not JSON: "This policy contains invalid Json"."""
        self.assertError(self.iam.create_role, "MalformedPolicyDocument", 400,
                         "This policy contains invalid Json", RoleName="r",
                         AssumeRolePolicyDocument="trust-policy.json")

    def test_trust_policy_needs_a_principal(self):
        """A trust policy statement without Principal is malformed."""
        doc = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole"}]})
        self.assertError(self.iam.create_role, "MalformedPolicyDocument", 400,
                         "Missing required field Principal.", RoleName="r",
                         AssumeRolePolicyDocument=doc)

    def test_trust_policy_allows_only_sts_actions(self):
        """Trust policies grant STS actions only."""
        doc = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}]})
        self.assertError(self.iam.create_role, "MalformedPolicyDocument", 400,
                         "AssumeRole policy may only specify STS AssumeRole actions.",
                         RoleName="r", AssumeRolePolicyDocument=doc)

    def test_trust_policy_size_quota(self):
        """A trust policy is limited to 2048 characters (LimitExceeded)."""
        doc = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::%012d:root" % i
                                                      for i in range(80)]},
             "Action": "sts:AssumeRole"}]})
        self.assertError(self.iam.create_role, "LimitExceeded", 409,
                         "Cannot exceed quota for ACLSizePerRole: 2048", RoleName="r",
                         AssumeRolePolicyDocument=doc)

    def test_trust_policy_without_version_is_accepted(self):
        """Trust policies may omit Version (it defaults to 2008-10-17)."""
        doc = json.dumps({"Statement": [{"Effect": "Allow", "Principal": {
            "Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
        self.iam.create_role(RoleName="legacy", AssumeRolePolicyDocument=doc)


class InlinePolicyTest(IamTestCase):
    def test_put_get_list_delete_role_policy(self):
        """Put/Get/List/DeleteRolePolicy; GetRolePolicy answers the document decoded."""
        self.create_role()
        self.iam.put_role_policy(RoleName="app-role", PolicyName="b",
                                 PolicyDocument=json.dumps(POLICY))
        self.iam.put_role_policy(RoleName="app-role", PolicyName="a",
                                 PolicyDocument=json.dumps(POLICY))
        r = self.iam.get_role_policy(RoleName="app-role", PolicyName="b")
        self.assertEqual((r["RoleName"], r["PolicyName"], r["PolicyDocument"]),
                         ("app-role", "b", POLICY))
        self.assertEqual(self.iam.list_role_policies(RoleName="app-role")["PolicyNames"],
                         ["a", "b"])
        self.iam.delete_role_policy(RoleName="app-role", PolicyName="b")
        self.assertEqual(self.iam.list_role_policies(RoleName="app-role")["PolicyNames"], ["a"])

    def test_missing_role_policy(self):
        """GetRolePolicy/DeleteRolePolicy of an unknown policy: NoSuchEntity with AWS's message."""
        self.create_role()
        self.assertError(self.iam.get_role_policy, "NoSuchEntity", 404,
                         "The role policy with name p cannot be found.", RoleName="app-role",
                         PolicyName="p")
        self.assertError(self.iam.delete_role_policy, "NoSuchEntity", 404,
                         RoleName="app-role", PolicyName="p")

    def test_put_role_policy_on_missing_role(self):
        """PutRolePolicy on an unknown role: NoSuchEntity."""
        self.assertError(self.iam.put_role_policy, "NoSuchEntity", 404,
                         "The role with name ghost cannot be found.", RoleName="ghost",
                         PolicyName="p", PolicyDocument=json.dumps(POLICY))

    def test_malformed_policy_json(self):
        """A document that is not a JSON policy: MalformedPolicyDocument, "Syntax errors in
        policy."."""
        self.create_role()
        for doc in ['{"Version": "2012-10-17", "Statement": [', "not json", "[]", "{}",
                    '{"Version":"2012-10-17","Statement":"Allow"}',
                    "[" * 5000 + "]" * 5000]:
            self.assertError(self.iam.put_role_policy, "MalformedPolicyDocument", 400,
                             "Syntax errors in policy.", RoleName="app-role", PolicyName="p",
                             PolicyDocument=doc)

    def test_actions_need_a_vendor_prefix_but_names_are_not_checked(self):
        """IAM checks an action's form (vendor:Name), not that the action exists."""
        self.create_role()
        self.assertError(self.iam.put_role_policy, "MalformedPolicyDocument", 400,
                         "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, "
                         "etc.", RoleName="app-role", PolicyName="p",
                         PolicyDocument=policy_with(Action="GetObject"))
        self.assertError(self.iam.put_role_policy, "MalformedPolicyDocument", 400,
                         "Vendor s 3 is not valid", RoleName="app-role", PolicyName="p",
                         PolicyDocument=policy_with(Action="s 3:GetObject"))
        self.iam.put_role_policy(RoleName="app-role", PolicyName="p",
                                 PolicyDocument=policy_with(Action="s3:NoSuchActionAnywhere"))

    def test_policy_statement_rules(self):
        """Statements need Effect Allow/Deny, actions and resources, and no Principal."""
        self.create_role()
        cases = [
            (policy_with(Effect="Permit"), "Syntax errors in policy."),
            (policy_with(Effect="allow"), "The policy failed legacy parsing"),
            (policy_with(Principal="*"), "Policy document should not specify a principal."),
            (json.dumps({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Resource": "*"}]}), "Policy statement must contain actions."),
            (json.dumps({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "s3:*"}]}),
             "Policy statement must contain resources."),
            (policy_with(Resource="bucket"), 'Resource bucket must be in ARN format or "*".'),
            (policy_with(Sid=5), "Syntax errors in policy."),
            (json.dumps({"Version": "2012-10-17", "Statement": [
                json.loads(policy_with(Sid="a"))["Statement"][0],
                json.loads(policy_with(Sid="a"))["Statement"][0]]}),
             "Statement IDs (SID) in a single policy must be unique."),
            (json.dumps({"Version": "2013-01-01", "Statement": []}), "Syntax errors in policy."),
        ]
        for doc, message in cases:
            with self.subTest(doc=doc):
                self.assertError(self.iam.put_role_policy, "MalformedPolicyDocument", 400,
                                 message, RoleName="app-role", PolicyName="p", PolicyDocument=doc)

    def test_policy_document_characters(self):
        """Policy documents are limited to tab, newline, CR and U+0020..U+00FF."""
        self.create_role()
        doc = json.dumps(json.loads(policy_with(Sid="\u4e2d")), ensure_ascii=False)
        err = self.assertError(self.iam.put_role_policy, "ValidationError", 400,
                               RoleName="app-role", PolicyName="p", PolicyDocument=doc)
        self.assertIn("at 'policyDocument' failed to satisfy constraint: Member must satisfy "
                      "regular expression pattern", err["Error"]["Message"])

    def test_inline_policy_size_quota(self):
        """A role's inline policies together hold at most 10240 non-whitespace characters."""
        self.create_role()
        big = policy_with(Resource=["arn:aws:s3:::bucket-%04d/*" % i for i in range(200)])
        self.iam.put_role_policy(RoleName="app-role", PolicyName="p1", PolicyDocument=big)
        self.assertError(self.iam.put_role_policy, "LimitExceeded", 409,
                         "Maximum policy size of 10240 bytes exceeded for role app-role",
                         RoleName="app-role", PolicyName="p2", PolicyDocument=big)

    def test_policy_name_invalid_characters(self):
        """PolicyName must match [\\w+=,.@-]+."""
        self.create_role()
        err = self.assertError(self.iam.put_role_policy, "ValidationError", 400,
                               RoleName="app-role", PolicyName="my policy",
                               PolicyDocument=json.dumps(POLICY))
        self.assertIn("Value 'my policy' at 'policyName'", err["Error"]["Message"])

    def test_user_inline_policies(self):
        """Put/Get/List/DeleteUserPolicy behave like the role forms."""
        self.iam.create_user(UserName="alice")
        self.iam.put_user_policy(UserName="alice", PolicyName="p",
                                 PolicyDocument=json.dumps(POLICY))
        self.assertEqual(self.iam.get_user_policy(UserName="alice", PolicyName="p")
                         ["PolicyDocument"], POLICY)
        self.assertEqual(self.iam.list_user_policies(UserName="alice")["PolicyNames"], ["p"])
        self.iam.delete_user_policy(UserName="alice", PolicyName="p")
        self.assertError(self.iam.get_user_policy, "NoSuchEntity", 404,
                         "The user policy with name p cannot be found.", UserName="alice",
                         PolicyName="p")


class ManagedPolicyTest(IamTestCase):
    def test_create_and_get_policy(self):
        """CreatePolicy: ANPA id, ARN with path, v1 default, attachable, no attachments yet."""
        p = self.create_policy("reader", Path="/team/", Description="reads")
        self.assertRegex(p["PolicyId"], r"^ANPA[A-Z0-9]{17}$")
        self.assertEqual(p["Arn"], "arn:aws:iam::000000000000:policy/team/reader")
        self.assertEqual((p["DefaultVersionId"], p["AttachmentCount"], p["IsAttachable"]),
                         ("v1", 0, True))
        got = self.iam.get_policy(PolicyArn=p["Arn"])["Policy"]
        self.assertEqual(got["Description"], "reads")
        self.assertEqual(got["PolicyId"], p["PolicyId"])
        v = self.iam.get_policy_version(PolicyArn=p["Arn"], VersionId="v1")["PolicyVersion"]
        self.assertEqual((v["Document"], v["IsDefaultVersion"]), (POLICY, True))

    def test_duplicate_policy_name(self):
        """CreatePolicy with a name in use: EntityAlreadyExists with AWS's message."""
        self.create_policy("dup")
        self.assertError(self.iam.create_policy, "EntityAlreadyExists", 409,
                         "A policy called dup already exists. Duplicate names are not allowed.",
                         PolicyName="dup", PolicyDocument=json.dumps(POLICY))

    def test_managed_policy_needs_current_version(self):
        """Managed policies must declare Version 2012-10-17."""
        doc = json.dumps({"Statement": POLICY["Statement"]})
        self.assertError(self.iam.create_policy, "MalformedPolicyDocument", 400,
                         "Policy document must be version 2012-10-17 or greater.",
                         PolicyName="old", PolicyDocument=doc)

    def test_managed_policy_size_quota(self):
        """A managed policy holds at most 6144 non-whitespace characters."""
        big = policy_with(Resource=["arn:aws:s3:::bucket-%04d/*" % i for i in range(300)])
        self.assertError(self.iam.create_policy, "LimitExceeded", 409,
                         "Cannot exceed quota for PolicySize: 6144", PolicyName="big",
                         PolicyDocument=big)

    def test_get_missing_policy_and_invalid_arn(self):
        """GetPolicy: unknown ARN is NoSuchEntity; a malformed ARN is InvalidInput."""
        arn = "arn:aws:iam::000000000000:policy/none"
        self.assertError(self.iam.get_policy, "NoSuchEntity", 404,
                         "Policy %s was not found." % arn, PolicyArn=arn)
        self.assertError(self.iam.get_policy, "InvalidInput", 400,
                         "ARN arn:aws:s3:::bucket/key is not valid.",
                         PolicyArn="arn:aws:s3:::bucket/key")

    def test_policy_versions(self):
        """Versions: v2 as default, at most 5, the default cannot be deleted, newest listed
        first."""
        arn = self.create_policy()["Arn"]
        doc2 = policy_with(Action="s3:PutObject")
        v2 = self.iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc2,
                                            SetAsDefault=True)["PolicyVersion"]
        self.assertEqual((v2["VersionId"], v2["IsDefaultVersion"]), ("v2", True))
        self.assertEqual(self.iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"], "v2")
        for _ in range(3):
            self.iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc2)
        versions = self.iam.list_policy_versions(PolicyArn=arn)["Versions"]
        self.assertEqual([v["VersionId"] for v in versions], ["v5", "v4", "v3", "v2", "v1"])
        self.assertEqual([v["IsDefaultVersion"] for v in versions], [False, False, False, True,
                                                                     False])
        self.assertError(self.iam.create_policy_version, "LimitExceeded", 409,
                         "A managed policy can have up to 5 versions. Before you create a new "
                         "version, you must delete an existing version.",
                         PolicyArn=arn, PolicyDocument=doc2)
        self.assertError(self.iam.delete_policy_version, "DeleteConflict", 409,
                         "Cannot delete the default version of a policy.", PolicyArn=arn,
                         VersionId="v2")
        self.iam.set_default_policy_version(PolicyArn=arn, VersionId="v1")
        self.iam.delete_policy_version(PolicyArn=arn, VersionId="v2")
        self.assertError(self.iam.get_policy_version, "NoSuchEntity", 404,
                         "Policy %s version v2 does not exist or is not attachable." % arn,
                         PolicyArn=arn, VersionId="v2")
        v6 = self.iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc2)["PolicyVersion"]
        self.assertEqual(v6["VersionId"], "v6")

    def test_delete_policy_with_versions_or_attachments_conflicts(self):
        """DeletePolicy refuses while attached or while non-default versions remain."""
        arn = self.create_policy()["Arn"]
        self.iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(POLICY))
        self.assertError(self.iam.delete_policy, "DeleteConflict", 409,
                         "This policy has more than one version. Before you delete a policy, "
                         "you must delete the policy's versions.", PolicyArn=arn)
        self.iam.delete_policy_version(PolicyArn=arn, VersionId="v2")
        self.create_role()
        self.iam.attach_role_policy(RoleName="app-role", PolicyArn=arn)
        self.assertError(self.iam.delete_policy, "DeleteConflict", 409,
                         "Cannot delete a policy attached to entities.", PolicyArn=arn)
        self.iam.detach_role_policy(RoleName="app-role", PolicyArn=arn)
        self.iam.delete_policy(PolicyArn=arn)
        self.assertError(self.iam.get_policy, "NoSuchEntity", 404, PolicyArn=arn)

    def test_list_policies_by_scope(self):
        """ListPolicies: Scope Local lists this account's, AWS the AWS managed ones, All both."""
        self.create_policy("mine")
        local = self.iam.list_policies(Scope="Local")["Policies"]
        self.assertEqual([p["PolicyName"] for p in local], ["mine"])
        aws = {p["Arn"] for p in self.iam.list_policies(Scope="AWS", MaxItems=1000)["Policies"]}
        self.assertIn(ADMIN, aws)
        self.assertIn(BASIC_EXECUTION, aws)
        self.assertNotIn(local[0]["Arn"], aws)
        every = {p["Arn"] for p in self.iam.get_paginator("list_policies").paginate()
                 .build_full_result()["Policies"]}
        self.assertEqual(every, aws | {local[0]["Arn"]})

    def test_list_policies_only_attached(self):
        """ListPolicies OnlyAttached lists policies with at least one attachment."""
        self.create_policy("unused")
        used = self.create_policy("used")["Arn"]
        self.create_role()
        self.iam.attach_role_policy(RoleName="app-role", PolicyArn=used)
        self.iam.attach_role_policy(RoleName="app-role", PolicyArn=ADMIN)
        arns = [p["Arn"] for p in self.iam.list_policies(OnlyAttached=True)["Policies"]]
        self.assertEqual(sorted(arns), sorted([used, ADMIN]))

    def test_policy_tags(self):
        """TagPolicy/UntagPolicy/ListPolicyTags on customer managed policies."""
        arn = self.create_policy(Tags=[{"Key": "a", "Value": "1"}])["Arn"]
        self.iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "b", "Value": "2"}])
        self.iam.untag_policy(PolicyArn=arn, TagKeys=["a"])
        self.assertEqual(self.iam.list_policy_tags(PolicyArn=arn)["Tags"],
                         [{"Key": "b", "Value": "2"}])


class AttachmentTest(IamTestCase):
    def test_aws_managed_policies_attach_without_being_created(self):
        """AWS managed policy ARNs attach as they are (service-role path kept in the ARN)."""
        self.create_role()
        self.iam.attach_role_policy(RoleName="app-role", PolicyArn=BASIC_EXECUTION)
        self.iam.attach_role_policy(RoleName="app-role", PolicyArn=ADMIN)
        attached = self.iam.list_attached_role_policies(RoleName="app-role")["AttachedPolicies"]
        self.assertEqual(attached, [
            {"PolicyName": "AWSLambdaBasicExecutionRole", "PolicyArn": BASIC_EXECUTION},
            {"PolicyName": "AdministratorAccess", "PolicyArn": ADMIN}])
        only = self.iam.list_attached_role_policies(RoleName="app-role",
                                                    PathPrefix="/service-role/")
        self.assertEqual([p["PolicyArn"] for p in only["AttachedPolicies"]], [BASIC_EXECUTION])

    def test_any_aws_managed_arn_is_attachable(self):
        """AWS publishes more managed policies than nimbus knows: any such ARN attaches."""
        self.create_role()
        arn = "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"
        self.iam.attach_role_policy(RoleName="app-role", PolicyArn=arn)
        attached = self.iam.list_attached_role_policies(RoleName="app-role")["AttachedPolicies"]
        self.assertEqual(attached, [{"PolicyName": "ViewOnlyAccess", "PolicyArn": arn}])

    def test_get_aws_managed_policy_and_document(self):
        """GetPolicy/GetPolicyVersion of a known AWS managed policy answer its published
        document."""
        self.create_role()
        self.iam.attach_role_policy(RoleName="app-role", PolicyArn=BASIC_EXECUTION)
        p = self.iam.get_policy(PolicyArn=BASIC_EXECUTION)["Policy"]
        self.assertEqual((p["PolicyName"], p["Path"], p["AttachmentCount"]),
                         ("AWSLambdaBasicExecutionRole", "/service-role/", 1))
        v = self.iam.get_policy_version(PolicyArn=BASIC_EXECUTION,
                                        VersionId=p["DefaultVersionId"])["PolicyVersion"]
        self.assertEqual(v["Document"]["Statement"][0]["Action"],
                         ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"])

    def test_attach_counts_and_is_idempotent(self):
        """Attaching twice changes nothing; AttachmentCount counts entities; Detach undoes it."""
        arn = self.create_policy()["Arn"]
        self.create_role()
        self.iam.create_user(UserName="alice")
        self.iam.attach_role_policy(RoleName="app-role", PolicyArn=arn)
        self.iam.attach_role_policy(RoleName="app-role", PolicyArn=arn)
        self.iam.attach_user_policy(UserName="alice", PolicyArn=arn)
        self.assertEqual(self.iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"], 2)
        self.assertEqual(len(self.iam.list_attached_role_policies(RoleName="app-role")
                             ["AttachedPolicies"]), 1)
        self.assertEqual(self.iam.list_attached_user_policies(UserName="alice")
                         ["AttachedPolicies"], [{"PolicyName": "app-policy", "PolicyArn": arn}])
        entities = self.iam.list_entities_for_policy(PolicyArn=arn)
        self.assertEqual([r["RoleName"] for r in entities["PolicyRoles"]], ["app-role"])
        self.assertEqual([u["UserName"] for u in entities["PolicyUsers"]], ["alice"])
        self.iam.detach_user_policy(UserName="alice", PolicyArn=arn)
        self.assertEqual(self.iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"], 1)

    def test_attach_missing_policy_or_role(self):
        """Attach: unknown customer policy is NoSuchEntity; malformed ARN is InvalidInput."""
        self.create_role()
        arn = "arn:aws:iam::000000000000:policy/missing"
        self.assertError(self.iam.attach_role_policy, "NoSuchEntity", 404,
                         "Policy %s does not exist or is not attachable." % arn,
                         RoleName="app-role", PolicyArn=arn)
        self.assertError(self.iam.attach_role_policy, "InvalidInput", 400,
                         RoleName="app-role", PolicyArn="arn:aws:iam::000000000000:role/x")
        self.assertError(self.iam.attach_role_policy, "NoSuchEntity", 404,
                         "The role with name ghost cannot be found.", RoleName="ghost",
                         PolicyArn=ADMIN)

    def test_detach_policy_not_attached(self):
        """DetachRolePolicy of a policy not attached: NoSuchEntity."""
        self.create_role()
        self.assertError(self.iam.detach_role_policy, "NoSuchEntity", 404,
                         "Policy %s was not found." % ADMIN, RoleName="app-role",
                         PolicyArn=ADMIN)

    def test_attached_policies_per_role_quota(self):
        """A role holds at most 10 managed policies."""
        self.create_role()
        for i in range(10):
            self.iam.attach_role_policy(RoleName="app-role",
                                        PolicyArn="arn:aws:iam::aws:policy/P%d" % i)
        self.assertError(self.iam.attach_role_policy, "LimitExceeded", 409,
                         "Cannot exceed quota for PoliciesPerRole: 10", RoleName="app-role",
                         PolicyArn=ADMIN)


class UserTest(IamTestCase):
    def test_create_get_list_delete_user(self):
        """CreateUser: UserId AIDA + 17; GetUser/ListUsers show it; DeleteUser removes it."""
        u = self.iam.create_user(UserName="alice", Path="/staff/",
                                 Tags=[{"Key": "k", "Value": "v"}])["User"]
        self.assertRegex(u["UserId"], r"^AIDA[A-Z0-9]{17}$")
        self.assertEqual(u["Arn"], "arn:aws:iam::000000000000:user/staff/alice")
        got = self.iam.get_user(UserName="alice")["User"]
        self.assertEqual((got["UserId"], got["Tags"]), (u["UserId"], [{"Key": "k", "Value": "v"}]))
        self.iam.create_user(UserName="bob")
        self.assertEqual([x["UserName"] for x in self.iam.list_users()["Users"]], ["alice", "bob"])
        self.assertEqual([x["UserName"] for x in self.iam.list_users(PathPrefix="/staff")
                          ["Users"]], ["alice"])
        self.iam.delete_user(UserName="alice")
        self.assertError(self.iam.get_user, "NoSuchEntity", 404,
                         "The user with name alice cannot be found.", UserName="alice")

    def test_duplicate_user(self):
        """CreateUser with a name in use: EntityAlreadyExists."""
        self.iam.create_user(UserName="alice")
        self.assertError(self.iam.create_user, "EntityAlreadyExists", 409,
                         "User with name Alice already exists.", UserName="Alice")

    def test_get_user_without_name_is_the_caller(self):
        """GetUser without UserName answers the caller: the root user for root credentials."""
        me = self.iam.get_user()["User"]
        self.assertEqual((me["UserId"], me["Arn"]),
                         ("000000000000", "arn:aws:iam::000000000000:root"))

    def test_update_user_renames_everything_that_names_it(self):
        """UpdateUser NewUserName/NewPath: groups, attachments and access keys follow the user."""
        self.iam.create_user(UserName="alice")
        self.iam.create_group(GroupName="devs")
        self.iam.add_user_to_group(GroupName="devs", UserName="alice")
        self.iam.attach_user_policy(UserName="alice", PolicyArn=ADMIN)
        key = self.iam.create_access_key(UserName="alice")["AccessKey"]
        self.iam.update_user(UserName="alice", NewUserName="alicia", NewPath="/eng/")
        self.assertError(self.iam.get_user, "NoSuchEntity", 404, UserName="alice")
        u = self.iam.get_user(UserName="alicia")["User"]
        self.assertEqual(u["Arn"], "arn:aws:iam::000000000000:user/eng/alicia")
        self.assertEqual([x["UserName"] for x in self.iam.get_group(GroupName="devs")["Users"]],
                         ["alicia"])
        entities = self.iam.list_entities_for_policy(PolicyArn=ADMIN)["PolicyUsers"]
        self.assertEqual([x["UserName"] for x in entities], ["alicia"])
        self.assertEqual(self.iam.list_access_keys(UserName="alicia")["AccessKeyMetadata"][0]
                         ["UserName"], "alicia")
        me = self.client("sts", access_key=key["AccessKeyId"],
                         secret_key=key["SecretAccessKey"]).get_caller_identity()
        self.assertEqual(me["Arn"], "arn:aws:iam::000000000000:user/eng/alicia")

    def test_update_user_to_a_taken_name(self):
        """UpdateUser to an existing user's name: EntityAlreadyExists."""
        self.iam.create_user(UserName="alice")
        self.iam.create_user(UserName="bob")
        self.assertError(self.iam.update_user, "EntityAlreadyExists", 409,
                         "User with name bob already exists.", UserName="alice",
                         NewUserName="bob")

    def test_user_tags(self):
        """TagUser/UntagUser/ListUserTags."""
        self.iam.create_user(UserName="alice")
        self.iam.tag_user(UserName="alice", Tags=[{"Key": "a", "Value": "1"}])
        self.assertEqual(self.iam.list_user_tags(UserName="alice")["Tags"],
                         [{"Key": "a", "Value": "1"}])
        self.iam.untag_user(UserName="alice", TagKeys=["a"])
        self.assertEqual(self.iam.list_user_tags(UserName="alice")["Tags"], [])

    def test_delete_user_with_attachments_conflicts(self):
        """DeleteUser refuses while keys, groups or policies remain."""
        self.iam.create_user(UserName="alice")
        self.iam.attach_user_policy(UserName="alice", PolicyArn=ADMIN)
        self.assertError(self.iam.delete_user, "DeleteConflict", 409,
                         "Cannot delete entity, must detach all policies first.",
                         UserName="alice")
        self.iam.detach_user_policy(UserName="alice", PolicyArn=ADMIN)
        key = self.iam.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]
        self.assertError(self.iam.delete_user, "DeleteConflict", 409,
                         "Cannot delete entity, must delete access keys first.",
                         UserName="alice")
        self.iam.delete_access_key(UserName="alice", AccessKeyId=key)
        self.iam.delete_user(UserName="alice")


class AccessKeyTest(IamTestCase):
    def test_created_key_signs_requests_as_the_user(self):
        """CreateAccessKey: AKIA + 16, 40-char secret, Active; STS sees the user's ARN."""
        self.iam.create_user(UserName="deployer", Path="/ci/")
        key = self.iam.create_access_key(UserName="deployer")["AccessKey"]
        self.assertRegex(key["AccessKeyId"], r"^AKIA[A-Z0-9]{16}$")
        self.assertEqual(len(key["SecretAccessKey"]), 40)
        self.assertEqual((key["Status"], key["UserName"]), ("Active", "deployer"))
        me = self.client("sts", access_key=key["AccessKeyId"],
                         secret_key=key["SecretAccessKey"]).get_caller_identity()
        self.assertEqual(me["Arn"], "arn:aws:iam::000000000000:user/ci/deployer")
        as_user = self.client("iam", access_key=key["AccessKeyId"],
                              secret_key=key["SecretAccessKey"])
        self.assertEqual(as_user.get_user()["User"]["UserName"], "deployer")
        listed = as_user.list_access_keys()["AccessKeyMetadata"]
        self.assertEqual([k["AccessKeyId"] for k in listed], [key["AccessKeyId"]])

    def test_list_update_delete_keys(self):
        """ListAccessKeys shows status; UpdateAccessKey deactivates; DeleteAccessKey removes."""
        self.iam.create_user(UserName="alice")
        key_id = self.iam.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]
        self.iam.update_access_key(UserName="alice", AccessKeyId=key_id, Status="Inactive")
        meta = self.iam.list_access_keys(UserName="alice")["AccessKeyMetadata"]
        self.assertEqual([(m["AccessKeyId"], m["Status"], m["UserName"]) for m in meta],
                         [(key_id, "Inactive", "alice")])
        self.iam.delete_access_key(UserName="alice", AccessKeyId=key_id)
        self.assertEqual(self.iam.list_access_keys(UserName="alice")["AccessKeyMetadata"], [])
        self.assertError(self.iam.delete_access_key, "NoSuchEntity", 404,
                         "The Access Key with id %s cannot be found." % key_id,
                         UserName="alice", AccessKeyId=key_id)

    def test_two_keys_per_user(self):
        """A user holds at most two access keys."""
        self.iam.create_user(UserName="alice")
        self.iam.create_access_key(UserName="alice")
        self.iam.create_access_key(UserName="alice")
        self.assertError(self.iam.create_access_key, "LimitExceeded", 409,
                         "Cannot exceed quota for AccessKeysPerUser: 2", UserName="alice")

    def test_key_for_missing_user(self):
        """CreateAccessKey for an unknown user: NoSuchEntity."""
        self.assertError(self.iam.create_access_key, "NoSuchEntity", 404,
                         "The user with name ghost cannot be found.", UserName="ghost")

    def test_update_with_an_unknown_status(self):
        """UpdateAccessKey Status must be Active or Inactive."""
        self.iam.create_user(UserName="alice")
        key_id = self.iam.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]
        self.assertError(self.unchecked.update_access_key, "ValidationError", 400,
                         UserName="alice", AccessKeyId=key_id, Status="Paused")

    def test_get_access_key_last_used(self):
        """GetAccessKeyLastUsed: N/A for a key never used, with its user."""
        self.iam.create_user(UserName="alice")
        key_id = self.iam.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]
        r = self.iam.get_access_key_last_used(AccessKeyId=key_id)
        self.assertEqual(r["UserName"], "alice")
        self.assertEqual(r["AccessKeyLastUsed"]["ServiceName"], "N/A")


class StrictAuthKeyTest(unittest.TestCase):
    """With --auth strict, only registered keys sign: IAM keys work until deactivated or deleted."""

    @classmethod
    def setUpClass(cls):
        cls.cred_file = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
        json.dump([{"access_key_id": ACCESS_KEY, "secret_access_key": SECRET_KEY,
                    "account_id": "000000000000"}], cls.cred_file)
        cls.cred_file.close()
        cls.server = NimbusServer("--auth", "strict", "--credentials", cls.cred_file.name).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        os.unlink(cls.cred_file.name)

    def test_deactivated_and_deleted_keys_stop_working(self):
        iam = self.server.client("iam")
        iam.create_user(UserName="ops")
        key = iam.create_access_key(UserName="ops")["AccessKey"]
        sts = self.server.client("sts", access_key=key["AccessKeyId"],
                                 secret_key=key["SecretAccessKey"])
        self.assertEqual(sts.get_caller_identity()["Arn"], "arn:aws:iam::000000000000:user/ops")
        iam.update_access_key(UserName="ops", AccessKeyId=key["AccessKeyId"], Status="Inactive")
        with self.assertRaises(ClientError) as ctx:
            sts.get_caller_identity()
        self.assertEqual(ctx.exception.response["Error"]["Code"], "InvalidClientTokenId")
        iam.update_access_key(UserName="ops", AccessKeyId=key["AccessKeyId"], Status="Active")
        self.assertEqual(sts.get_caller_identity()["Account"], "000000000000")
        iam.delete_access_key(UserName="ops", AccessKeyId=key["AccessKeyId"])
        with self.assertRaises(ClientError) as ctx:
            sts.get_caller_identity()
        self.assertEqual(ctx.exception.response["Error"]["Code"], "InvalidClientTokenId")


class GroupTest(IamTestCase):
    def test_group_membership(self):
        """AddUserToGroup shows in GetGroup and ListGroupsForUser; RemoveUserFromGroup undoes it."""
        g = self.iam.create_group(GroupName="devs")["Group"]
        self.assertRegex(g["GroupId"], r"^AGPA[A-Z0-9]{17}$")
        self.assertEqual(g["Arn"], "arn:aws:iam::000000000000:group/devs")
        self.iam.create_user(UserName="alice")
        self.iam.add_user_to_group(GroupName="devs", UserName="alice")
        r = self.iam.get_group(GroupName="devs")
        self.assertEqual([u["UserName"] for u in r["Users"]], ["alice"])
        self.assertEqual([x["GroupName"] for x in
                          self.iam.list_groups_for_user(UserName="alice")["Groups"]], ["devs"])
        self.assertEqual([x["GroupName"] for x in self.iam.list_groups()["Groups"]], ["devs"])
        self.assertError(self.iam.delete_user, "DeleteConflict", 409,
                         "Cannot delete entity, must remove users from group first.",
                         UserName="alice")
        self.assertError(self.iam.delete_group, "DeleteConflict", 409, GroupName="devs")
        self.iam.remove_user_from_group(GroupName="devs", UserName="alice")
        self.assertEqual(self.iam.get_group(GroupName="devs")["Users"], [])
        self.iam.delete_group(GroupName="devs")
        self.assertError(self.iam.get_group, "NoSuchEntity", 404,
                         "The group with name devs cannot be found.", GroupName="devs")

    def test_update_group(self):
        """UpdateGroup renames a group; its members list the new name."""
        self.iam.create_group(GroupName="devs")
        self.iam.create_user(UserName="alice")
        self.iam.add_user_to_group(GroupName="devs", UserName="alice")
        self.iam.update_group(GroupName="devs", NewGroupName="engineers", NewPath="/eng/")
        g = self.iam.get_group(GroupName="engineers")
        self.assertEqual(g["Group"]["Arn"], "arn:aws:iam::000000000000:group/eng/engineers")
        self.assertEqual([x["GroupName"] for x in
                          self.iam.list_groups_for_user(UserName="alice")["Groups"]],
                         ["engineers"])
        self.assertError(self.iam.get_group, "NoSuchEntity", 404, GroupName="devs")

    def test_duplicate_group(self):
        """CreateGroup with a name in use: EntityAlreadyExists."""
        self.iam.create_group(GroupName="devs")
        self.assertError(self.iam.create_group, "EntityAlreadyExists", 409, GroupName="devs")

    def test_group_policies(self):
        """Groups take inline and managed policies like roles and users."""
        self.iam.create_group(GroupName="devs")
        self.iam.put_group_policy(GroupName="devs", PolicyName="p",
                                  PolicyDocument=json.dumps(POLICY))
        self.iam.attach_group_policy(GroupName="devs", PolicyArn=ADMIN)
        self.assertEqual(self.iam.list_group_policies(GroupName="devs")["PolicyNames"], ["p"])
        self.assertEqual([p["PolicyArn"] for p in self.iam.list_attached_group_policies(
            GroupName="devs")["AttachedPolicies"]], [ADMIN])


class InstanceProfileTest(IamTestCase):
    def test_instance_profile_with_role(self):
        """An instance profile holds one role; the role cannot be deleted while in it."""
        p = self.iam.create_instance_profile(InstanceProfileName="web")["InstanceProfile"]
        self.assertRegex(p["InstanceProfileId"], r"^AIPA[A-Z0-9]{17}$")
        self.assertEqual(p["Arn"], "arn:aws:iam::000000000000:instance-profile/web")
        self.assertEqual(p["Roles"], [])
        self.create_role("web-role")
        self.create_role("other-role")
        self.iam.add_role_to_instance_profile(InstanceProfileName="web", RoleName="web-role")
        got = self.iam.get_instance_profile(InstanceProfileName="web")["InstanceProfile"]
        self.assertEqual([r["RoleName"] for r in got["Roles"]], ["web-role"])
        self.assertEqual(got["Roles"][0]["AssumeRolePolicyDocument"], TRUST)
        self.assertError(self.iam.add_role_to_instance_profile, "LimitExceeded", 409,
                         "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1",
                         InstanceProfileName="web", RoleName="other-role")
        for_role = self.iam.list_instance_profiles_for_role(RoleName="web-role")
        self.assertEqual([x["InstanceProfileName"] for x in for_role["InstanceProfiles"]],
                         ["web"])
        self.assertError(self.iam.delete_role, "DeleteConflict", 409,
                         "Cannot delete entity, must remove roles from instance profile first.",
                         RoleName="web-role")
        self.assertError(self.iam.delete_instance_profile, "DeleteConflict", 409,
                         InstanceProfileName="web")
        self.iam.remove_role_from_instance_profile(InstanceProfileName="web", RoleName="web-role")
        self.iam.delete_role(RoleName="web-role")
        self.iam.delete_instance_profile(InstanceProfileName="web")
        self.assertError(self.iam.get_instance_profile, "NoSuchEntity", 404,
                         "Instance Profile web cannot be found.", InstanceProfileName="web")
        self.assertEqual(self.iam.list_instance_profiles()["InstanceProfiles"], [])


class AccountSummaryTest(IamTestCase):
    def test_account_summary_counts_entities(self):
        """GetAccountSummary counts users, roles, groups and policies, and states quotas."""
        self.create_role()
        self.iam.create_user(UserName="alice")
        self.create_policy()
        summary = self.iam.get_account_summary()["SummaryMap"]
        self.assertEqual((summary["Roles"], summary["Users"], summary["Policies"],
                          summary["Groups"]), (1, 1, 1, 0))
        self.assertEqual(summary["AccessKeysPerUserQuota"], 2)


class CliTest(IamTestCase):
    def test_role_lifecycle_through_the_cli(self):
        """aws iam create-role (file:// trust policy), attach, get-role, list; errors as the
        CLI prints them."""
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(TRUST, f)
        try:
            _, out, _ = self.server.aws("iam", "create-role", "--role-name", "cli-role",
                                        "--assume-role-policy-document", "file://" + f.name)
        finally:
            os.unlink(f.name)
        self.assertEqual(out["Role"]["Arn"], "arn:aws:iam::000000000000:role/cli-role")
        self.server.aws("iam", "attach-role-policy", "--role-name", "cli-role",
                        "--policy-arn", BASIC_EXECUTION)
        _, out, _ = self.server.aws("iam", "get-role", "--role-name", "cli-role")
        self.assertEqual(out["Role"]["AssumeRolePolicyDocument"], TRUST)
        _, out, _ = self.server.aws("iam", "list-attached-role-policies", "--role-name",
                                    "cli-role")
        self.assertEqual(out["AttachedPolicies"][0]["PolicyArn"], BASIC_EXECUTION)
        code, _, err = self.server.aws("iam", "get-role", "--role-name", "ghost", check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("An error occurred (NoSuchEntity) when calling the GetRole operation: "
                      "The role with name ghost cannot be found.", err)


class HostileInputTest(IamTestCase):
    def post(self, body):
        return self.server.http(
            "POST", "/", body,
            {"Content-Type": "application/x-www-form-urlencoded",
             "Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/iam/"
                              "aws4_request, SignedHeaders=host, Signature=00"})

    def test_unknown_action(self):
        """An Action IAM does not have: InvalidAction, 400, Sender."""
        status, _, body = self.post(b"Action=LaunchRockets&Version=2010-05-08")
        self.assertEqual(status, 400)
        self.assertIn(b"<Code>InvalidAction</Code>", body)

    def test_missing_required_member(self):
        """CreateRole without AssumeRolePolicyDocument: ValidationError naming the member."""
        self.assertError(self.unchecked.create_role, "ValidationError", 400,
                         "1 validation error detected: Value null at 'assumeRolePolicyDocument' "
                         "failed to satisfy constraint: Member must not be null", RoleName="r")

    def test_invalid_utf8_document_is_refused(self):
        """Bytes that are not UTF-8 in a policy document never reach the policy parser."""
        self.create_role()
        status, _, body = self.post(b"Action=PutRolePolicy&RoleName=app-role&PolicyName=p&"
                                    b"PolicyDocument=%FF%FE%7B&Version=2010-05-08")
        self.assertEqual(status, 400)
        self.assertIn(b"<Code>ValidationError</Code>", body)

    def test_tags_without_keys(self):
        """A tag list entry without Key is refused (the model requires it)."""
        self.create_role()
        status, _, body = self.post(b"Action=TagRole&RoleName=app-role&Tags.member.1.Value=v&"
                                    b"Version=2010-05-08")
        self.assertEqual(status, 400)
        self.assertIn(b"<Code>ValidationError</Code>", body)


class IamPersistenceTest(unittest.TestCase):
    def test_role_and_key_survive_restart(self):
        """State is in storage: after SIGTERM and a restart on the same data dir, the role and
        the access key are there and the key authenticates with --auth strict."""
        cred_file = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
        json.dump([{"access_key_id": ACCESS_KEY, "secret_access_key": SECRET_KEY,
                    "account_id": "000000000000"}], cred_file)
        cred_file.close()
        server = NimbusServer("--auth", "strict", "--credentials", cred_file.name)
        try:
            server.start()
            iam = server.client("iam")
            role = iam.create_role(RoleName="kept", AssumeRolePolicyDocument=json.dumps(TRUST))
            iam.attach_role_policy(RoleName="kept", PolicyArn=BASIC_EXECUTION)
            iam.create_user(UserName="keeper")
            key = iam.create_access_key(UserName="keeper")["AccessKey"]
            self.assertEqual(server.stop(), 0)
            server.start()
            iam = server.client("iam")
            self.assertEqual(iam.get_role(RoleName="kept")["Role"]["RoleId"],
                             role["Role"]["RoleId"])
            self.assertEqual(len(iam.list_attached_role_policies(RoleName="kept")
                                 ["AttachedPolicies"]), 1)
            me = server.client("sts", access_key=key["AccessKeyId"],
                               secret_key=key["SecretAccessKey"]).get_caller_identity()
            self.assertEqual(me["Arn"], "arn:aws:iam::000000000000:user/keeper")
        finally:
            server.cleanup()
            os.unlink(cred_file.name)


if __name__ == "__main__":
    unittest.main()

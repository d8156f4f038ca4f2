"""STS: GetCallerIdentity, AssumeRole, GetSessionToken, AssumeRoleWithWebIdentity, as AWS
answers them; temporary credentials work for later calls and survive a restart."""
import base64
import json
import unittest

import botocore.exceptions

from nimbus_harness import NimbusServer, NimbusTestCase


def fake_jwt(claims):
    enc = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()
    return enc({"alg": "none", "typ": "JWT"}) + "." + enc(claims) + ".sig"


class StsTest(NimbusTestCase):
    def test_get_caller_identity_default_account(self):
        r = self.client("sts").get_caller_identity()
        self.assertEqual(r["Account"], "000000000000")
        self.assertEqual(r["Arn"], "arn:aws:iam::000000000000:root")
        self.assertEqual(r["UserId"], "000000000000")

    def test_twelve_digit_access_key_selects_the_account(self):
        r = self.client("sts", access_key="111122223333").get_caller_identity()
        self.assertEqual(r["Account"], "111122223333")

    def test_cli_prints_the_account(self):
        code, out, _ = self.server.aws("sts", "get-caller-identity")
        self.assertEqual(code, 0)
        self.assertEqual(out["Account"], "000000000000")

    def test_assume_role_returns_working_temporary_credentials(self):
        sts = self.client("sts")
        r = sts.assume_role(RoleArn="arn:aws:iam::123456789012:role/app/Deployer",
                            RoleSessionName="ci-run", DurationSeconds=900)
        creds = r["Credentials"]
        self.assertTrue(creds["AccessKeyId"].startswith("ASIA"))
        self.assertEqual(len(creds["AccessKeyId"]), 20)
        self.assertEqual(r["AssumedRoleUser"]["Arn"],
                         "arn:aws:sts::123456789012:assumed-role/Deployer/ci-run")
        self.assertTrue(r["AssumedRoleUser"]["AssumedRoleId"].endswith(":ci-run"))
        me = self.client("sts", access_key=creds["AccessKeyId"],
                         secret_key=creds["SecretAccessKey"],
                         session_token=creds["SessionToken"]).get_caller_identity()
        self.assertEqual(me["Account"], "123456789012")
        self.assertEqual(me["Arn"], "arn:aws:sts::123456789012:assumed-role/Deployer/ci-run")
        self.assertRegex(me["UserId"], r"^AROA[A-Z0-9]{17}:ci-run$")
        self.assertEqual(me["UserId"], r["AssumedRoleUser"]["AssumedRoleId"])

    def test_assume_role_duration_out_of_range_is_a_validation_error(self):
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.client("sts", parameter_validation=False).assume_role(
                RoleArn="arn:aws:iam::123456789012:role/x", RoleSessionName="ss",
                DurationSeconds=60)
        err = self.assertAwsError(ctx, "ValidationError", 400)
        self.assertIn("at 'durationSeconds' failed to satisfy constraint: Member must have value "
                      "greater than or equal to 900", err["Error"]["Message"])

    def test_assume_role_missing_session_name(self):
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.client("sts", parameter_validation=False).assume_role(
                RoleArn="arn:aws:iam::123456789012:role/x")
        err = self.assertAwsError(ctx, "ValidationError", 400)
        self.assertIn("Value null at 'roleSessionName' failed to satisfy constraint: "
                      "Member must not be null", err["Error"]["Message"])

    def test_get_session_token(self):
        r = self.client("sts").get_session_token(DurationSeconds=1800)
        self.assertTrue(r["Credentials"]["AccessKeyId"].startswith("ASIA"))
        self.assertIn("Expiration", r["Credentials"])

    def test_assume_role_with_web_identity(self):
        token = fake_jwt({"sub": "user-42", "aud": "my-client", "iss": "https://issuer.example"})
        r = self.client("sts").assume_role_with_web_identity(
            RoleArn="arn:aws:iam::123456789012:role/web", RoleSessionName="web",
            WebIdentityToken=token)
        self.assertEqual(r["SubjectFromWebIdentityToken"], "user-42")
        self.assertEqual(r["Audience"], "my-client")
        self.assertEqual(r["Provider"], "https://issuer.example")

    def test_unknown_action_is_invalid_action(self):
        status, _, body = self.server.http(
            "POST", "/", b"Action=NoSuchThing&Version=2011-06-15",
            {"Content-Type": "application/x-www-form-urlencoded",
             "Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/sts/"
                              "aws4_request, SignedHeaders=host, Signature=00"})
        self.assertEqual(status, 400)
        self.assertIn(b"<Code>InvalidAction</Code>", body)
        self.assertIn(b"<Type>Sender</Type>", body)


class StsPersistenceTest(unittest.TestCase):
    def test_temporary_credentials_survive_restart(self):
        server = NimbusServer("--auth", "strict")
        try:
            import tempfile
            cred_file = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
            json.dump([{"access_key_id": "AKIAIOSFODNN7EXAMPLE",
                        "secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                        "account_id": "000000000000"}], cred_file)
            cred_file.close()
            server.extra_args += ["--credentials", cred_file.name]
            server.start()
            creds = server.client("sts").assume_role(
                RoleArn="arn:aws:iam::123456789012:role/r", RoleSessionName="ss")["Credentials"]
            self.assertEqual(server.stop(), 0)
            server.start()
            me = server.client("sts", access_key=creds["AccessKeyId"],
                               secret_key=creds["SecretAccessKey"],
                               session_token=creds["SessionToken"]).get_caller_identity()
            self.assertEqual(me["Account"], "123456789012")
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()

// STS through the AWS SDK for JavaScript v3: the query protocol's XML answers parse.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { STSClient, GetCallerIdentityCommand, AssumeRoleCommand } from "@aws-sdk/client-sts";
import { startNimbus } from "./harness.mjs";

let nimbus;
before(async () => { nimbus = await startNimbus(); });
after(async () => { await nimbus.stop(); });

test("GetCallerIdentity returns the default account", async () => {
  const sts = new STSClient(nimbus.config);
  const r = await sts.send(new GetCallerIdentityCommand({}));
  assert.equal(r.Account, "000000000000");
  assert.equal(r.Arn, "arn:aws:iam::000000000000:root");
});

test("AssumeRole credentials carry the role's account", async () => {
  const sts = new STSClient(nimbus.config);
  const r = await sts.send(new AssumeRoleCommand({
    RoleArn: "arn:aws:iam::123456789012:role/js-role", RoleSessionName: "js-session" }));
  assert.match(r.Credentials.AccessKeyId, /^ASIA[A-Z0-9]{16}$/);
  assert.ok(r.Credentials.Expiration instanceof Date);
  const as = new STSClient({ ...nimbus.config, credentials: {
    accessKeyId: r.Credentials.AccessKeyId, secretAccessKey: r.Credentials.SecretAccessKey,
    sessionToken: r.Credentials.SessionToken } });
  const me = await as.send(new GetCallerIdentityCommand({}));
  assert.equal(me.Arn, "arn:aws:sts::123456789012:assumed-role/js-role/js-session");
});

test("a server error code reaches the SDK as a named exception", async () => {
  const sts = new STSClient(nimbus.config);
  await assert.rejects(
    sts.send(new AssumeRoleCommand({ RoleArn: "not-an-arn", RoleSessionName: "js-session" })),
    (e) => e.name === "ValidationError" && e.$metadata.httpStatusCode === 400);
});

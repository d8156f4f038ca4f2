// S3 through the AWS SDK for JavaScript v3 (path-style): rest-xml answers parse, errors map to
// the SDK's named exceptions, default CRC32 checksums round-trip, lib-storage's Upload goes
// multipart.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, HeadObjectCommand,
  ListObjectsV2Command, CopyObjectCommand, DeleteObjectsCommand, DeleteObjectCommand,
  PutBucketVersioningCommand, ListObjectVersionsCommand, ListBucketsCommand,
  CreateMultipartUploadCommand, UploadPartCommand, CompleteMultipartUploadCommand,
  NoSuchKey, NoSuchBucket,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { startNimbus } from "./harness.mjs";

let nimbus;
let s3;
before(async () => {
  nimbus = await startNimbus();
  s3 = new S3Client({ ...nimbus.config, forcePathStyle: true });
});
after(async () => { await nimbus.stop(); });

const md5 = (data) => createHash("md5").update(data).digest("hex");

test("buckets are created and listed", async () => {
  await s3.send(new CreateBucketCommand({ Bucket: "js-buckets" }));
  const r = await s3.send(new ListBucketsCommand({}));
  assert.ok(r.Buckets.some((b) => b.Name === "js-buckets"));
  assert.ok(r.Buckets[0].CreationDate instanceof Date);
  assert.equal(r.Owner.ID.length, 64);
});

test("PutObject and GetObject round-trip bytes, headers and metadata", async () => {
  await s3.send(new CreateBucketCommand({ Bucket: "js-objects" }));
  const body = "hello from the js sdk";
  const put = await s3.send(new PutObjectCommand({
    Bucket: "js-objects", Key: "dir/hello.txt", Body: body, ContentType: "text/plain",
    Metadata: { origin: "node" } }));
  assert.equal(put.ETag, `"${md5(body)}"`);
  const got = await s3.send(new GetObjectCommand({ Bucket: "js-objects", Key: "dir/hello.txt",
                                                   ChecksumMode: "ENABLED" }));
  assert.equal(await got.Body.transformToString(), body);
  assert.equal(got.ContentType, "text/plain");
  assert.deepEqual(got.Metadata, { origin: "node" });
  assert.equal(got.ContentLength, body.length);
  assert.ok(got.LastModified instanceof Date);
  // The SDK sends a CRC32 by default; S3 returns it in ChecksumMode.
  assert.ok(got.ChecksumCRC32, "a stored CRC32");
  const head = await s3.send(new HeadObjectCommand({ Bucket: "js-objects", Key: "dir/hello.txt" }));
  assert.equal(head.ETag, put.ETag);
  const ranged = await s3.send(new GetObjectCommand({ Bucket: "js-objects", Key: "dir/hello.txt",
                                                      Range: "bytes=0-4" }));
  assert.equal(await ranged.Body.transformToString(), "hello");
  assert.equal(ranged.ContentRange, `bytes 0-4/${body.length}`);
  assert.equal(ranged.$metadata.httpStatusCode, 206);
});

test("listing with a delimiter, copy and batch delete", async () => {
  await s3.send(new CreateBucketCommand({ Bucket: "js-listing" }));
  for (const key of ["a/1", "a/2", "b", "c d/é"]) {
    await s3.send(new PutObjectCommand({ Bucket: "js-listing", Key: key, Body: key }));
  }
  const r = await s3.send(new ListObjectsV2Command({ Bucket: "js-listing", Delimiter: "/" }));
  assert.deepEqual(r.CommonPrefixes.map((p) => p.Prefix), ["a/", "c d/"]);
  assert.deepEqual(r.Contents.map((o) => o.Key), ["b"]);
  assert.equal(r.KeyCount, 3);
  const page = await s3.send(new ListObjectsV2Command({ Bucket: "js-listing", MaxKeys: 2 }));
  assert.equal(page.IsTruncated, true);
  const rest = await s3.send(new ListObjectsV2Command({
    Bucket: "js-listing", ContinuationToken: page.NextContinuationToken }));
  assert.deepEqual([...page.Contents, ...rest.Contents].map((o) => o.Key),
                   ["a/1", "a/2", "b", "c d/é"]);
  const copy = await s3.send(new CopyObjectCommand({
    Bucket: "js-listing", Key: "copied", CopySource: "js-listing/" + encodeURIComponent("c d/é") }));
  assert.equal(copy.CopyObjectResult.ETag, `"${md5("c d/é")}"`);
  const del = await s3.send(new DeleteObjectsCommand({ Bucket: "js-listing", Delete: {
    Objects: [{ Key: "a/1" }, { Key: "a/2" }, { Key: "copied" }] } }));
  assert.equal(del.Deleted.length, 3);
  const left = await s3.send(new ListObjectsV2Command({ Bucket: "js-listing" }));
  assert.deepEqual(left.Contents.map((o) => o.Key), ["b", "c d/é"]);
});

test("errors arrive as the SDK's named exceptions", async () => {
  await s3.send(new CreateBucketCommand({ Bucket: "js-errors" }));
  await assert.rejects(
    s3.send(new GetObjectCommand({ Bucket: "js-errors", Key: "missing" })),
    (e) => e instanceof NoSuchKey && e.$metadata.httpStatusCode === 404 && e.Key === "missing");
  await assert.rejects(
    s3.send(new ListObjectsV2Command({ Bucket: "js-no-such-bucket" })),
    (e) => e instanceof NoSuchBucket && e.$metadata.httpStatusCode === 404);
  await assert.rejects(
    s3.send(new HeadObjectCommand({ Bucket: "js-errors", Key: "missing" })),
    (e) => e.name === "NotFound" && e.$metadata.httpStatusCode === 404);
  await assert.rejects(
    s3.send(new PutObjectCommand({ Bucket: "js-errors", Key: "k", Body: "x", IfNoneMatch: "*" })
      ).then(() => s3.send(new PutObjectCommand({ Bucket: "js-errors", Key: "k", Body: "y",
                                                   IfNoneMatch: "*" }))),
    (e) => e.name === "PreconditionFailed" && e.$metadata.httpStatusCode === 412);
});

test("versioning: versions and delete markers", async () => {
  await s3.send(new CreateBucketCommand({ Bucket: "js-versions" }));
  await s3.send(new PutBucketVersioningCommand({
    Bucket: "js-versions", VersioningConfiguration: { Status: "Enabled" } }));
  const v1 = await s3.send(new PutObjectCommand({ Bucket: "js-versions", Key: "k", Body: "1" }));
  const v2 = await s3.send(new PutObjectCommand({ Bucket: "js-versions", Key: "k", Body: "2" }));
  assert.notEqual(v1.VersionId, v2.VersionId);
  const del = await s3.send(new DeleteObjectCommand({ Bucket: "js-versions", Key: "k" }));
  assert.equal(del.DeleteMarker, true);
  const r = await s3.send(new ListObjectVersionsCommand({ Bucket: "js-versions" }));
  assert.deepEqual(r.Versions.map((v) => v.VersionId), [v2.VersionId, v1.VersionId]);
  assert.equal(r.DeleteMarkers[0].IsLatest, true);
  const old = await s3.send(new GetObjectCommand({ Bucket: "js-versions", Key: "k",
                                                   VersionId: v1.VersionId }));
  assert.equal(await old.Body.transformToString(), "1");
});

test("explicit multipart upload", async () => {
  await s3.send(new CreateBucketCommand({ Bucket: "js-mpu" }));
  const up = await s3.send(new CreateMultipartUploadCommand({ Bucket: "js-mpu", Key: "parts" }));
  const parts = [Buffer.alloc(5 * 1024 * 1024, 1), Buffer.from("tail")];
  const done = [];
  for (let i = 0; i < parts.length; i++) {
    const r = await s3.send(new UploadPartCommand({ Bucket: "js-mpu", Key: "parts",
      UploadId: up.UploadId, PartNumber: i + 1, Body: parts[i] }));
    done.push({ PartNumber: i + 1, ETag: r.ETag });
  }
  const c = await s3.send(new CompleteMultipartUploadCommand({ Bucket: "js-mpu", Key: "parts",
    UploadId: up.UploadId, MultipartUpload: { Parts: done } }));
  const digests = Buffer.concat(parts.map((p) => createHash("md5").update(p).digest()));
  assert.equal(c.ETag, `"${createHash("md5").update(digests).digest("hex")}-2"`);
});

test("lib-storage Upload sends a large body in parts", async () => {
  await s3.send(new CreateBucketCommand({ Bucket: "js-upload" }));
  const data = Buffer.alloc(12 * 1024 * 1024);
  for (let i = 0; i < data.length; i += 4096) data.writeUInt32LE(i, i);
  const upload = new Upload({ client: s3, params: { Bucket: "js-upload", Key: "big.bin",
                                                    Body: data },
                              partSize: 5 * 1024 * 1024, queueSize: 2 });
  const r = await upload.done();
  assert.match(r.ETag, /-3"$/);
  const got = await s3.send(new GetObjectCommand({ Bucket: "js-upload", Key: "big.bin" }));
  const back = Buffer.from(await got.Body.transformToByteArray());
  assert.equal(md5(back), md5(data));
});

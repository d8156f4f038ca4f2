// Streamed upload bodies: PutObject and UploadPart bodies over the router's stream threshold are
// written to a blob as they arrive, hashed on the way and verified once they have ended, so an
// upload of up to 5 GiB is never whole in memory. The blob becomes an object (or part) only
// after every check passed; a body cut short leaves nothing behind.
#include <cctype>

#include "core/common/hashing.h"
#include "core/common/ids.h"
#include "core/http/http_types.h"
#include "core/storage/blob_store.h"
#include "core/storage/json_store.h"
#include "services/s3/checksums.h"
#include "services/s3/errors.h"
#include "services/s3/s3.h"

namespace nimbus::s3 {

namespace {

constexpr std::string_view kChecksumHeaderPrefix = "x-amz-checksum-";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// The algorithm of an "x-amz-checksum-<algorithm>" header or trailer name; null for others.
const ChecksumAlgorithm* ChecksumOfHeader(std::string_view name) {
  if (name.size() <= kChecksumHeaderPrefix.size()) return nullptr;
  for (size_t i = 0; i < kChecksumHeaderPrefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(name[i])) != kChecksumHeaderPrefix[i])
      return nullptr;
  return FindChecksumAlgorithm(name.substr(kChecksumHeaderPrefix.size()));
}

// The checksum the body's trailer will carry, as x-amz-trailer announces it; null when none.
const ChecksumAlgorithm* TrailerAlgorithm(const RequestContext& ctx) {
  if (!ctx.http) return nullptr;
  std::string_view names = ctx.http->Header("x-amz-trailer");
  while (!names.empty()) {
    auto comma = names.find(',');
    if (const ChecksumAlgorithm* a = ChecksumOfHeader(Trim(names.substr(0, comma)))) return a;
    if (comma == std::string_view::npos) break;
    names.remove_prefix(comma + 1);
  }
  return nullptr;
}

// The request's checksum once the body has ended: x-amz-checksum-* trailers count as headers
// (what the router does for bodies it decodes in memory).
Result<RequestChecksum> ChecksumWithTrailers(const Input& in, const http::HeaderList& trailers) {
  json::object merged;
  bool any = false;
  for (const auto& [name, value] : trailers) {
    const ChecksumAlgorithm* a = ChecksumOfHeader(name);
    if (!a) continue;
    if (!any) merged = in.object();
    any = true;
    merged[a->member] = value;
  }
  return ReadRequestChecksum(any ? merged : in.object());
}

}  // namespace

Task<Result<BodyDigest>> S3Service::ReceiveBody(http::BodyStream& body,
                                                std::vector<const ChecksumAlgorithm*> algorithms) {
  if (auto length = body.length(); length && *length > kMaxUploadSize)
    co_return EntityTooLarge(*length, kMaxUploadSize);
  std::unique_ptr<storage::BlobWriter> writer = env_->blobs->NewWriter();
  DigestStream md5(DigestStream::Algorithm::kMd5);
  std::vector<std::unique_ptr<ChecksumStream>> sums;
  for (const ChecksumAlgorithm* a : algorithms)
    sums.push_back(std::make_unique<ChecksumStream>(*a));
  BodyDigest digest;
  std::string chunk;
  for (;;) {
    if (!co_await body.Read(&chunk)) {
      writer->Abort();
      co_return body.error() ? *body.error() : IncompleteBody();
    }
    if (chunk.empty()) break;
    digest.size += chunk.size();
    if (digest.size > kMaxUploadSize) {
      writer->Abort();
      co_return EntityTooLarge(digest.size, kMaxUploadSize);
    }
    md5.Update(chunk);
    for (auto& sum : sums) sum->Update(chunk);
    auto st = writer->Append(chunk);
    if (!st.ok()) {
      writer->Abort();
      co_return storage::StorageError(st);
    }
  }
  digest.md5 = md5.Final();
  for (size_t i = 0; i < sums.size(); ++i)
    digest.checksums.emplace_back(algorithms[i], sums[i]->Final());
  if (digest.size == 0) {
    writer->Abort();  // an empty object has no blob
    co_return digest;
  }
  std::string id = "s3/" + NewUuid();
  auto st = writer->Commit(id);
  if (!st.ok()) co_return storage::StorageError(st);
  digest.blob = std::move(id);
  co_return digest;
}

Task<Result<Document>> S3Service::PutObjectStreamed(RequestContext& ctx, const Input& in,
                                                    http::BodyStream& body) {
  auto plan = PlanPutObject(in);
  if (!plan) co_return std::move(plan).error();
  const ChecksumAlgorithm* algorithm = plan->checksum.algorithm;
  if (!algorithm) algorithm = TrailerAlgorithm(ctx);
  if (!algorithm) algorithm = FindChecksumAlgorithm("CRC64NVME");
  std::vector<const ChecksumAlgorithm*> algorithms{algorithm};
  auto received = co_await ReceiveBody(body, std::move(algorithms));
  if (!received) co_return std::move(received).error();
  Result<Document> result = errors::InternalFailure();
  auto cs = ChecksumWithTrailers(in, body.trailers());
  if (cs) {
    plan->checksum = std::move(*cs);
    result = FinishPutObject(ctx, in, std::move(*plan), *received);
  } else {
    result = std::move(cs).error();
  }
  if (!result && !received->blob.empty()) DeleteBlobs(std::vector<std::string>{received->blob});
  co_return result;
}

Task<Result<Document>> S3Service::UploadPartStreamed(RequestContext& ctx, const Input& in,
                                                     http::BodyStream& body) {
  auto plan = PlanUploadPart(in);
  if (!plan) co_return std::move(plan).error();
  // The upload's checksum (every part carries one) and the one the request sends, if another.
  std::vector<const ChecksumAlgorithm*> algorithms;
  if (const ChecksumAlgorithm* a = FindChecksumAlgorithm(plan->upload.checksum_algorithm))
    algorithms.push_back(a);
  const ChecksumAlgorithm* requested =
      plan->checksum.algorithm ? plan->checksum.algorithm : TrailerAlgorithm(ctx);
  if (requested && (algorithms.empty() || algorithms.front() != requested))
    algorithms.push_back(requested);
  auto received = co_await ReceiveBody(body, std::move(algorithms));
  if (!received) co_return std::move(received).error();
  Result<Document> result = errors::InternalFailure();
  auto cs = ChecksumWithTrailers(in, body.trailers());
  if (cs) {
    plan->checksum = std::move(*cs);
    result = FinishUploadPart(in, *plan, *received);
  } else {
    result = std::move(cs).error();
  }
  if (!result && !received->blob.empty()) DeleteBlobs(std::vector<std::string>{received->blob});
  co_return result;
}

}  // namespace nimbus::s3

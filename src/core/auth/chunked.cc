#include "core/auth/chunked.h"

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/auth/sigv4_internal.h"
#include "core/common/encoding.h"
#include "core/common/hashing.h"

namespace nimbus::auth {

namespace {

constexpr std::string_view kCrlf = "\r\n";
constexpr size_t kMaxLineSize = 4096;  // a chunk header or trailer line; SDK lines are < 200
constexpr size_t kMaxSizeDigits = 16;

std::optional<size_t> ParseHexSize(std::string_view text) {
  if (text.empty() || text.size() > kMaxSizeDigits || !internal::IsHex(text)) return std::nullopt;
  size_t value = 0;
  for (char c : text) {
    int digit = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    value = value * 16 + static_cast<size_t>(digit);
  }
  return value;
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The chunk-signature extension of a chunk header ("400;chunk-signature=<sig>"), if any.
std::optional<std::string_view> ChunkSignature(std::string_view extensions) {
  while (!extensions.empty()) {
    size_t semi = extensions.find(';');
    std::string_view ext = TrimSpaces(extensions.substr(0, semi));
    extensions = semi == std::string_view::npos ? "" : extensions.substr(semi + 1);
    size_t eq = ext.find('=');
    if (eq != std::string_view::npos && TrimSpaces(ext.substr(0, eq)) == "chunk-signature") {
      return TrimSpaces(ext.substr(eq + 1));
    }
  }
  return std::nullopt;
}

// `data_sha256` is the raw SHA-256 of the chunk's bytes.
std::string ExpectedChunkSignature(std::string_view key, std::string_view amz_date,
                                   std::string_view scope, std::string_view previous,
                                   std::string_view data_sha256) {
  std::string sts = "AWS4-HMAC-SHA256-PAYLOAD\n";
  sts.append(amz_date).append("\n").append(scope).append("\n").append(previous).append("\n");
  sts.append(internal::kEmptySha256).append("\n").append(HexEncode(data_sha256));
  return HexSignature(key, sts);
}

std::string ExpectedTrailerSignature(
    std::string_view key, std::string_view amz_date, std::string_view scope,
    std::string_view previous, const std::vector<std::pair<std::string, std::string>>& trailers) {
  std::string canonical;
  for (const auto& [name, value] : trailers)
    canonical.append(name).append(":").append(value).append("\n");
  std::string sts = "AWS4-HMAC-SHA256-TRAILER\n";
  sts.append(amz_date).append("\n").append(scope).append("\n").append(previous).append("\n");
  sts.append(HexEncode(Sha256(canonical)));
  return HexSignature(key, sts);
}

constexpr std::string_view kMismatchMessage =
    "The request signature we calculated does not match the signature you provided. Check "
    "your key and signing method.";

}  // namespace

AwsChunkedDecoder::AwsChunkedDecoder(PayloadMode mode, std::string signing_key,
                                     std::string amz_date, std::string scope,
                                     std::string seed_signature, long long decoded_length)
    : mode_(mode),
      signing_key_(std::move(signing_key)),
      amz_date_(std::move(amz_date)),
      scope_(std::move(scope)),
      previous_(std::move(seed_signature)),
      decoded_length_(decoded_length),
      signed_chunks_(mode == PayloadMode::kStreamingSigned ||
                     mode == PayloadMode::kStreamingSignedTrailer),
      with_trailer_(mode == PayloadMode::kStreamingSignedTrailer ||
                    mode == PayloadMode::kStreamingUnsignedTrailer),
      check_(!signing_key_.empty()) {
  if (!signed_chunks_ && !with_trailer_) Fail("The payload is not aws-chunked encoded.");
}

AwsChunkedDecoder::~AwsChunkedDecoder() = default;

bool AwsChunkedDecoder::Fail(std::string message) {
  state_ = State::kFailed;
  result_.malformed = true;
  result_.message = std::move(message);
  return false;
}

bool AwsChunkedDecoder::Mismatch() {
  state_ = State::kFailed;
  result_.auth = AuthResult{AuthFailure::kSignatureMismatch, std::string(kMismatchMessage)};
  result_.message = std::string(kMismatchMessage);
  return false;
}

bool AwsChunkedDecoder::Feed(std::string_view in, std::string* out) {
  size_t i = 0;
  while (i < in.size()) {
    switch (state_) {
      case State::kHeader:
      case State::kTrailer: {
        // A line ends at the first CRLF (a bare LF is part of it).
        size_t lf = in.find('\n', i);
        size_t take = (lf == std::string_view::npos ? in.size() : lf + 1) - i;
        line_.append(in.substr(i, take));
        i += take;
        if (line_.size() > kMaxLineSize + kCrlf.size())
          return Fail(state_ == State::kHeader ? "Incomplete chunk header."
                                               : "Incomplete trailing headers.");
        if (!line_.ends_with(kCrlf)) break;
        std::string line = std::move(line_);
        line_.clear();
        line.resize(line.size() - kCrlf.size());
        if (!(state_ == State::kHeader ? OnHeader(line) : OnTrailer(line))) return false;
        break;
      }
      case State::kData: {
        std::string_view data = in.substr(i, std::min<uint64_t>(remaining_, in.size() - i));
        if (chunk_hash_) chunk_hash_->Update(data);
        out->append(data);
        decoded_ += data.size();
        remaining_ -= data.size();
        i += data.size();
        if (remaining_ == 0) state_ = State::kDataEnd;
        break;
      }
      case State::kDataEnd: {
        while (line_.size() < kCrlf.size() && i < in.size()) line_ += in[i++];
        if (line_.size() < kCrlf.size()) break;
        if (line_ != kCrlf) return Fail("Incomplete chunk data.");
        line_.clear();
        if (!OnChunkEnd()) return false;
        state_ = State::kHeader;
        break;
      }
      case State::kDone:
        return Fail("Unexpected data after the final chunk.");
      case State::kFailed:
        return false;
    }
  }
  return state_ != State::kFailed;
}

bool AwsChunkedDecoder::OnHeader(std::string_view header) {
  size_t semi = header.find(';');
  std::optional<size_t> size = ParseHexSize(header.substr(0, semi));
  if (!size) return Fail("Invalid chunk size.");
  if (signed_chunks_) {
    auto signature = ChunkSignature(semi == std::string_view::npos ? "" : header.substr(semi + 1));
    if (!signature) return Fail("Missing chunk-signature.");
    chunk_signature_ = internal::ToLower(*signature);
  }
  if (decoded_length_ >= 0 && *size > static_cast<uint64_t>(decoded_length_) - decoded_)
    return Fail("The decoded body is longer than x-amz-decoded-content-length.");
  if (signed_chunks_ && check_) chunk_hash_ = std::make_unique<Sha256Stream>();
  if (*size == 0) {
    // The final chunk: no data, and its trailing section follows at once.
    if (!OnChunkEnd()) return false;
    state_ = State::kTrailer;
    return true;
  }
  remaining_ = *size;
  state_ = State::kData;
  return true;
}

bool AwsChunkedDecoder::OnChunkEnd() {
  if (!chunk_hash_) return true;
  std::string expected =
      ExpectedChunkSignature(signing_key_, amz_date_, scope_, previous_, chunk_hash_->Final());
  chunk_hash_.reset();
  if (!SignatureEquals(expected, chunk_signature_)) return Mismatch();
  previous_ = std::move(expected);
  return true;
}

bool AwsChunkedDecoder::OnTrailer(std::string_view line) {
  if (!line.empty()) {
    if (!with_trailer_) return Fail("Unexpected trailing header.");
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return Fail("Invalid trailing header.");
    std::string name = internal::ToLower(TrimSpaces(line.substr(0, colon)));
    std::string value(TrimSpaces(line.substr(colon + 1)));
    if (name == "x-amz-trailer-signature") {
      trailer_signature_ = internal::ToLower(value);
    } else {
      result_.trailers.emplace_back(std::move(name), std::move(value));
    }
    return true;
  }
  // The empty line that ends the body.
  if (decoded_length_ >= 0 && decoded_ != static_cast<uint64_t>(decoded_length_))
    return Fail("The decoded body is shorter than x-amz-decoded-content-length.");
  if (mode_ == PayloadMode::kStreamingSignedTrailer) {
    if (!trailer_signature_) return Fail("Missing x-amz-trailer-signature.");
    if (check_) {
      // SDKs sign the trailers in the order they write them; some sort them first.
      bool ok = SignatureEquals(
          ExpectedTrailerSignature(signing_key_, amz_date_, scope_, previous_, result_.trailers),
          *trailer_signature_);
      if (!ok && result_.trailers.size() > 1) {
        auto sorted = result_.trailers;
        std::sort(sorted.begin(), sorted.end());
        ok = SignatureEquals(
            ExpectedTrailerSignature(signing_key_, amz_date_, scope_, previous_, sorted),
            *trailer_signature_);
      }
      if (!ok) return Mismatch();
    }
  }
  state_ = State::kDone;
  return true;
}

bool AwsChunkedDecoder::Finish() {
  switch (state_) {
    case State::kDone:
      return true;
    case State::kFailed:
      return false;
    case State::kHeader:
      return Fail("Incomplete chunk header.");
    case State::kData:
    case State::kDataEnd:
      return Fail("Incomplete chunk data.");
    case State::kTrailer:
      return Fail("Incomplete trailing headers.");
  }
  return false;
}

ChunkedResult DecodeAwsChunked(std::string_view body, PayloadMode mode,
                               std::string_view signing_key, std::string_view amz_date,
                               std::string_view scope, std::string_view seed_signature,
                               long long decoded_length) {
  AwsChunkedDecoder decoder(mode, std::string(signing_key), std::string(amz_date),
                            std::string(scope), std::string(seed_signature), decoded_length);
  std::string payload;
  if (decoded_length >= 0)
    payload.reserve(std::min(body.size(), static_cast<size_t>(decoded_length)));
  if (decoder.Feed(body, &payload)) decoder.Finish();
  ChunkedResult result = std::move(decoder.result());
  result.payload = std::move(payload);
  return result;
}

}  // namespace nimbus::auth

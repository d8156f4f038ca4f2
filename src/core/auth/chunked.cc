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

// Walks the body; every read is bounds-checked against `body`.
class ChunkReader {
 public:
  explicit ChunkReader(std::string_view body) : body_(body) {}

  // The next CRLF-terminated line without its CRLF; nullopt if there is none within bounds.
  std::optional<std::string_view> Line() {
    std::string_view rest = body_.substr(pos_, kMaxLineSize + kCrlf.size());
    size_t end = rest.find(kCrlf);
    if (end == std::string_view::npos) return std::nullopt;
    pos_ += end + kCrlf.size();
    return rest.substr(0, end);
  }

  // `n` bytes followed by CRLF; nullopt if the body is shorter or the CRLF is missing.
  std::optional<std::string_view> Data(size_t n) {
    if (body_.size() - pos_ < n || body_.size() - pos_ - n < kCrlf.size()) return std::nullopt;
    if (body_.substr(pos_ + n, kCrlf.size()) != kCrlf) return std::nullopt;
    std::string_view data = body_.substr(pos_, n);
    pos_ += n + kCrlf.size();
    return data;
  }

  size_t Remaining() const { return body_.size() - pos_; }

 private:
  std::string_view body_;
  size_t pos_ = 0;
};

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

std::string ExpectedChunkSignature(std::string_view key, std::string_view amz_date,
                                   std::string_view scope, std::string_view previous,
                                   std::string_view data) {
  std::string sts = "AWS4-HMAC-SHA256-PAYLOAD\n";
  sts.append(amz_date).append("\n").append(scope).append("\n").append(previous).append("\n");
  sts.append(internal::kEmptySha256).append("\n").append(HexEncode(Sha256(data)));
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

ChunkedResult Malformed(ChunkedResult result, std::string message) {
  result.malformed = true;
  result.message = std::move(message);
  return result;
}

ChunkedResult Mismatch(ChunkedResult result) {
  std::string message =
      "The request signature we calculated does not match the signature you provided. Check "
      "your key and signing method.";
  result.auth = AuthResult{AuthFailure::kSignatureMismatch, message};
  result.message = std::move(message);
  return result;
}

}  // namespace

ChunkedResult DecodeAwsChunked(std::string_view body, PayloadMode mode,
                               std::string_view signing_key, std::string_view amz_date,
                               std::string_view scope, std::string_view seed_signature,
                               long long decoded_length) {
  ChunkedResult result;
  const bool signed_chunks =
      mode == PayloadMode::kStreamingSigned || mode == PayloadMode::kStreamingSignedTrailer;
  const bool with_trailer = mode == PayloadMode::kStreamingSignedTrailer ||
                            mode == PayloadMode::kStreamingUnsignedTrailer;
  if (!signed_chunks && !with_trailer) {
    return Malformed(std::move(result), "The payload is not aws-chunked encoded.");
  }
  const bool check = !signing_key.empty();
  if (decoded_length >= 0) {
    result.payload.reserve(std::min(body.size(), static_cast<size_t>(decoded_length)));
  }

  ChunkReader reader(body);
  std::string previous(seed_signature);
  while (true) {
    std::optional<std::string_view> header = reader.Line();
    if (!header) return Malformed(std::move(result), "Incomplete chunk header.");
    size_t semi = header->find(';');
    std::optional<size_t> size = ParseHexSize(header->substr(0, semi));
    if (!size) return Malformed(std::move(result), "Invalid chunk size.");
    if (*size > reader.Remaining()) {
      return Malformed(std::move(result), "The chunk is larger than the rest of the body.");
    }
    std::optional<std::string_view> signature;
    if (signed_chunks) {
      signature = ChunkSignature(semi == std::string_view::npos ? "" : header->substr(semi + 1));
      if (!signature) return Malformed(std::move(result), "Missing chunk-signature.");
    }
    std::string_view data;
    if (*size > 0) {
      std::optional<std::string_view> chunk = reader.Data(*size);
      if (!chunk) return Malformed(std::move(result), "Incomplete chunk data.");
      data = *chunk;
    }
    if (signed_chunks && check) {
      std::string expected = ExpectedChunkSignature(signing_key, amz_date, scope, previous, data);
      if (!SignatureEquals(expected, internal::ToLower(*signature))) {
        return Mismatch(std::move(result));
      }
      previous = std::move(expected);
    }
    if (decoded_length >= 0 &&
        result.payload.size() + data.size() > static_cast<size_t>(decoded_length)) {
      return Malformed(std::move(result),
                       "The decoded body is longer than x-amz-decoded-content-length.");
    }
    result.payload.append(data);
    if (*size == 0) break;
  }

  // Trailing headers, then the empty line that ends the body.
  std::optional<std::string> trailer_signature;
  while (true) {
    std::optional<std::string_view> line = reader.Line();
    if (!line) return Malformed(std::move(result), "Incomplete trailing headers.");
    if (line->empty()) break;
    if (!with_trailer) return Malformed(std::move(result), "Unexpected trailing header.");
    size_t colon = line->find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return Malformed(std::move(result), "Invalid trailing header.");
    }
    std::string name = internal::ToLower(TrimSpaces(line->substr(0, colon)));
    std::string value(TrimSpaces(line->substr(colon + 1)));
    if (name == "x-amz-trailer-signature") {
      trailer_signature = internal::ToLower(value);
    } else {
      result.trailers.emplace_back(std::move(name), std::move(value));
    }
  }
  if (reader.Remaining() != 0) {
    return Malformed(std::move(result), "Unexpected data after the final chunk.");
  }
  if (decoded_length >= 0 && result.payload.size() != static_cast<size_t>(decoded_length)) {
    return Malformed(std::move(result),
                     "The decoded body is shorter than x-amz-decoded-content-length.");
  }

  if (mode == PayloadMode::kStreamingSignedTrailer) {
    if (!trailer_signature) return Malformed(std::move(result), "Missing x-amz-trailer-signature.");
    if (check) {
      // SDKs sign the trailers in the order they write them; some sort them first.
      bool ok = SignatureEquals(
          ExpectedTrailerSignature(signing_key, amz_date, scope, previous, result.trailers),
          *trailer_signature);
      if (!ok && result.trailers.size() > 1) {
        auto sorted = result.trailers;
        std::sort(sorted.begin(), sorted.end());
        ok = SignatureEquals(
            ExpectedTrailerSignature(signing_key, amz_date, scope, previous, sorted),
            *trailer_signature);
      }
      if (!ok) return Mismatch(std::move(result));
    }
  }
  return result;
}

}  // namespace nimbus::auth

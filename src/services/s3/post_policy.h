#pragma once

// Browser form uploads (S3 API reference, "POST Object" and "Creating a POST policy"): the
// multipart/form-data body, and the policy document whose conditions every form field must meet.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/clock.h"
#include "core/common/document.h"
#include "core/common/result.h"

namespace nimbus::s3 {

struct FormField {
  std::string name;  // lowercase
  std::string value;
  bool is_file = false;      // the field named "file"
  std::string filename;      // file field only
  std::string content_type;  // the part's Content-Type, file field only
};

// What S3 takes before the file field: the fields and multipart framing that precede the
// file's bytes (MaxPostPreDataLengthExceeded beyond it).
inline constexpr size_t kMaxPostPreDataBytes = 20480;

// An incremental multipart/form-data parser (RFC 7578) for browser uploads, fed the body as it
// arrives. The fields before the file are collected whole; the file's bytes are handed out as
// they come, so an upload of any size passes through a bounded buffer; whatever follows the
// file is skipped, as S3 ignores it.
class FormParser {
 public:
  enum class State {
    kFields,     // before the file's content
    kFile,       // inside the file's content
    kAfterFile,  // the file ended; the rest is skipped
    kEnded,      // the closing delimiter came before any file
    kMalformed,
    kTooLarge,  // more than kMaxPostPreDataBytes before the file
  };
  // False when `content_type` names no boundary.
  bool Start(std::string_view content_type);
  // Consumes the next piece of the body; bytes of the file's content in it are appended to
  // `*file_bytes`. Returns the state after it.
  State Feed(std::string_view data, std::string* file_bytes);
  // The body has ended: kMalformed unless the form was complete.
  State Finish();
  State state() const { return state_; }
  // The fields seen so far, in order; the file's (with an empty value) last once it began.
  std::vector<FormField>& fields() { return fields_; }

 private:
  bool ParsePartHeaders(std::string_view headers);
  State Step(std::string* file_bytes);  // consumes buf_ as far as it can

  State state_ = State::kMalformed;
  enum class Place { kPreamble, kAfterDelimiter, kHeaders, kValue } place_ = Place::kPreamble;
  std::string delimiter_;  // "\r\n--" + boundary
  std::string buf_;        // bytes not yet consumed
  size_t pre_data_ = 0;    // bytes consumed before the file
  std::vector<FormField> fields_;
};

// The value of field `name` (lowercase) or nullptr.
const FormField* FindField(const std::vector<FormField>& fields, std::string_view name);

// Checks `policy` (the decoded JSON policy document) against the upload: its expiration, each
// condition ({"field": "value"}, ["eq"|"starts-with", "$field", "value"],
// ["content-length-range", min, max]) and that every form field but the exempt ones
// (file, policy, signatures, x-ignore-*) is named by a condition. AccessDenied "Invalid
// according to Policy: ..." on failure; EntityTooSmall/EntityTooLarge for the length range;
// InvalidPolicyDocument for a policy that is not one.
Status CheckPostPolicy(const json::value& policy, const std::vector<FormField>& fields,
                       std::string_view bucket, std::string_view key, uint64_t size,
                       Clock::TimePoint now);

}  // namespace nimbus::s3

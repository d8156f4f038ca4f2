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

// Splits a multipart/form-data body (RFC 7578) into its fields, in order; fields after the
// file are dropped, as S3 ignores them. False when `content_type` names no boundary or the body
// is not well formed.
bool ParseMultipartForm(std::string_view content_type, std::string_view body,
                        std::vector<FormField>* fields);

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

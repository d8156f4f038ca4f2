#pragma once

#include <string_view>

namespace nimbus::s3 {

// S3's general purpose bucket naming rules (Amazon S3 User Guide, "Bucket naming rules"):
// 3 to 63 characters of lowercase letters, digits, '.' and '-'; starts and ends with a letter or
// digit; no "..", not an IPv4 address, none of the reserved prefixes (xn--, sthree-,
// amzn-s3-demo-) and suffixes (-s3alias, --ol-s3, .mrap, --x-s3, --table-s3).
bool IsValidBucketName(std::string_view name);

}  // namespace nimbus::s3

#pragma once

#include <string>
#include <string_view>

#include "core/common/document.h"

namespace nimbus::dynamodb {

// The stored form of an item: a varint with the item's DynamoDB size, then the attributes in a
// compact tagged binary encoding (no JSON parsing on the read path; raw bytes for B values).

// Appends the stored form of a validated item whose DynamoDB size is `item_size`.
void EncodeItem(const json::object& item, size_t item_size, std::string* out);
// Decodes a stored item; false when the bytes are malformed (corruption).
bool DecodeItem(std::string_view bytes, json::object* item);
// The size header alone (cheap; for DescribeTable sizes and capacity).
bool DecodeItemSize(std::string_view bytes, size_t* item_size);

// Varints (LEB128), shared with the key encodings.
void AppendVarint(std::string* out, uint64_t v);
bool ConsumeVarint(std::string_view* in, uint64_t* v);

}  // namespace nimbus::dynamodb

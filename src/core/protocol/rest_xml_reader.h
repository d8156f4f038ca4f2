#pragma once

#include <string_view>

#include "core/common/document.h"
#include "core/common/result.h"
#include "core/protocol/model.h"

namespace nimbus::protocol {

// Reads a rest-xml request body into a document of `shape` (botocore RestXMLSerializer is the
// writer this mirrors). The root element's name is not checked; its content is decoded as
// `shape`: structure members matched by element local name (namespace prefixes ignored; only
// members without an HTTP location), xmlAttribute members from the element's attributes, lists
// wrapped (items of any element name) or flattened (the member's element repeated), maps as
// <entry><key/><value/></entry> or flattened, scalars from the element text (booleans
// "true"/"false", ISO 8601 timestamps, base64 blobs). Unknown elements are ignored.
//
// Malformed XML, invalid UTF-8, nesting deeper than 64 elements or a value that is not of its
// member's type answer MalformedXML (400) with S3's message.
Result<Document> ReadXmlBody(std::string_view xml, const Shape& shape);

}  // namespace nimbus::protocol

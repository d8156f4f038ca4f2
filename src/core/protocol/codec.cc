#include "core/protocol/codec.h"

namespace nimbus::protocol {

const Codec* JsonCodecInstance();
const Codec* QueryCodecInstance();
const Codec* RestJsonCodecInstance();
const Codec* RestXmlCodecInstance();

const Codec* CodecFor(std::string_view protocol) {
  if (protocol == "json") return JsonCodecInstance();
  if (protocol == "query") return QueryCodecInstance();
  if (protocol == "rest-json") return RestJsonCodecInstance();
  if (protocol == "rest-xml") return RestXmlCodecInstance();
  return nullptr;
}

}  // namespace nimbus::protocol

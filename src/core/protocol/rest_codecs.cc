// rest-json and rest-xml: placeholder codecs until the REST protocol layer lands. They resolve
// no operation, so requests to REST services answer a clear not-implemented error.
#include "core/protocol/codec.h"

namespace nimbus::protocol {
namespace {
class PendingRestCodec final : public Codec {
 public:
  explicit PendingRestCodec(bool xml) : xml_(xml) {}
  Result<const Operation*> ResolveOperation(const ServiceModel& model,
                                            const http::Request&) const override {
    return ApiError("NotImplemented", 501,
                    "The " + model.protocol + " protocol of " + model.name +
                        " is not implemented by nimbus yet.", false);
  }
  Result<Document> DecodeInput(const ServiceModel&, const Operation&,
                               const http::Request&) const override {
    return ApiError("NotImplemented", 501, "not implemented", false);
  }
  void EncodeOutput(const ServiceModel&, const Operation&, Document&, std::string_view,
                    http::Response* response) const override {
    response->status = 501;
  }
  void EncodeError(const ServiceModel&, const ApiError& error, std::string_view request_id,
                   http::Response* response) const override {
    response->status = error.http_status;
    response->SetHeader("x-amzn-RequestId", request_id);
    if (xml_) {
      response->SetHeader("content-type", "application/xml");
      response->body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + error.code +
                       "</Code><Message>" + error.message + "</Message><RequestId>" +
                       std::string(request_id) + "</RequestId></Error>";
    } else {
      response->SetHeader("content-type", "application/json");
      response->SetHeader("x-amzn-ErrorType", error.code);
      response->body = "{\"message\":\"" + error.message + "\"}";
    }
  }

 private:
  bool xml_;
};
}  // namespace

const Codec* RestJsonCodecInstance() {
  static const PendingRestCodec codec(false);
  return &codec;
}
const Codec* RestXmlCodecInstance() {
  static const PendingRestCodec codec(true);
  return &codec;
}

}  // namespace nimbus::protocol

#pragma once

// Builders for the rest-json / rest-xml codec tests: requests laid out as botocore sends them.

#include <boost/json.hpp>
#include <cctype>
#include <string>
#include <utility>

#include "core/http/http_types.h"
#include "core/protocol/codec.h"
#include "core/protocol/model.h"

namespace nimbus::protocol::testing {

// A request for `target` ("/path?query"); header names are lowercased as the HTTP layer does.
inline http::Request MakeRequest(std::string method, std::string target,
                                 http::HeaderList headers = {}, std::string body = {},
                                 std::string host = "localhost:4566") {
  http::Request r;
  r.method = std::move(method);
  r.target = target;
  auto q = target.find('?');
  r.path = target.substr(0, q);
  if (q != std::string::npos) r.query = target.substr(q + 1);
  r.headers.emplace_back("host", std::move(host));
  for (auto& [k, v] : headers) {
    std::string name = k;
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers.emplace_back(std::move(name), std::move(v));
  }
  r.body = std::move(body);
  return r;
}

// The operation name the codec resolves `request` to, or "<Code>" of the error.
inline std::string Resolve(const Codec& codec, const ServiceModel& model,
                           const http::Request& request) {
  auto op = codec.ResolveOperation(model, request);
  if (!op) return "<" + op.error().code + ">";
  return (*op)->name;
}

inline Document Json(std::string_view text) { return boost::json::parse(text); }

}  // namespace nimbus::protocol::testing

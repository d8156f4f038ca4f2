#pragma once

#include <boost/json.hpp>

#include "core/http/http_types.h"

namespace nimbus {

// A JSON answer of nimbus's own endpoints (/_nimbus/*, /_localstack/*).
inline http::Response JsonResponse(int status, const boost::json::value& body) {
  http::Response r;
  r.status = status;
  r.SetHeader("content-type", "application/json");
  r.body = boost::json::serialize(body);
  return r;
}

}  // namespace nimbus

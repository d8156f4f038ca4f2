#pragma once

#include <string>
#include <string_view>

#include "core/http/http_types.h"

namespace nimbus::http {

// The status line and header block of a plain answer (`out.body`, no body source or stream),
// byte for byte as the server's Beast message would write it: the handler's headers in order
// (values trimmed of spaces and tabs), a Date of `date` unless the handler set one, a Connection
// field as `close` and the request's HTTP `version` (10 or 11) call for, and a Content-Length of
// the body's size (for HEAD: unless the handler set one, which then stays; for 1xx, 204 and 304:
// none, and the handler's is dropped). Appends to `*head` and sets `*send_body` when the body
// goes out after it. False, with `*head` unchanged, for the answers it leaves to Beast: a status
// outside 100-999, a handler's Connection or Transfer-Encoding field, a name given twice (Beast
// groups repeats), a name or value over 65,533 bytes.
bool AppendResponseHead(const Response& out, unsigned version, bool close, bool head_request,
                        std::string_view date, std::string* head, bool* send_body);

}  // namespace nimbus::http

#include "core/auth/credentials.h"

#include <boost/json.hpp>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <system_error>
#include <unordered_set>
#include <utility>
#include <vector>

namespace nimbus::auth {

namespace {

bool IsAccountId(std::string_view s) {
  if (s.size() != 12) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

void FillDefaults(Credential* credential) {
  if (credential->principal_arn.empty()) {
    credential->principal_arn = "arn:aws:iam::" + credential->account_id + ":root";
  }
}

// Reads member `name` of `entry` as a string into `*out`; false if present but not a string, or
// absent while `required`.
bool ReadString(const boost::json::object& entry, std::string_view name, bool required,
                std::string* out, std::string* error) {
  const boost::json::value* value = entry.if_contains(name);
  if (value == nullptr) {
    if (!required) return true;
    *error = "missing \"" + std::string(name) + "\"";
    return false;
  }
  const boost::json::string* text = value->if_string();
  if (text == nullptr || (required && text->empty())) {
    *error = "\"" + std::string(name) +
             (required ? "\" must be a non-empty string" : "\" must be a string");
    return false;
  }
  out->assign(text->data(), text->size());
  return true;
}

}  // namespace

bool CredentialStore::LoadFile(const std::string& path, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot open credentials file " + path;
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    *error = "cannot read credentials file " + path;
    return false;
  }

  boost::system::error_code ec;
  boost::json::value root = boost::json::parse(text.str(), ec);
  if (ec) {
    *error = path + ": invalid JSON: " + ec.message();
    return false;
  }
  const boost::json::array* entries = root.if_array();
  if (entries == nullptr) {
    *error = path + ": expected a JSON list of credentials";
    return false;
  }

  // Validate everything before adding anything, so a bad file changes nothing.
  std::vector<Credential> loaded;
  std::unordered_set<std::string> seen;
  for (size_t i = 0; i < entries->size(); ++i) {
    std::string where = path + ": entry " + std::to_string(i) + ": ";
    const boost::json::object* entry = (*entries)[i].if_object();
    if (entry == nullptr) {
      *error = where + "expected an object";
      return false;
    }
    Credential credential;
    std::string problem;
    if (!ReadString(*entry, "access_key_id", true, &credential.access_key_id, &problem) ||
        !ReadString(*entry, "secret_access_key", true, &credential.secret_access_key, &problem) ||
        !ReadString(*entry, "account_id", true, &credential.account_id, &problem) ||
        !ReadString(*entry, "session_token", false, &credential.session_token, &problem) ||
        !ReadString(*entry, "principal_arn", false, &credential.principal_arn, &problem)) {
      *error = where + problem;
      return false;
    }
    if (!IsAccountId(credential.account_id)) {
      *error = where + "\"account_id\" must be 12 digits";
      return false;
    }
    if (!seen.insert(credential.access_key_id).second) {
      *error = where + "duplicate access_key_id " + credential.access_key_id;
      return false;
    }
    FillDefaults(&credential);
    loaded.push_back(std::move(credential));
  }

  std::unique_lock lock(mu_);
  for (Credential& credential : loaded) {
    std::string key = credential.access_key_id;
    by_key_.insert_or_assign(std::move(key), std::move(credential));
  }
  return true;
}

void CredentialStore::Add(Credential credential) {
  FillDefaults(&credential);
  std::unique_lock lock(mu_);
  std::string key = credential.access_key_id;
  by_key_.insert_or_assign(std::move(key), std::move(credential));
}

void CredentialStore::Remove(std::string_view access_key_id) {
  std::unique_lock lock(mu_);
  by_key_.erase(std::string(access_key_id));
}

std::optional<Credential> CredentialStore::Find(std::string_view access_key_id) const {
  std::shared_lock lock(mu_);
  auto it = by_key_.find(std::string(access_key_id));
  if (it == by_key_.end()) return std::nullopt;
  return it->second;
}

}  // namespace nimbus::auth

#pragma once

#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace nimbus::auth {

struct Credential {
  std::string access_key_id;
  std::string secret_access_key;
  std::string account_id;
  std::string session_token;  // set for temporary (STS) credentials
  std::string principal_arn;  // "arn:aws:iam::<account>:root" unless known
  std::string user_id;        // GetCallerIdentity's UserId; empty means the account id (root)
  double expires_at = 0;      // epoch seconds after which the key is refused; 0: never
};

// Access keys known to this server: those from --credentials, plus keys made at run time by
// IAM CreateAccessKey and STS AssumeRole/GetSessionToken. Thread-safe.
class CredentialStore {
 public:
  // Loads a JSON list of {"access_key_id","secret_access_key","account_id"} objects. On failure
  // returns false with a message in `*error`.
  bool LoadFile(const std::string& path, std::string* error);
  void Add(Credential credential);
  void Remove(std::string_view access_key_id);
  std::optional<Credential> Find(std::string_view access_key_id) const;

 private:
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, Credential> by_key_;
};

}  // namespace nimbus::auth

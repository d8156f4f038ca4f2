#include "services/execute_api/authorizer.h"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <boost/json.hpp>

#include "core/common/encoding.h"

namespace nimbus::execute_api {
namespace {

std::string Base64Url(std::string_view bytes) {
  std::string b = Base64Encode(bytes);
  for (auto& c : b) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!b.empty() && b.back() == '=') b.pop_back();
  return b;
}

// A 2048-bit RSA key made for the test, its JWK and RS256 signing.
class RsaKey {
 public:
  RsaKey() : key_(EVP_RSA_gen(2048)) {}
  ~RsaKey() { EVP_PKEY_free(key_); }

  json::object Jwk(std::string_view kid) const {
    return json::object{{"kty", "RSA"},
                        {"kid", kid},
                        {"n", Param(OSSL_PKEY_PARAM_RSA_N)},
                        {"e", Param(OSSL_PKEY_PARAM_RSA_E)}};
  }

  std::string Sign(std::string_view data) const {
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    size_t len = 0;
    EVP_DigestSignInit(md, nullptr, EVP_sha256(), nullptr, key_);
    EVP_DigestSign(md, nullptr, &len, reinterpret_cast<const unsigned char*>(data.data()),
                   data.size());
    std::string sig(len, '\0');
    EVP_DigestSign(md, reinterpret_cast<unsigned char*>(sig.data()), &len,
                   reinterpret_cast<const unsigned char*>(data.data()), data.size());
    EVP_MD_CTX_free(md);
    sig.resize(len);
    return sig;
  }

  std::string Token(const json::object& header, const json::object& claims) const {
    std::string input =
        Base64Url(json::serialize(header)) + "." + Base64Url(json::serialize(claims));
    return input + "." + Base64Url(Sign(input));
  }

 private:
  std::string Param(const char* name) const {
    BIGNUM* bn = nullptr;
    EVP_PKEY_get_bn_param(key_, name, &bn);
    std::string bytes(BN_num_bytes(bn), '\0');
    BN_bn2bin(bn, reinterpret_cast<unsigned char*>(bytes.data()));
    BN_free(bn);
    return Base64Url(bytes);
  }
  EVP_PKEY* key_;
};

TEST(JwtTest, Base64UrlDecoding) {
  EXPECT_EQ(Base64UrlDecode("aGk"), "hi");
  EXPECT_EQ(Base64UrlDecode("-_8"), std::string("\xfb\xff", 2));
  EXPECT_FALSE(Base64UrlDecode("aGk="));  // no padding in JWS
  EXPECT_FALSE(Base64UrlDecode("+/8"));   // the standard alphabet is not base64url
  EXPECT_FALSE(Base64UrlDecode("a"));
  EXPECT_FALSE(Base64UrlDecode("a*b"));
  EXPECT_EQ(Base64UrlDecode(""), "");
}

TEST(JwtTest, ParseRejectsMalformedTokens) {
  std::string h = Base64Url(R"({"alg":"RS256"})");
  std::string c = Base64Url(R"({"sub":"u"})");
  auto jwt = ParseJwt(h + "." + c + ".c2ln");
  ASSERT_TRUE(jwt);
  EXPECT_EQ(jwt->header.at("alg"), "RS256");
  EXPECT_EQ(jwt->claims.at("sub"), "u");
  EXPECT_EQ(jwt->signing_input, h + "." + c);
  EXPECT_EQ(jwt->signature, "sig");
  for (std::string bad : {std::string(""), std::string("abc"), h + "." + c, h + "." + c + ".c2ln.x",
                          "!!." + c + ".c2ln", h + ".%%.c2ln", Base64Url("[1]") + "." + c + ".c2ln",
                          h + "." + Base64Url("nope") + ".x", h + "." + c + ".a"})
    EXPECT_FALSE(ParseJwt(bad)) << bad;
}

TEST(JwtTest, Rs256Signatures) {
  RsaKey key, other;
  std::string sig = key.Sign("payload");
  EXPECT_TRUE(VerifyRs256("payload", sig, key.Jwk("k")));
  EXPECT_FALSE(VerifyRs256("payload!", sig, key.Jwk("k")));
  EXPECT_FALSE(VerifyRs256("payload", sig, other.Jwk("k")));
  EXPECT_FALSE(VerifyRs256("payload", "", key.Jwk("k")));
  json::object jwk = key.Jwk("k");
  jwk["kty"] = "EC";
  EXPECT_FALSE(VerifyRs256("payload", sig, jwk));
  jwk = key.Jwk("k");
  jwk["n"] = "AQAB";  // too small a modulus
  EXPECT_FALSE(VerifyRs256("payload", sig, jwk));
  jwk = key.Jwk("k");
  jwk["e"] = "!!";
  EXPECT_FALSE(VerifyRs256("payload", sig, jwk));
  EXPECT_FALSE(VerifyRs256("payload", sig, json::object{}));
}

TEST(JwtTest, ClaimChecks) {
  JwtRules rules{"http://issuer", {"app1", "app2"}, {}, 1000};
  json::object good{{"iss", "http://issuer"}, {"aud", "app1"}, {"exp", 2000}, {"iat", 900}};
  EXPECT_EQ(CheckJwtClaims(good, rules).verdict, Verdict::kAllow);

  auto with = [&](std::string_view k, json::value v) {
    json::object c = good;
    c[k] = std::move(v);
    return CheckJwtClaims(c, rules);
  };
  EXPECT_EQ(with("iss", "http://other").description, "the token does not have a valid issuer");
  EXPECT_EQ(with("aud", "app3").description, "the token does not have a valid audience");
  EXPECT_EQ(with("aud", json::array{"x", "app2"}).verdict, Verdict::kAllow);
  EXPECT_EQ(with("exp", 1000).description, "the token has expired");
  EXPECT_EQ(with("exp", "2000").description, "the token has expired");
  EXPECT_EQ(with("nbf", 1061).verdict, Verdict::kUnauthorized);
  EXPECT_EQ(with("nbf", 1030).verdict, Verdict::kAllow);  // a minute of leeway
  EXPECT_EQ(with("iat", 1060).verdict, Verdict::kAllow);
  EXPECT_EQ(with("nbf", 999.5).verdict, Verdict::kAllow);
  EXPECT_EQ(with("iat", 5000).verdict, Verdict::kUnauthorized);
  json::object no_exp = good;
  no_exp.erase("exp");
  EXPECT_EQ(CheckJwtClaims(no_exp, rules).verdict, Verdict::kUnauthorized);

  // client_id counts only without aud.
  json::object client = good;
  client.erase("aud");
  client["client_id"] = "app2";
  EXPECT_EQ(CheckJwtClaims(client, rules).verdict, Verdict::kAllow);
  client["aud"] = "nope";
  EXPECT_EQ(CheckJwtClaims(client, rules).verdict, Verdict::kUnauthorized);

  // Any one of the route's scopes suffices; none is 403.
  rules.scopes = {"read", "write"};
  EXPECT_EQ(CheckJwtClaims(good, rules).verdict, Verdict::kForbidden);
  EXPECT_EQ(with("scope", "admin write").verdict, Verdict::kAllow);
  EXPECT_EQ(with("scp", json::array{"read"}).verdict, Verdict::kAllow);
  EXPECT_EQ(with("scope", "readwrite").verdict, Verdict::kForbidden);
}

TEST(JwtTest, ScopesAndStringClaims) {
  EXPECT_EQ(TokenScopes(json::object{{"scope", " a  b "}}), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(TokenScopes(json::object{{"scp", "c d"}}), (std::vector<std::string>{"c", "d"}));
  EXPECT_TRUE(TokenScopes(json::object{{"scope", 5}}).empty());
  json::object claims{{"sub", "u1"},
                      {"exp", 1700000000},
                      {"admin", true},
                      {"groups", json::array{"a", "b"}},
                      {"obj", json::object{{"k", 1}}}};
  json::object s = StringClaims(claims);
  EXPECT_EQ(s.at("sub"), "u1");
  EXPECT_EQ(s.at("exp"), "1700000000");
  EXPECT_EQ(s.at("admin"), "true");
  EXPECT_EQ(s.at("groups"), "[a b]");
  EXPECT_EQ(s.at("obj"), R"({"k":1})");
}

TEST(JwtTest, SignedTokensVerifyAndTamperedOnesFail) {
  RsaKey key;
  std::string token = key.Token(json::object{{"alg", "RS256"}, {"kid", "k1"}},
                                json::object{{"iss", "http://i"}, {"aud", "a"}, {"exp", 2000}});
  auto jwt = ParseJwt(token);
  ASSERT_TRUE(jwt);
  EXPECT_TRUE(VerifyRs256(jwt->signing_input, jwt->signature, key.Jwk("k1")));
  // The same signature over other claims.
  std::string tampered = token.substr(0, token.find('.') + 1) +
                         Base64Url(R"({"iss":"http://i","aud":"a","exp":3000})") +
                         token.substr(token.rfind('.'));
  auto bad = ParseJwt(tampered);
  ASSERT_TRUE(bad);
  EXPECT_FALSE(VerifyRs256(bad->signing_input, bad->signature, key.Jwk("k1")));
}

TEST(PolicyTest, WildcardMatching) {
  EXPECT_TRUE(WildcardMatch("*", ""));
  EXPECT_TRUE(WildcardMatch("arn:aws:execute-api:*:*:api/*/GET/*",
                            "arn:aws:execute-api:us-east-1:1:api/prod/GET/pets/1"));
  EXPECT_FALSE(WildcardMatch("arn:aws:execute-api:*:*:api/*/GET/*",
                             "arn:aws:execute-api:us-east-1:1:api/prod/POST/pets"));
  EXPECT_TRUE(WildcardMatch("a?c", "abc"));
  EXPECT_FALSE(WildcardMatch("a?c", "ac"));
  EXPECT_TRUE(WildcardMatch("a*b*c", "aXXbYYc"));
  EXPECT_FALSE(WildcardMatch("a*b*c", "aXXbYY"));
  // Long hostile inputs finish quickly.
  EXPECT_FALSE(WildcardMatch(std::string(50, '*') + "b", std::string(100000, 'a')));
}

TEST(PolicyTest, ExplicitDenyWinsAndNothingMatchingIsNone) {
  std::string arn = "arn:aws:execute-api:us-east-1:123:api/prod/GET/pets";
  auto policy = [](std::string_view text) { return json::parse(text); };
  EXPECT_EQ(
      EvaluatePolicy(
          policy(
              R"({"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"arn:aws:execute-api:us-east-1:123:api/*"}]})"),
          arn),
      PolicyEffect::kAllow);
  EXPECT_EQ(
      EvaluatePolicy(
          policy(
              R"({"Statement":{"Action":["execute-api:*"],"Effect":"Allow","Resource":["x","*"]}})"),
          arn),
      PolicyEffect::kAllow);
  EXPECT_EQ(
      EvaluatePolicy(
          policy(
              R"({"Statement":[{"Action":"*","Effect":"Allow","Resource":"*"},{"Action":"execute-api:Invoke","Effect":"Deny","Resource":"*/POST/*"}]})"),
          arn),
      PolicyEffect::kAllow);  // the Deny's resource does not match the ARN
  EXPECT_EQ(
      EvaluatePolicy(
          policy(
              R"({"Statement":[{"Action":"*","Effect":"Allow","Resource":"*"},{"Action":"execute-api:Invoke","Effect":"Deny","Resource":"arn:*/GET/*"}]})"),
          arn),
      PolicyEffect::kDeny);
  EXPECT_EQ(
      EvaluatePolicy(
          policy(R"({"Statement":[{"Action":"s3:GetObject","Effect":"Allow","Resource":"*"}]})"),
          arn),
      PolicyEffect::kNone);
  EXPECT_EQ(
      EvaluatePolicy(
          policy(
              R"({"Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"arn:aws:execute-api:us-east-1:123:api/prod/POST/*"}]})"),
          arn),
      PolicyEffect::kNone);
  EXPECT_EQ(EvaluatePolicy(policy(R"({"Statement":"nope"})"), arn), PolicyEffect::kNone);
  EXPECT_EQ(EvaluatePolicy(policy("[]"), arn), PolicyEffect::kNone);
}

TEST(AuthorizerCacheTest, ResultsExpire) {
  AuthorizerCache cache;
  cache.Put("k", json::value("r"), 1000);
  EXPECT_EQ(cache.Get("k", 999), json::value("r"));
  EXPECT_FALSE(cache.Get("k", 1000));
  EXPECT_FALSE(cache.Get("other", 0));
  cache.Put("k", json::value("r2"), 5000);
  cache.Clear();
  EXPECT_FALSE(cache.Get("k", 0));
}

}  // namespace
}  // namespace nimbus::execute_api

#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/router/service.h"
#include "core/storage/kv_store.h"
#include "services/dynamodb/expressions/cache.h"
#include "services/dynamodb/streams/stream_records.h"
#include "services/dynamodb/table/catalog.h"
#include "services/dynamodb/table/item_store.h"

namespace nimbus::dynamodb {

// Everything the DynamoDB operations share: storage, the table catalog, item locks and the
// parsed-expression cache. Owned by the service; outlives every request.
struct State {
  ServiceEnv* env = nullptr;
  Catalog catalog;
  ItemLocks locks;
  expr::ExpressionCache expressions;
  StreamSequencer sequencer;
  std::atomic<bool> stopping{false};  // set on shutdown: background loops end

  // Successful TransactWriteItems by scope and ClientRequestToken: the input's fingerprint
  // and when it ran (DynamoDB's idempotency window is 10 minutes).
  struct TokenUse {
    std::string fingerprint;
    int64_t at_ms = 0;  // Clock::NowMillis()
  };
  std::mutex tokens_mu;
  std::unordered_map<std::string, TokenUse> tokens;

  storage::KvStore& kv() { return *env->kv; }
};

}  // namespace nimbus::dynamodb

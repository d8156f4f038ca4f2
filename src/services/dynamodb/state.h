#pragma once

#include "core/router/service.h"
#include "core/storage/kv_store.h"
#include "services/dynamodb/expressions/cache.h"
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

  storage::KvStore& kv() { return *env->kv; }
};

}  // namespace nimbus::dynamodb

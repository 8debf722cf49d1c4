#pragma once
// Test support: the built-in workload catalog, read once per test process.
#include "workloads/catalog.hpp"

namespace pade::test_support {

inline const workloads::Catalog& catalog() {
  static const workloads::Catalog c = workloads::Catalog::builtin();
  return c;
}

}  // namespace pade::test_support

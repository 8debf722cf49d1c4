#pragma once
// What the baseline tests share: the context every baseline rule is run in by default.
#include "core/schema.hpp"
#include "models/baselines/baseline.hpp"
#include "models/baselines/compare.hpp"
#include "models/hardware.hpp"

namespace pade::test {

/// The default baseline configuration beside PADE's reference design at the default hardware.
inline models::BaselineContext default_baseline_context() {
  models::BaselineContext ctx;
  ctx.config = models::default_baseline_config();
  ctx.pade =
      models::pade_reference(models::to_hardware(core::default_config(models::hardware_schema())));
  return ctx;
}

}  // namespace pade::test

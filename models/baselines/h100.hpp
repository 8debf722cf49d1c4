#pragma once
// The H100 SXM5 running FlashAttention: a roofline with measured efficiency curves.
//  - Prefill: attention FLOPs (4·pairs·D per head: QKᵀ and P·V, causal pairs only) at the
//    published FlashAttention forward throughput for the head dimension and sequence length
//    (baselines.md §3), interpolated linearly in log2(length) and log2(D), clamped at the ends of
//    the table; causal runs scaled by the published FA3 causal/non-causal ratio at D = 128; FP8
//    by the FA3 FP8 speedup coefficient.
//  - Decode: one query per head against the KV cache, bound by HBM bandwidth × an achieved
//    efficiency (or by peak compute if that were slower).
//  - Power: a fraction of TDP by phase (unverified), × time = energy. h100.power_basis: board
//    (DRAM included) or dynamic (board − h100.idle_w, active minus idle: the PADE authors' group's
//    basis). energy_core_j leaves out the HBM share (the accelerators' pJ/bit accounting).
//  - Batch: the FlashAttention curves were measured at batch × length = 16k tokens; decode is
//    bandwidth-bound, so its energy per request does not depend on the batch.
//  - Normalizations (h100.normalization): single_chip (as measured); iso_area (the chip shrunk to
//    PADE's total area at 28 nm: time × H100 area at 28 nm / PADE area, energy per op × the
//    28 nm / 4N energy ratio); iso_peak (time × H100 peak / PADE peak, same energy).
#include <string>

#include "models/baselines/baseline.hpp"

namespace pade::models {

/// FlashAttention forward throughput on H100 in TFLOPS (FP16) for `kernel` fa2|fa3.
[[nodiscard]] double flash_attention_tflops(const std::string& kernel, int head_dim, double seq_len,
                                            bool causal);

/// Factor applied to the single-chip latency by a normalization (energy factor in the second).
struct GpuScale {
  double time = 1;
  double energy = 1;
};
[[nodiscard]] GpuScale h100_normalization(const std::string& normalization,
                                          const std::string& precision,
                                          const core::CoefficientTable& c,
                                          const PadeReference& pade);

}  // namespace pade::models

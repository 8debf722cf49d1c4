// Functional-model speed vs dense FP32 attention of the same head, single thread for both.
// Target: simulation time <= 2x the dense causal-blocked BLAS reference (N = 4096, d = 128,
// causal, INT8, alpha = 0.5). Run it as
//   env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE build/bench/bench_functional
// so that OpenBLAS uses its best kernel for the CPU (it prints the one it chose).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#include <tbb/global_control.h>

#ifdef PADE_HAVE_BLAS
#include <cblas.h>  // OpenBLAS's header (Debian: /usr/include/x86_64-linux-gnu/cblas.h)
#endif

#include "models/functional.hpp"
#include "workloads/gaussian_head.hpp"

using namespace pade;

namespace {

double peak_rss_mb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;  // Linux reports KiB
}

template <class F>
double best_seconds(int reps, F&& f) {
  double best = std::numeric_limits<double>::infinity();
  for (int r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    const auto t1 = std::chrono::steady_clock::now();
    best = std::min(best, std::chrono::duration<double>(t1 - t0).count());
  }
  return best;
}

// Gaussian Q/K/V with structure: an attention sink (key 0) and recency (later keys align more
// with the queries' shared direction), like the heads PADE's head-tail interleaving targets.
core::AttentionHead make_head(std::size_t n, std::size_t d) {
  workloads::GaussianHeadSpec spec;
  spec.seed = 2512'14322;
  spec.stream = "bench/functional";
  spec.keys = n;
  spec.dim = d;
  spec.sink = 30.0;
  spec.recency = 24.0;
  return workloads::gaussian_head(spec);
}

#ifdef PADE_HAVE_BLAS
// Dense causal attention as FlashAttention-style code computes it: query blocks of `block` rows,
// each against the keys it can see only (the lower-triangle key blocks, one sgemm over them),
// masked row softmax, then P.V for the same keys (sgemm). Work: about N^2/2 instead of N^2.
core::Matrix dense_causal_blas(const core::AttentionHead& h, int block, double* gemm_seconds) {
  const int n = static_cast<int>(h.q.rows()), d = static_cast<int>(h.q.cols());
  std::vector<float> s(static_cast<std::size_t>(block) * n);
  core::Matrix o(h.q.rows(), h.q.cols());
  const float scale = 1.0f / std::sqrt(static_cast<float>(d));
  double gemm = 0;
  for (int i0 = 0; i0 < n; i0 += block) {
    const int rows = std::min(block, n - i0), keys = i0 + rows;  // keys 0 .. i0 + rows - 1
    const auto t0 = std::chrono::steady_clock::now();
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, keys, d, scale,
                h.q.data().data() + static_cast<std::size_t>(i0) * d, d, h.k.data().data(), d, 0.0f,
                s.data(), keys);
    const auto t1 = std::chrono::steady_clock::now();
    for (int r = 0; r < rows; ++r) {
      float* row = s.data() + static_cast<std::size_t>(r) * keys;
      const int vis = i0 + r + 1;
      float m = -std::numeric_limits<float>::infinity();
      for (int j = 0; j < vis; ++j) m = std::max(m, row[j]);
      float l = 0.0f;
      for (int j = 0; j < vis; ++j) {
        row[j] = std::exp(row[j] - m);
        l += row[j];
      }
      const float inv = 1.0f / l;
      for (int j = 0; j < vis; ++j) row[j] *= inv;
      std::fill(row + vis, row + keys, 0.0f);
    }
    const auto t2 = std::chrono::steady_clock::now();
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, d, keys, 1.0f, s.data(), keys,
                h.v.data().data(), d, 0.0f, o.data().data() + static_cast<std::size_t>(i0) * d, d);
    const auto t3 = std::chrono::steady_clock::now();
    gemm += std::chrono::duration<double>(t1 - t0).count() +
            std::chrono::duration<double>(t3 - t2).count();
  }
  *gemm_seconds = gemm;
  return o;
}
#endif

}  // namespace

int main() {
  const std::size_t n = 4096, d = 128;
  tbb::global_control one_thread(tbb::global_control::max_allowed_parallelism, 1);
#ifdef PADE_HAVE_BLAS
  openblas_set_num_threads(1);
  // OpenBLAS picks its kernel when it loads, and OPENBLAS_CORETYPE overrides the choice: launch
  // through `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE` for the best kernel of this CPU.
  const char* forced = std::getenv("OPENBLAS_CORETYPE");
  std::printf("OpenBLAS kernel: %s (%s)%s%s\n", openblas_get_corename(), openblas_get_config(),
              forced ? "; OPENBLAS_CORETYPE is set to " : "", forced ? forced : "");
#endif
  const core::AttentionHead head = make_head(n, d);
  std::printf(
      "bench_functional: N=%zu d=%zu causal INT8 per-tensor alpha=0.5 radius=5 B_q=8 B_k=64 "
      "head_tail\n",
      n, d);
  std::printf("peak RSS after data: %.1f MiB\n", peak_rss_mb());

  models::FunctionalOptions opt;  // defaults: INT8, alpha 0.5, radius 5, head_tail, B_q 8, B_k 64
  opt.compute_accuracy = false;   // the timed run is the simulation alone
  models::FunctionalStats st;
  const double t_sim = best_seconds(3, [&] { st = models::simulate_head(head, opt); });
  const double rss_sim = peak_rss_mb();
  std::printf(
      "functional simulation: %.3f s  (kept %.2f%%, %.2f planes/pair, fetched planes/visible "
      "key/group %.2f,"
      " rescale events %llu)\n",
      t_sim, 100.0 * st.kept_fraction(), st.mean_rounds(),
      static_cast<double>(st.group_fetch_sum) / static_cast<double>(st.plane_fetches[opt.bits - 1]),
      static_cast<unsigned long long>(st.rescale_events));
  std::printf("peak RSS after simulation: %.1f MiB\n", rss_sim);
  std::printf("functional kernel: %s\n",
              std::string(models::to_string(models::resolved_kernel(opt.kernel))).c_str());
  for (const auto k : {models::KernelChoice::avx2, models::KernelChoice::generic}) {
    if (!models::kernel_available(k)) continue;
    models::FunctionalOptions o = opt;
    o.kernel = k;
    const double t = best_seconds(1, [&] { (void)models::simulate_head(head, o); });
    std::printf("  the same with the %s kernel: %.3f s\n",
                std::string(models::to_string(k)).c_str(), t);
  }

  // The per-key observer (pade trace dump) costs only when asked for. The default path above runs
  // without it; here both alternate under the same load, best of each.
  {
    models::KeyDecisions decisions;
    double off = std::numeric_limits<double>::infinity(), on = off;
    for (int k = 0; k < 3; ++k) {
      off = std::min(off, best_seconds(1, [&] { (void)models::simulate_head(head, opt); }));
      on = std::min(
          on, best_seconds(1, [&] { (void)models::simulate_head_observed(head, opt, decisions); }));
    }
    std::printf(
        "per-key observer: off %.3f s, on %.3f s (on/off %.2fx; the observer writes %.1f MiB)\n",
        off, on, on / off, 2.0 * static_cast<double>(decisions.rounds.size()) / (1024.0 * 1024.0));
  }

  opt.compute_accuracy = true;
  models::FunctionalStats acc;
  const double t_acc = best_seconds(1, [&] { acc = models::simulate_head(head, opt); });
  std::printf(
      "with accuracy vs dense FP32: %.3f s  rel-L2 %.2e  cosine %.6f  retained mass %.4f  top-8 "
      "recall %.4f\n",
      t_acc, acc.mean_rel_l2(), acc.mean_cosine(), acc.mean_retained_mass(),
      acc.mean_topk_recall());

#ifdef PADE_HAVE_BLAS
  // The reference gets its best query block size (timed on this machine, in this run).
  double t_dense = std::numeric_limits<double>::infinity(), t_gemm = 0;
  int best_block = 0;
  for (const int block : {64, 128, 256, 512}) {
    double gemm = 0;
    const double t = best_seconds(3, [&] { (void)dense_causal_blas(head, block, &gemm); });
    std::printf("dense FP32 causal attention, query blocks of %d: %.3f s (sgemm %.3f s)\n", block,
                t, gemm);
    if (t < t_dense) t_dense = t, t_gemm = gemm, best_block = block;
  }
  std::printf(
      "reference: dense FP32 causal-blocked attention (OpenBLAS sgemm, 1 thread, blocks "
      "of %d): %.3f s, of which sgemm %.3f s and softmax %.3f s\n",
      best_block, t_dense, t_gemm, t_dense - t_gemm);
  std::printf("ratio simulation / reference: %.2fx (target <= 2x; <= 1x: faster than dense)\n",
              t_sim / t_dense);
  // On a shared machine the two best-of times above may come from quieter and busier moments:
  // alternate the two, and compare the best of each and every pair's ratio.
  constexpr int kPairs = 7;
  double best_sim = t_sim, best_ref = t_dense, ratio_lo = 1e9, ratio_hi = 0;
  std::vector<double> ratios;
  models::FunctionalOptions sim_opt = opt;
  sim_opt.compute_accuracy = false;  // as timed above
  for (int k = 0; k < kPairs; ++k) {
    double gemm = 0;
    const double a = best_seconds(1, [&] { (void)models::simulate_head(head, sim_opt); });
    const double b = best_seconds(1, [&] { (void)dense_causal_blas(head, best_block, &gemm); });
    best_sim = std::min(best_sim, a);
    best_ref = std::min(best_ref, b);
    ratios.push_back(a / b);
    ratio_lo = std::min(ratio_lo, a / b);
    ratio_hi = std::max(ratio_hi, a / b);
  }
  std::sort(ratios.begin(), ratios.end());
  std::printf(
      "interleaved, %d pairs: best simulation %.3f s, best reference %.3f s, ratio of bests "
      "%.2fx; per-pair ratio median %.2fx (range %.2f-%.2fx)\n",
      kPairs, best_sim, best_ref, best_sim / best_ref, ratios[kPairs / 2], ratio_lo, ratio_hi);
#else
  std::printf("dense BLAS reference: not built (no BLAS found)\n");
#endif
  std::printf("peak RSS at exit: %.1f MiB\n", peak_rss_mb());
  return 0;
}

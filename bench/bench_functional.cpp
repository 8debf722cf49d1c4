// Functional-model speed vs dense FP32 attention of the same head, single thread for both.
// Target: simulation time <= 4x the dense BLAS reference (N = 4096, d = 128, causal, INT8, a =
// 0.5).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
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
// Dense causal attention: S = Q K^T / sqrt(d) (sgemm), masked row softmax, O = P V (sgemm).
core::Matrix dense_blas(const core::AttentionHead& h) {
  const int n = static_cast<int>(h.q.rows()), d = static_cast<int>(h.q.cols());
  std::vector<float> s(static_cast<std::size_t>(n) * n);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, d,
              1.0f / std::sqrt(static_cast<float>(d)), h.q.data().data(), d, h.k.data().data(), d,
              0.0f, s.data(), n);
  for (int i = 0; i < n; ++i) {
    float* row = s.data() + static_cast<std::size_t>(i) * n;
    float m = -std::numeric_limits<float>::infinity();
    for (int j = 0; j <= i; ++j) m = std::max(m, row[j]);
    float l = 0.0f;
    for (int j = 0; j <= i; ++j) {
      row[j] = std::exp(row[j] - m);
      l += row[j];
    }
    const float inv = 1.0f / l;
    for (int j = 0; j <= i; ++j) row[j] *= inv;
    std::fill(row + i + 1, row + n, 0.0f);
  }
  core::Matrix o(h.q.rows(), h.q.cols());
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, d, n, 1.0f, s.data(), n,
              h.v.data().data(), d, 0.0f, o.data().data(), d);
  return o;
}
#endif

}  // namespace

int main() {
  const std::size_t n = 4096, d = 128;
  tbb::global_control one_thread(tbb::global_control::max_allowed_parallelism, 1);
#ifdef PADE_HAVE_BLAS
  openblas_set_num_threads(1);
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

  opt.compute_accuracy = true;
  models::FunctionalStats acc;
  const double t_acc = best_seconds(1, [&] { acc = models::simulate_head(head, opt); });
  std::printf(
      "with accuracy vs dense FP32: %.3f s  rel-L2 %.2e  cosine %.6f  retained mass %.4f  top-8 "
      "recall %.4f\n",
      t_acc, acc.mean_rel_l2(), acc.mean_cosine(), acc.mean_retained_mass(),
      acc.mean_topk_recall());

#ifdef PADE_HAVE_BLAS
  core::Matrix ref;
  const double t_dense = best_seconds(3, [&] { ref = dense_blas(head); });
  std::printf("dense FP32 attention (OpenBLAS sgemm, 1 thread): %.3f s\n", t_dense);
  std::printf("ratio simulation / dense: %.2fx (target <= 4x)\n", t_sim / t_dense);
#else
  std::printf("dense BLAS reference: not built (no BLAS found)\n");
#endif
  std::printf("peak RSS at exit: %.1f MiB\n", peak_rss_mb());
  return 0;
}

// pade.evaluate, pade.catalog, pade.suite_metrics: one configuration on benchmarks, through the
// runner's own parallel evaluation (dse::evaluate_jobs).
#include <optional>

#include "dse/campaign.hpp"
#include "dse/cli/common.hpp"
#include "dse/runner.hpp"
#include "models/fidelity.hpp"
#include "python/bindings/bindings.hpp"
#include "python/bindings/convert.hpp"
#include "python/bindings/interrupt.hpp"
#include "search/strategy.hpp"
#include "workloads/names.hpp"

namespace pade::python {

namespace {

py::dict benchmark_row(const workloads::Benchmark& b) {
  py::dict row;
  row["benchmark"] = b.name;
  row["model"] = b.model;
  row["task"] = b.task;
  row["phase"] = b.phase;
  row["seq_len"] = b.seq_len;
  return row;
}

py::list evaluate(const py::object& hw, const py::object& benchmarks, const std::string& fidelity,
                  std::uint64_t seed, const py::object& workloads, const py::object& db,
                  int threads) {
  dse::Campaign one;  // an empty space: its only point is the configuration itself
  one.base = hardware_from(hw);
  const std::string model = dse::cli::fidelity_option(fidelity);
  const auto paths = workloads.is_none() ? std::vector<std::filesystem::path>{}
                                         : dse::cli::workload_paths(names_from(workloads));
  std::optional<results::Store> store;
  if (!db.is_none()) store.emplace(dse::cli::open_for_writing(py::str(db).cast<std::string>()));
  auto pipeline =
      dse::cli::make_pipeline(seed, workloads::SamplingPlan{}, store ? &*store : nullptr, paths);
  const auto benches = workloads::benchmarks_named(pipeline->catalog, names_from(benchmarks));
  const std::vector<dse::EvalJob> jobs = {{{}, model}};
  const InterruptWatch watch;
  dse::JobResults results;
  {
    const py::gil_scoped_release release;
    results = dse::evaluate_jobs(one, benches, jobs, *pipeline->cache, threads, watch.poller());
  }
  watch.raise_if_interrupted();
  py::list rows;
  for (std::size_t b = 0; b < benches.size(); ++b) {
    py::dict row = benchmark_row(*benches[b]);
    row["fidelity"] = model;
    row["config_hash"] = one.base.hash();
    put_metrics(row, results[0][b]);
    rows.append(row);
  }
  return rows;
}

/// Suite objectives of per-benchmark rows (as evaluate() returns them).
py::dict suite_metrics_of(const py::iterable& rows) {
  std::vector<core::Metrics> per_benchmark;
  for (const auto& row : rows) {
    core::Metrics m;
    for (const auto& [k, v] : row.cast<py::dict>())
      if (py::isinstance<py::float_>(v) || py::isinstance<py::int_>(v))
        m.set(py::str(k).cast<std::string>(), v.cast<double>());
    per_benchmark.push_back(std::move(m));
  }
  if (per_benchmark.empty()) throw core::InputError("suite_metrics: expected at least one row");
  py::dict out;
  put_metrics(out, dse::suite_objectives(per_benchmark));
  return out;
}

py::dict catalog(const py::object& workloads) {
  const auto paths = workloads.is_none() ? std::vector<std::filesystem::path>{}
                                         : dse::cli::workload_paths(names_from(workloads));
  const workloads::Catalog c = dse::cli::load_catalog(paths);
  py::list benchmarks;
  for (const auto& name : c.benchmark_names()) {
    const auto& b = c.benchmark(name);
    py::dict row = benchmark_row(b);
    row["trace"] = b.trace.describe();
    benchmarks.append(row);
  }
  py::dict suites;
  for (const auto& s : c.suite_names()) suites[py::str(s)] = c.suite(s);
  py::dict out;
  out["benchmarks"] = benchmarks;
  out["suites"] = suites;
  out["models"] = c.model_names();
  out["fidelities"] = models::builtin_fidelities().names();
  out["strategies"] = search::builtin_strategies().names();
  return out;
}

}  // namespace

void bind_evaluate(py::module_& m) {
  m.def("_evaluate", &evaluate, py::arg("hw"), py::arg("benchmarks"), py::arg("fidelity"),
        py::arg("seed"), py::arg("workloads"), py::arg("db"), py::arg("threads"));
  m.def("_suite_metrics", &suite_metrics_of, py::arg("rows"));
  m.def("_catalog", &catalog, py::arg("workloads") = py::none());
}

}  // namespace pade::python

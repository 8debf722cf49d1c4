// pade.run: a campaign into a database, by the same runner as `pade run` (without MPI ranks).
#include <filesystem>

#include "core/file_io.hpp"
#include "dse/cli/common.hpp"
#include "dse/runner.hpp"
#include "python/bindings/bindings.hpp"
#include "python/bindings/convert.hpp"
#include "python/bindings/interrupt.hpp"

namespace pade::python {

namespace {

py::dict summary_dict(const dse::Campaign& campaign, const dse::RunSummary& s,
                      const std::string& db, std::size_t computed) {
  py::dict out;
  out["campaign"] = campaign.name;
  out["campaign_id"] = s.campaign_id;
  out["status"] = s.status;
  out["evaluated"] = s.evaluated;
  out["resumed"] = s.resumed;
  out["reused"] = s.reused;
  out["feasible"] = s.feasible;
  out["rejected_by"] = s.rejected_by;
  out["front_size"] = s.front_size;
  out["hypervolume"] = s.hypervolume;
  out["reference_point"] = s.reference_point;
  out["seconds"] = s.seconds;
  out["stats_computed"] = computed;
  out["db"] = std::filesystem::absolute(db).string();
  return out;
}

py::dict progress_dict(const dse::Progress& p) {
  py::dict d;
  d["done"] = p.done;
  d["total"] = p.total;
  d["elapsed_s"] = p.elapsed_s;
  d["rate_per_s"] = p.rate_per_s;
  d["feasible"] = p.feasible;
  d["best"] = p.best;
  d["best_design"] = p.best_design;
  d["front_size"] = p.front_size;
  d["fidelity"] = p.fidelity;
  d["hypervolume"] = p.hypervolume;
  d["reference"] = p.reference;
  d["eta_s"] = p.eta_s;
  d["eta_unmeasured"] = p.eta_unmeasured;
  py::list rungs;
  for (const auto& r : p.rungs) {
    py::dict rung;
    rung["fidelity"] = r.fidelity;
    rung["done"] = r.done;
    rung["planned"] = r.planned;
    rung["seconds_per_design"] = r.seconds_per_design;
    rungs.append(rung);
  }
  d["rungs"] = rungs;
  return d;
}

py::dict run(const py::object& campaign_arg, const py::object& db_arg, int threads, bool resume,
             const py::object& progress) {
  const dse::Campaign campaign = campaign_from(campaign_arg);
  // Bad benchmark names are input errors before the database file is created.
  (void)dse::resolve_benchmarks(campaign, dse::cli::load_catalog(campaign.workloads));
  const std::string db = db_arg.is_none() ? dse::default_database_file(campaign.name)
                                          : py::str(db_arg).cast<std::string>();
  if (const auto parent = std::filesystem::path(db).parent_path(); !parent.empty())
    core::make_output_folder(parent);
  results::Store store = dse::cli::open_for_writing(db);
  auto pipeline = dse::cli::make_pipeline(static_cast<std::uint64_t>(campaign.seed),
                                          workloads::SamplingPlan{}, &store, campaign.workloads);
  const InterruptWatch watch;
  dse::RunOptions options;
  options.resume = resume;
  options.threads = threads;
  options.cancelled = watch.poller();
  if (!progress.is_none())
    options.progress = [&progress](const dse::Progress& p) {
      const py::gil_scoped_acquire gil;
      progress(progress_dict(p));
    };
  dse::RunSummary s;
  {
    const py::gil_scoped_release release;
    s = dse::run_campaign(campaign, pipeline->catalog, store, *pipeline->cache, options);
  }
  watch.raise_if_interrupted();  // everything evaluated so far is stored (status interrupted)
  return summary_dict(campaign, s, db, pipeline->cache->computed());
}

}  // namespace

void bind_run(py::module_& m) {
  m.def("_run", &run, py::arg("campaign"), py::arg("db"), py::arg("threads"), py::arg("resume"),
        py::arg("progress"));
}

}  // namespace pade::python

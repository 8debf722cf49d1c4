#include "python/bindings/study.hpp"

#include <algorithm>

#include "dse/runner.hpp"
#include "models/fidelity.hpp"
#include "pade/version.hpp"
#include "python/bindings/bindings.hpp"
#include "python/bindings/interrupt.hpp"

namespace pade::python {

namespace {
std::string joined(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : sep) + i;
  return out;
}
}  // namespace

Study::Study(const py::object& campaign, const std::string& db, bool resume, int threads)
    : campaign_(campaign_from(campaign)),
      space_(campaign_.space, campaign_.base),
      store_(dse::cli::open_for_writing(db)),
      ladder_(campaign_.fidelity_ladder()),
      threads_(threads >= 0 ? threads : campaign_.threads) {
  pipeline_ = dse::cli::make_pipeline(static_cast<std::uint64_t>(campaign_.seed),
                                      workloads::SamplingPlan{}, &store_, campaign_.workloads);
  benchmarks_ = dse::resolve_benchmarks(campaign_, pipeline_->catalog);
  for (const auto* b : benchmarks_) pipeline_->cache->check(*b);
  strategy_ = dse::make_strategy(campaign_);
  open(resume);
}

Study::~Study() {
  if (finished_ || !lease_) return;
  try {  // best effort: a study dropped without finish() is not left looking like a live run
    store_.set_campaign_status(campaign_id_, "interrupted");
  } catch (...) {
  }
}

// The campaign row and its lease in one transaction, as the runner opens a campaign.
void Study::open(bool resume) {
  results::WriteTransaction tx(store_);
  if (const auto existing = store_.find_campaign(campaign_.name)) {
    if (!resume)
      throw core::InputError({campaign_.file, 0, 0}, "name",
                             "campaign '" + campaign_.name + "' already exists in " +
                                 store_.path() +
                                 "; use resume=True to continue it or choose another name or db");
    if (existing->spec_yaml != campaign_.spec_yaml)
      throw core::InputError({campaign_.file, 0, 0}, "",
                             "the campaign changed since campaign '" + campaign_.name +
                                 "' was started; resume needs the same campaign");
    campaign_id_ = existing->id;
    lease_.emplace(store_, campaign_id_, campaign_.name);
    store_.set_campaign_status(campaign_id_, "running");
    for (const auto& p : store_.points(campaign_id_)) {
      next_seq_ = std::max(next_seq_, p.seq + 1);
      known_.emplace(PointKey{p.config_hash, p.fidelity}, p);
    }
  } else {
    write_provenance();
    lease_.emplace(store_, campaign_id_, campaign_.name);
  }
  for (const auto* b : benchmarks_)
    store_.put_benchmark(b->name, b->model, b->task, b->phase, b->seq_len);
  tx.commit();
}

// The provenance keys the runner writes (what resume, merge, ranking and the report read).
void Study::write_provenance() {
  results::CampaignRecord rec;
  rec.name = campaign_.name;
  rec.spec_yaml = campaign_.spec_yaml;
  rec.seed = campaign_.seed;
  rec.strategy = campaign_.strategy;
  campaign_id_ = store_.create_campaign(rec);
  std::vector<std::string> names, aggregation, versions;
  for (const auto o : campaign_.objectives) {
    names.push_back(dse::objective_name(o));
    aggregation.push_back(dse::objective_name(o) + ": " + dse::objective_aggregation(o));
  }
  for (const auto& f : ladder_) versions.push_back(models::builtin_fidelities().get(f).version);
  std::vector<std::pair<std::string, std::string>> prov = {
      {"pade_version", core::kVersion},
      {"git_commit", core::kGitCommit},
      {"fidelity", campaign_.fidelity},
      {"fidelities", joined(ladder_, ",")},
      {"model_version", joined(versions, ",")},
      {"stats_version", pipeline_->cache->version()},
      {"seed", std::to_string(campaign_.seed)},
      {"strategy", campaign_.strategy},
      {"objectives", joined(names, ",")},
      {"aggregation", joined(aggregation, "; ")},
      {"suite", campaign_.benchmarks.empty() ? campaign_.suite : "(explicit list)"},
      {"started_at", results::utc_now_iso8601()},
      {"driver", "python (pade.Study)"}};
  for (const auto* b : benchmarks_)
    prov.emplace_back("trace " + b->name,
                      b->trace.describe() + "; " + pipeline_->cache->identity(*b));
  store_.put_provenance(campaign_id_, prov);
}

void Study::check_open() const {
  if (finished_)
    throw core::InputError("study '" + campaign_.name +
                           "' is finished; open it again with resume=True to add designs");
}

py::list Study::ask(std::size_t n) {
  check_open();
  py::list out;
  for (auto& c : strategy_->ask(n)) {
    const std::int64_t seq = next_seq_++;
    py::dict t;
    t["seq"] = seq;
    t["levels"] = c.levels;
    t["params"] = space_.values_at(c.levels);
    t["fidelity"] = ladder_[std::min(c.fidelity, ladder_.size() - 1)];
    asked_.emplace(seq, std::move(c));
    out.append(t);
  }
  return out;
}

py::list Study::tell(const py::list& trials) {
  check_open();
  std::vector<Job> jobs;
  for (const auto& t : trials) {
    const auto seq = py::cast<py::dict>(t)["seq"].cast<std::int64_t>();
    const auto it = asked_.find(seq);
    if (it == asked_.end())
      throw core::InputError("tell: trial " + std::to_string(seq) +
                             " was not asked (or was told already); designs of your own go to "
                             "evaluate()");
    jobs.push_back({it->second.levels, ladder_[std::min(it->second.fidelity, ladder_.size() - 1)],
                    seq, it->second.seq});
  }
  const auto points = run_jobs(jobs);
  std::vector<search::Outcome> outcomes;
  py::list out;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    search::Outcome o{*jobs[i].strategy_seq, std::nullopt};
    if (points[i].feasible)
      o.objectives = dse::objective_vector(points[i].objectives, campaign_.objectives);
    outcomes.push_back(std::move(o));
    asked_.erase(jobs[i].seq);
    out.append(result_dict(points[i]));
  }
  strategy_->tell(outcomes);
  return out;
}

py::list Study::evaluate(const py::list& params, const std::string& fidelity) {
  check_open();
  const std::string f = fidelity.empty() ? ladder_.back() : dse::cli::fidelity_option(fidelity);
  std::vector<Job> jobs;
  for (const auto& p : params) jobs.push_back({space_.levels_of(py::cast<py::dict>(p)), f, 0, {}});
  for (auto& j : jobs) j.seq = next_seq_++;
  py::list out;
  for (const auto& p : run_jobs(jobs)) out.append(result_dict(p));
  return out;
}

// The designs not stored yet are evaluated in one parallel batch and stored in one transaction;
// stored ones (the same design asked twice, or resumed) are read back, as the runner reuses them.
std::vector<results::PointRecord> Study::run_jobs(std::span<const Job> jobs) {
  std::vector<core::Config> configs;
  std::vector<dse::EvalJob> todo;
  std::vector<std::size_t> slot(jobs.size(), SIZE_MAX);  // job -> index into todo
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    configs.push_back(space_.config(jobs[i].levels));
    if (known_.count({configs[i].hash(), jobs[i].fidelity}) > 0) continue;
    for (std::size_t k = 0; k < i && slot[i] == SIZE_MAX; ++k)
      if (slot[k] != SIZE_MAX && configs[k].hash() == configs[i].hash() &&
          jobs[k].fidelity == jobs[i].fidelity)
        slot[i] = slot[k];
    if (slot[i] == SIZE_MAX) {
      slot[i] = todo.size();
      todo.push_back({jobs[i].levels, jobs[i].fidelity});
    }
  }
  const InterruptWatch watch;
  dse::JobResults results;
  {
    const py::gil_scoped_release release;
    results = dse::evaluate_jobs(campaign_, benchmarks_, todo, *pipeline_->cache, threads_,
                                 watch.poller());
  }
  watch.raise_if_interrupted();  // nothing of an interrupted batch is stored
  std::vector<results::EvaluationRecord> evals;
  std::vector<results::PointRecord> points;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const PointKey key{configs[i].hash(), jobs[i].fidelity};
    if (slot[i] == SIZE_MAX || known_.count(key) > 0) continue;
    const auto& metrics = results.at(slot[i]);
    results::PointRecord p = dse::suite_point(campaign_, metrics);
    p.campaign_id = campaign_id_;
    p.config_hash = key.first;
    p.seq = jobs[i].seq;
    p.fidelity = key.second;
    store_.put_configuration(key.first, configs[i].canonical(), configs[i].identity_values());
    for (std::size_t b = 0; b < benchmarks_.size(); ++b)
      evals.push_back(
          {campaign_id_, key.first, benchmarks_[b]->name, key.second, metrics[b], p.seq});
    points.push_back(p);
    known_.emplace(key, std::move(p));
  }
  if (lease_->lost())
    throw core::RunError("campaign '" + campaign_.name + "' in " + store_.path() +
                         " was taken over by another run; this study stops");
  store_.put_batch(evals, points);
  std::vector<results::PointRecord> out;
  for (std::size_t i = 0; i < jobs.size(); ++i)
    out.push_back(known_.at({configs[i].hash(), jobs[i].fidelity}));
  return out;
}

py::dict Study::result_dict(const results::PointRecord& p) const {
  py::dict d;
  d["seq"] = p.seq;
  d["config_hash"] = p.config_hash;
  d["fidelity"] = p.fidelity;
  d["feasible"] = p.feasible;
  d["reason"] = p.reason;
  d["objectives"] = p.feasible ? py::cast(dse::objective_vector(p.objectives, campaign_.objectives))
                               : py::object(py::none());
  put_metrics(d, p.objectives);
  return d;
}

py::dict Study::finish() {
  py::dict out;
  if (finished_) return out;
  const dse::FrontSummary front =
      dse::mark_pareto(store_, campaign_id_, campaign_.objectives, threads_);
  store_.put_provenance(campaign_id_,
                        {{"stats_computed", std::to_string(pipeline_->cache->computed())}});
  store_.set_campaign_status(campaign_id_, "finished");
  lease_->release();
  finished_ = true;
  (void)store_.checkpoint();
  out["campaign"] = campaign_.name;
  out["points"] = store_.count_points(campaign_id_);
  out["front_size"] = front.front_size;
  out["hypervolume"] = front.hypervolume;
  out["reference_point"] = front.reference_point;
  out["fidelity"] = front.fidelity;
  return out;
}

void bind_study(py::module_& m) {
  py::class_<Study>(m, "_Study")
      .def(py::init<const py::object&, const std::string&, bool, int>(), py::arg("campaign"),
           py::arg("db"), py::arg("resume") = false, py::arg("threads") = -1)
      .def("ask", &Study::ask, py::arg("n") = 1)
      .def("tell", &Study::tell, py::arg("trials"))
      .def("evaluate", &Study::evaluate, py::arg("params"), py::arg("fidelity") = "")
      .def("finish", &Study::finish)
      .def_property_readonly("name", [](const Study& s) { return s.campaign().name; })
      .def_property_readonly("db", &Study::db)
      .def_property_readonly("campaign_id", &Study::campaign_id)
      .def_property_readonly("finished", &Study::finished)
      .def_property_readonly("objectives",
                             [](const Study& s) {
                               std::vector<std::string> names;
                               for (const auto o : s.campaign().objectives)
                                 names.push_back(dse::objective_name(o));
                               return names;
                             })
      .def_property_readonly("benchmarks", [](const Study& s) { return s.campaign().benchmarks; })
      .def_property_readonly(
          "space", [](const Study& s) { return s.space(); }, py::return_value_policy::copy);
}

}  // namespace pade::python

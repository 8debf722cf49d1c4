// pade.load: a campaign's designs as rows (a DataFrame in pade/__init__.py) from the store's typed
// readers: suite points with their Pareto rank, or per-benchmark evaluations, each with every
// parameter of its configuration.
#include <set>

#include "dse/cli/common.hpp"
#include "python/bindings/bindings.hpp"
#include "python/bindings/convert.hpp"
#include "results/query.hpp"

namespace pade::python {

namespace {

/// A stored parameter as Python sees it: bool, int or float when it is a number, text otherwise
/// (a text parameter such as tile_order stays text instead of becoming NaN).
py::object parameter_value(const results::ParamValue& v) {
  if (!v.num) return py::str(v.text);
  if (v.text == "true" || v.text == "false") return py::bool_(v.text == "true");
  const bool whole = v.text.find_first_of(".eEn") == std::string::npos;  // not 1.5, 1e3, nan
  if (whole) return py::int_(static_cast<long long>(*v.num));
  return py::float_(*v.num);
}

void put_parameters(py::dict& row, const results::DesignParameters& params,
                    const std::string& hash) {
  const auto it = params.find(hash);
  if (it == params.end()) return;
  for (const auto& [key, v] : it->second) row[py::str(key)] = parameter_value(v);
}

/// The fidelity to show: the one asked for (checked against what is stored) or the campaign's
/// front fidelity (empty when the campaign has no points, e.g. a baseline comparison).
std::string chosen_fidelity(const std::vector<results::RankedPoint>& points,
                            const std::string& asked, const std::string& campaign) {
  std::set<std::string> stored;
  std::string front;
  for (const auto& r : points) {
    stored.insert(r.point.fidelity);
    if (r.at_front_fidelity) front = r.point.fidelity;
  }
  if (asked.empty()) return front;
  if (!points.empty() && stored.count(asked) == 0) {
    const std::vector<std::string> known(stored.begin(), stored.end());
    throw core::InputError("fidelity: campaign '" + campaign + "' has no points at fidelity '" +
                           asked + "'" + core::did_you_mean(asked, known) +
                           ", expected one of: " + dse::cli::join_names(known));
  }
  return asked;
}

py::list point_rows(results::Store& store, std::int64_t cid, const std::string& name,
                    const std::string& fidelity, bool front) {
  const auto points = store.ranked_points(cid);
  const std::string shown = chosen_fidelity(points, fidelity, name);
  const auto params = store.design_parameters(cid);
  py::list rows;
  for (const auto& r : points) {
    if (!shown.empty() && r.point.fidelity != shown) continue;
    if (front && !(r.suite_rank && *r.suite_rank == 0 && r.at_front_fidelity)) continue;
    py::dict row;
    row["campaign"] = name;
    row["config_hash"] = r.point.config_hash;
    row["seq"] = r.point.seq;
    row["fidelity"] = r.point.fidelity;
    row["feasible"] = r.point.feasible;
    row["reason"] = r.point.reason;
    row["pareto_rank"] =
        r.suite_rank ? py::object(py::int_(*r.suite_rank)) : py::object(py::none());
    put_metrics(row, r.point.objectives);
    put_parameters(row, params, r.point.config_hash);
    rows.append(row);
  }
  return rows;
}

py::list evaluation_rows(results::Store& store, std::int64_t cid, const std::string& name,
                         const std::string& fidelity, bool front) {
  const auto points = store.ranked_points(cid);
  std::set<std::string> on_front;
  for (const auto& r : points)
    if (r.suite_rank && *r.suite_rank == 0 && r.at_front_fidelity)
      on_front.insert(r.point.config_hash);
  results::EvaluationFilter filter;
  filter.fidelity = chosen_fidelity(points, fidelity, name);
  filter.all_metrics = true;
  const auto params = store.design_parameters(cid);
  py::list rows;
  for (const auto& e : store.evaluations(cid, filter)) {
    if (front && on_front.count(e.config_hash) == 0) continue;
    py::dict row;
    row["campaign"] = name;
    row["config_hash"] = e.config_hash;
    row["seq"] = e.seq;
    row["benchmark"] = e.benchmark;
    row["fidelity"] = e.fidelity;
    put_metrics(row, e.metrics);
    put_parameters(row, params, e.config_hash);
    rows.append(row);
  }
  return rows;
}

py::list load(const std::string& db, const std::string& campaign, const std::string& fidelity,
              bool front, bool per_benchmark) {
  results::Store store = dse::cli::open_for_reading(db);
  const std::int64_t cid = results::campaign_id_or_latest(store, campaign);
  const std::string name = results::campaign_name(store, cid);
  return per_benchmark ? evaluation_rows(store, cid, name, fidelity, front)
                       : point_rows(store, cid, name, fidelity, front);
}

py::list campaigns(const std::string& db) {
  results::Store store = dse::cli::open_for_reading(db);
  py::list out;
  for (const auto& c : store.campaigns()) {
    py::dict row;
    row["id"] = c.id;
    row["name"] = c.name;
    row["strategy"] = c.strategy;
    row["status"] = c.status;
    row["created_at"] = c.created_at;
    row["finished_at"] = c.finished_at;
    row["points"] = store.count_points(c.id);
    out.append(row);
  }
  return out;
}

}  // namespace

void bind_load(py::module_& m) {
  m.def("_load", &load, py::arg("db"), py::arg("campaign"), py::arg("fidelity"), py::arg("front"),
        py::arg("per_benchmark"));
  m.def("_campaigns", &campaigns, py::arg("db"));
}

}  // namespace pade::python

#include "results/query.hpp"

#include <algorithm>
#include <cctype>
#include <span>
#include <sstream>
#include <type_traits>

#include "core/error.hpp"
#include "core/json.hpp"
#include "results/store_query.hpp"

namespace pade::results {

ParamFilter parse_param_filter(const std::string& text) {
  static const char* const kOps[] = {">=", "<=", "!=", "=", ">", "<"};
  for (const char* op : kOps) {
    const auto pos = text.find(op);
    if (pos == std::string::npos || pos == 0) continue;
    ParamFilter f{text.substr(0, pos), op, text.substr(pos + std::string(op).size())};
    if (f.value.empty()) break;
    return f;
  }
  throw core::InputError("--where '" + text +
                         "': expected KEY OP VALUE with OP one of = != < <= > >= "
                         "(e.g. qk_pu.lanes_per_row>=16)");
}

namespace {

/// Parameter keys are dotted words ("qk_pu.lanes_per_row"); anything else is refused before any
/// SQL is built from it.
void check_parameter_key(const std::string& option, const std::string& key) {
  const bool ok =
      !key.empty() && key.size() <= 128 && std::all_of(key.begin(), key.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
      });
  if (!ok)
    throw core::InputError(option + ": '" + key.substr(0, 64) +
                           "' is not a parameter key (letters, digits, '_' and '.', e.g. "
                           "qk_pu.lanes_per_row)");
}

}  // namespace

namespace {

std::string joined(std::span<const std::string> names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

/// --columns and --sort name query columns; an unknown one is refused with the closest name.
void require_column(const std::string& option, const std::string& name,
                    std::span<const std::string> columns) {
  if (std::find(columns.begin(), columns.end(), name) != columns.end()) return;
  throw core::InputError(option + ": unknown column '" + name + "'" +
                         core::did_you_mean(name, columns) +
                         " (expected one of: " + joined(columns) + ")");
}

/// --param and --where keys name configuration parameters (or, for --where, query columns); an
/// unknown one is refused with the closest parameter or column.
void require_parameter(Store& store, const std::string& option, const std::string& key,
                       std::span<const std::string> known, std::span<const std::string> columns) {
  if (known.empty() || std::binary_search(known.begin(), known.end(), key)) return;
  std::vector<std::string> candidates(known.begin(), known.end());
  candidates.insert(candidates.end(), columns.begin(), columns.end());
  throw core::InputError(
      option + ": no configuration in " + store.path() + " has a parameter '" + key + "'" +
      core::did_you_mean(key, candidates) +
      (option == "--where"
           ? " (--where takes a parameter or one of the columns: " + joined(columns) + ")"
           : std::string()));
}

}  // namespace

Table run_query(Store& store, EvaluationQuery q) {
  const auto& all = query_columns(q.suite_points);
  for (const auto& c : q.columns) require_column("--columns", c, all);
  const auto is_column = [&](const std::string& k) {
    return std::find(all.begin(), all.end(), k) != all.end();
  };
  for (const auto& pc : q.param_columns) check_parameter_key("--param", pc);
  for (const auto& f : q.params)
    if (!is_column(f.key)) check_parameter_key("--where", f.key);
  if (!q.param_columns.empty() || !q.params.empty()) {
    const std::vector<std::string> known = store.parameter_keys();
    for (const auto& pc : q.param_columns) require_parameter(store, "--param", pc, known, {});
    for (const auto& f : q.params)
      if (!is_column(f.key)) require_parameter(store, "--where", f.key, known, all);
  }
  std::vector<std::string> cols = q.columns.empty() ? all : q.columns;
  for (const auto& pc : q.param_columns) cols.push_back(pc);
  if (!q.sort.empty()) {
    const std::string s = q.sort.substr(0, q.sort.find(':'));
    if (const auto dir = q.sort.find(':'); dir != std::string::npos &&
                                           q.sort.substr(dir + 1) != "desc" &&
                                           q.sort.substr(dir + 1) != "asc")
      throw core::InputError("--sort '" + q.sort + "': expected COLUMN, COLUMN:asc or COLUMN:desc");
    require_column("--sort", s, cols);
  }
  resolve_scope(store, q);
  if (q.campaign.empty() && !q.all_campaigns) return Table(std::move(cols));  // no campaign yet
  return evaluation_table(store, q);
}

void resolve_scope(Store& store, EvaluationQuery& q) {
  if (!q.campaign.empty())
    (void)campaign_id_or_latest(store, q.campaign);  // unknown name: InputError listing them
  else if (!q.all_campaigns && !store.campaigns().empty())
    q.campaign = campaign_name(store, campaign_id_or_latest(store, ""));
}

std::string describe_scope(const EvaluationQuery& q) {
  std::string s = q.campaign.empty() ? "every campaign" : "campaign '" + q.campaign + "'";
  s += q.fidelity.empty() ? (q.all_fidelities ? ", every fidelity" : ", at its front fidelity")
                          : ", fidelity " + q.fidelity;
  if (!q.benchmark.empty() && !q.suite_points) s += ", benchmark " + q.benchmark;
  if (q.max_rank) s += ", Pareto rank <= " + std::to_string(*q.max_rank);
  for (const auto& f : q.params) s += ", " + f.key + f.op + f.value;
  return s;
}

std::string campaign_name(Store& store, std::int64_t id) {
  for (const auto& c : store.campaigns())
    if (c.id == id) return c.name;
  return {};
}

std::int64_t campaign_id_or_latest(Store& store, const std::string& name) {
  if (!name.empty()) {
    const auto c = store.find_campaign(name);
    if (!c) {
      std::string known;
      for (const auto& k : store.campaigns()) known += (known.empty() ? "" : ", ") + k.name;
      throw core::InputError(
          "--campaign: no campaign named '" + name + "' in " + store.path() +
          (known.empty() ? std::string(" (it holds none)") : " (it holds: " + known + ")"));
    }
    return c->id;
  }
  const auto all = store.campaigns();
  if (all.empty())
    throw core::InputError({store.path(), 0, 0}, "", "the database holds no campaign");
  return all.back().id;
}

std::vector<std::string> swept_parameters(Store& store, std::int64_t campaign_id) {
  return store.swept_parameters(campaign_id);
}

// --- show
// -----------------------------------------------------------------------------------------

std::string resolve_config_hash(Store& store, const std::string& prefix) {
  const bool hex = !prefix.empty() && std::all_of(prefix.begin(), prefix.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
  if (!hex)
    throw core::InputError("configuration hash '" + prefix +
                           "': expected hexadecimal digits (a hash or a prefix of one, "
                           "as `pade query` prints in config_hash)");
  std::string lower = prefix;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const std::vector<std::string> found = store.config_hashes_with_prefix(lower, 6);
  if (found.empty())
    throw core::InputError({store.path(), 0, 0}, "",
                           "no configuration's hash starts with '" + prefix + "'");
  if (found.size() > 1) {
    std::string list;
    for (std::size_t i = 0; i < found.size() && i < 5; ++i) list += (i ? ", " : "") + found[i];
    throw core::InputError({store.path(), 0, 0}, "",
                           "hash prefix '" + prefix + "' is ambiguous: it matches " + list +
                               (found.size() > 5 ? ", …" : "") + "; give more digits");
  }
  return found.front();
}

DesignView show_design(Store& store, const std::string& hash_prefix, const std::string& campaign,
                       bool all_metrics) {
  DesignView v;
  v.hash = resolve_config_hash(store, hash_prefix);
  if (!campaign.empty()) (void)campaign_id_or_latest(store, campaign);  // unknown name: InputError
  v.canonical = store.canonical_configuration(v.hash).value_or("");
  v.sections = design_tables(store, v.hash, campaign, all_metrics);
  return v;
}

void write_sections(std::ostream& out, Format format,
                    std::span<const std::pair<std::string, Table>> sections,
                    std::span<const std::pair<std::string, std::string>> header) {
  switch (format) {
    case Format::Json: {
      core::JsonWriter w(true);
      w.begin_object();
      for (const auto& [k, v] : header) w.key(k).value(v);
      for (const auto& [name, table] : sections) {
        std::ostringstream ss;
        table.write(ss, Format::Json);
        std::string text = ss.str();
        while (!text.empty() && text.back() == '\n') text.pop_back();
        w.key(name).raw(text);
      }
      w.end_object();
      out << w.str() << '\n';
      return;
    }
    case Format::Csv:
      for (const auto& [k, v] : header) out << "# " << k << ": " << v << '\n';
      for (const auto& [name, table] : sections) {
        out << "# " << name << '\n';
        table.write(out, Format::Csv);
        out << '\n';
      }
      return;
    case Format::Table:
      for (const auto& [k, v] : header) out << k << ": " << v << '\n';
      for (const auto& [name, table] : sections) {
        out << "\n== " << name << " (" << table.rows().size() << ") ==\n";
        if (table.rows().empty())
          out << "(none)\n";
        else
          table.write(out, Format::Table);
      }
      return;
  }
}

// --- diff
// -----------------------------------------------------------------------------------------

Table run_diff(Store& store, const DiffQuery& q) {
  const auto& allowed = diff_metric_columns(q.by_config);
  for (const auto& m :
       q.metrics.empty() ? std::vector<std::string>{"latency_s", "energy_j"} : q.metrics)
    if (std::find(allowed.begin(), allowed.end(), m) == allowed.end()) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      throw core::InputError("--metric: '" + m + "' is not a " +
                             (q.by_config ? "suite-point" : "per-benchmark") +
                             " metric (expected one of: " + list + ")");
    }
  if (q.aggregate != "min" && q.aggregate != "max" && q.aggregate != "avg")
    throw core::InputError("--aggregate: '" + q.aggregate + "' (expected min, max or avg)");
  if (q.campaign_a.empty() || q.campaign_b.empty())
    throw core::InputError("diff: name two campaigns");
  const std::int64_t a = campaign_id_or_latest(store, q.campaign_a);
  return diff_table(store, q, a, campaign_id_or_latest(store, q.campaign_b));
}

}  // namespace pade::results

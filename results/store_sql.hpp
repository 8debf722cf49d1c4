#pragma once
// The store's own SQL helpers. Only the store's files (results/store*.cpp) include this header —
// they are the only code that speaks SQL (tests/CMakeLists.txt checks it) — and the tests that
// inspect the schema directly.
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "results/store.hpp"
#include "results/table.hpp"

namespace pade::results {

/// The Store's connection.
[[nodiscard]] SQLite::Database& connection(Store& store);

/// SQL condition on a points/evaluations row aliased `t`: the row is at the fidelity its campaign's
/// Pareto ranks were computed at (provenance 'front_fidelity'; campaigns without it: any). A design
/// screened and then refined has rows at two fidelities; only the refined one carries the rank.
inline constexpr const char* kAtFrontFidelitySql =
    "t.fidelity = coalesce((SELECT pv.value FROM provenance pv WHERE pv.campaign_id = "
    "t.campaign_id "
    "AND pv.key = 'front_fidelity'), t.fidelity)";

/// A value bound to a `?` placeholder (monostate binds NULL).
using SqlValue = std::variant<std::monostate, std::int64_t, double, std::string>;
/// Run `sql` with `binds` and return every row; columns are named by the statement's AS names.
[[nodiscard]] Table sql_table(Store& store, const std::string& sql,
                              std::span<const SqlValue> binds = {});
/// Append every remaining row of `st` to `table` (integers, numbers, text, NULL as they are).
void add_rows(SQLite::Statement& st, Table& table);

/// "a, b, c" (with `prefix` before each name).
[[nodiscard]] std::string column_list(std::span<const std::string_view> names,
                                      std::string_view prefix = {});

}  // namespace pade::results

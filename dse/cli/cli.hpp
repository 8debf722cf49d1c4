#pragma once
// The `pade` command line: one function per verb adds its subcommand to the CLI11 app. Verbs
// return an exit code; bad input surfaces as core::InputError (exit 2), failures while running
// as anything else (exit 1). See main.cpp for the mapping.
#include <CLI/CLI.hpp>

#include <atomic>
#include <functional>
#include <string>

namespace pade::dse::cli {

struct Context {
  std::function<int()> action;                     // the chosen verb's body
  const std::atomic<bool>* interrupted = nullptr;  // set by SIGINT/SIGTERM
};

void add_validate(CLI::App& app, Context& ctx);
void add_eval(CLI::App& app, Context& ctx);
void add_run(CLI::App& app, Context& ctx);
void add_query(CLI::App& app, Context& ctx);
void add_show(CLI::App& app, Context& ctx);
void add_diff(CLI::App& app, Context& ctx);
void add_plot(CLI::App& app, Context& ctx);
void add_report(CLI::App& app, Context& ctx);
void add_workloads(CLI::App& app, Context& ctx);
void add_merge(CLI::App& app, Context& ctx);
void add_compare(CLI::App& app, Context& ctx);
void add_llm(CLI::App& app, Context& ctx);
void add_trace(CLI::App& app, Context& ctx);
void add_ablation(CLI::App& app, Context& ctx);

/// The default campaign shipped inside the binary (dse/data/default-campaign.yaml).
[[nodiscard]] std::string embedded_default_campaign();

}  // namespace pade::dse::cli

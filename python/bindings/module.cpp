// `_pade`: the compiled half of `import pade` (python/pade/__init__.py is the documented API).
// Bad input raises pade.InputError (a ValueError) and failures while running pade.RunError (a
// RuntimeError), with the text the command line prints.
#include <pybind11/stl.h>

#include "core/error.hpp"
#include "models/fidelity.hpp"
#include "pade/version.hpp"
#include "python/bindings/bindings.hpp"

namespace py = pybind11;

PYBIND11_MODULE(_pade, m) {
  m.doc() = "PADE-DSE: design-space exploration of the PADE sparse-attention accelerator";
  m.attr("__version__") = pade::core::kVersion;
  m.attr("git_commit") = pade::core::kGitCommit;
  m.attr("DEFAULT_FIDELITY") = pade::models::kDefaultFidelity;
  static py::exception<pade::core::InputError> input_error(m, "InputError", PyExc_ValueError);
  static py::exception<pade::core::RunError> run_error(m, "RunError", PyExc_RuntimeError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const pade::core::InputError& e) {
      input_error(e.what());
    } catch (const pade::core::RunError& e) {
      run_error(e.what());
    }
  });
  pade::python::bind_evaluate(m);
  pade::python::bind_load(m);
  pade::python::bind_run(m);
  pade::python::bind_space(m);
  pade::python::bind_study(m);
}

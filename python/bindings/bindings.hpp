#pragma once
// The parts of the `_pade` extension module, each added by one function (module.cpp calls them).
#include <pybind11/pybind11.h>

namespace pade::python {

void bind_evaluate(pybind11::module_& m);
void bind_load(pybind11::module_& m);
void bind_run(pybind11::module_& m);
void bind_space(pybind11::module_& m);
void bind_study(pybind11::module_& m);

}  // namespace pade::python

#pragma once
// Ctrl-C while the libraries work with the GIL released: the libraries poll a cancel function
// from any thread; only the thread that called from Python looks at Python's signals (with the
// GIL, at most every 100 ms), and every thread then sees the flag.
#include <pybind11/pybind11.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <thread>

namespace pade::python {

class InterruptWatch {
 public:
  /// The cancel function to hand to the libraries (call with the GIL released).
  [[nodiscard]] std::function<bool()> poller() const {
    return [state = state_] { return state->poll(); };
  }
  [[nodiscard]] bool interrupted() const { return state_->flag.load(); }
  /// With the GIL held: raise the pending KeyboardInterrupt if a signal stopped the work.
  void raise_if_interrupted() const {
    if (state_->flag.load() && PyErr_Occurred() != nullptr) throw pybind11::error_already_set();
  }

 private:
  struct State {
    std::thread::id owner = std::this_thread::get_id();
    std::atomic<bool> flag{false};
    std::chrono::steady_clock::time_point last{};
    bool poll() {
      if (flag.load() || std::this_thread::get_id() != owner) return flag.load();
      const auto now = std::chrono::steady_clock::now();
      if (now - last < std::chrono::milliseconds(100)) return false;
      last = now;
      const pybind11::gil_scoped_acquire gil;
      if (PyErr_CheckSignals() != 0) flag = true;
      return flag.load();
    }
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

}  // namespace pade::python

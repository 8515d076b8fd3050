#pragma once
// Cooperative cancellation on SIGINT, SIGTERM and SIGHUP.
//
// The command line installs the handler; long loops (the Monte Carlo driver, the writer) poll
// `interrupted()` and throw `Interrupted`, so temporary files are removed on the way out and no
// output that looks complete is ever left behind.
#include <atomic>
#include <stdexcept>

namespace cascade {

class Interrupted : public std::runtime_error {
 public:
  Interrupted() : std::runtime_error("interrupted") {}
};

/// Installs SIGINT/SIGTERM/SIGHUP handlers that set the flag (idempotent).
void install_interrupt_handlers();
/// True once SIGINT, SIGTERM or SIGHUP was received (or request_interrupt() called, for tests).
bool interrupted() noexcept;
void request_interrupt() noexcept;
/// Throws Interrupted if interrupted().
inline void throw_if_interrupted() {
  if (interrupted()) throw Interrupted();
}

}  // namespace cascade

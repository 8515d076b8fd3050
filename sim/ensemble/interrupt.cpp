#include "sim/ensemble/interrupt.hpp"

#include <csignal>

namespace cascade {
namespace {
volatile std::sig_atomic_t g_flag = 0;
extern "C" void on_signal(int) { g_flag = 1; }
}  // namespace

void install_interrupt_handlers() {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGHUP, on_signal);  // a closed terminal or a dropped ssh session
}
bool interrupted() noexcept { return g_flag != 0; }
void request_interrupt() noexcept { g_flag = 1; }

}  // namespace cascade

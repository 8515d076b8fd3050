#include "sim/ensemble/mpi_session.hpp"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#ifdef CASCADE_HAVE_MPI
// The C API only: OpenMPI's and MPICH's mpi.h otherwise pull in their deprecated C++ bindings.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

namespace cascade::mpi {

namespace {

int env_int(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return 0;
  return std::atoi(v);
}

#ifdef CASCADE_HAVE_MPI
void check(int rc, const char* what) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING] = {};
  int len = 0;
  MPI_Error_string(rc, text, &len);
  throw std::runtime_error(std::string(what) + ": " + text);
}
#endif

}  // namespace

bool built_with_mpi() noexcept {
#ifdef CASCADE_HAVE_MPI
  return true;
#else
  return false;
#endif
}

bool launched_by_mpi() noexcept {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMI_RANK", "PMIX_RANK"})
    if (std::getenv(v) != nullptr) return true;
  return false;
}

int announced_world_size() noexcept {
  if (const int n = env_int("OMPI_COMM_WORLD_SIZE"); n > 0) return n;
  return std::max(env_int("PMI_SIZE"), 0);
}

int ranks_on_this_node() noexcept {
  for (const char* v : {"OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS"})
    if (const int n = env_int(v); n > 0) return n;
  return 1;
}

Session::Session([[maybe_unused]] int* argc, [[maybe_unused]] char*** argv, bool enable) {
#ifdef CASCADE_HAVE_MPI
  if (!enable) return;
  int provided = 0;
  // Only the main thread calls MPI; TBB workers never do.
  check(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  active_ = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
#else
  (void)enable;
#endif
}

Session::~Session() {
#ifdef CASCADE_HAVE_MPI
  if (active_) MPI_Finalize();
#endif
}

std::vector<std::vector<char>> gather(const Session& session, const std::vector<char>& local) {
  if (!session.active() || session.size() == 1) return {local};
#ifdef CASCADE_HAVE_MPI
  const int size = session.size();
  const bool root = session.rank() == 0;
  long long mine = static_cast<long long>(local.size()), largest = 0;
  std::vector<long long> sizes(root ? static_cast<std::size_t>(size) : 0);
  check(MPI_Gather(&mine, 1, MPI_LONG_LONG, sizes.data(), 1, MPI_LONG_LONG, 0, MPI_COMM_WORLD),
        "MPI_Gather");
  check(MPI_Allreduce(&mine, &largest, 1, MPI_LONG_LONG, MPI_MAX, MPI_COMM_WORLD), "MPI_Allreduce");

  // Counts and displacements of MPI_Gatherv are int: rounds of at most `chunk` bytes per rank,
  // so one round never exceeds INT_MAX bytes in total.
  const long long chunk = std::min<long long>(1LL << 30, INT_MAX / size);
  const long long rounds = (largest + chunk - 1) / chunk;
  std::vector<std::vector<char>> out(root ? static_cast<std::size_t>(size) : 0);
  for (std::size_t k = 0; k < out.size(); ++k) out[k].resize(static_cast<std::size_t>(sizes[k]));
  std::vector<int> counts(out.size()), displs(out.size());
  std::vector<char> buffer;
  for (long long r = 0; r < rounds; ++r) {
    const long long offset = r * chunk;
    const auto part = [&](long long n) {
      return static_cast<int>(std::clamp(n - offset, 0LL, chunk));
    };
    int total = 0;
    for (std::size_t k = 0; k < out.size(); ++k) {
      counts[k] = part(sizes[k]);
      displs[k] = total;
      total += counts[k];
    }
    buffer.resize(static_cast<std::size_t>(total));
    const int send = part(mine);
    check(MPI_Gatherv(send > 0 ? local.data() + offset : nullptr, send, MPI_BYTE, buffer.data(),
                      counts.data(), displs.data(), MPI_BYTE, 0, MPI_COMM_WORLD),
          "MPI_Gatherv");
    for (std::size_t k = 0; k < out.size(); ++k)
      if (counts[k] > 0)
        std::memcpy(out[k].data() + offset, buffer.data() + displs[k],
                    static_cast<std::size_t>(counts[k]));
  }
  return out;
#else
  return {local};
#endif
}

int max_over_ranks(const Session& session, int value) {
  if (!session.active() || session.size() == 1) return value;
#ifdef CASCADE_HAVE_MPI
  int out = value;
  check(MPI_Allreduce(&value, &out, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD), "MPI_Allreduce");
  return out;
#else
  return value;
#endif
}

}  // namespace cascade::mpi

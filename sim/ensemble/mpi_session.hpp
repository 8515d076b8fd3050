#pragma once
// Distributed runs over MPI (`mpirun -n N cascade run ...`, docs/batch.md).
//
// Cascade is built with MPI only when configured with CASCADE_WITH_MPI=ON; otherwise this is a
// one-rank stub and everything here still compiles and runs. Even when built with MPI, MPI is
// initialised only for processes started by an MPI launcher (mpirun, mpiexec, srun with PMI),
// recognised by the variables it sets in the environment, so a plain `cascade run` never pays
// for (or depends on) MPI start-up.
//
// The work split is plain data parallelism: each rank runs a contiguous block of (point, path)
// rows and sends the rows' outcomes, time series and events to rank 0 as byte buffers
// (sim/ensemble/mpi_rows.hpp); rank 0 writes the file. Since a path depends only on (seed, point,
// path), the file is bitwise the one a single process writes.
#include <string>
#include <vector>

namespace cascade::mpi {

/// True when this cascade was built with CASCADE_WITH_MPI=ON.
bool built_with_mpi() noexcept;

/// True when an MPI launcher started this process (OMPI_COMM_WORLD_SIZE, PMI_SIZE, PMI_RANK or
/// PMIX_RANK is set).
bool launched_by_mpi() noexcept;

/// The number of processes the launcher announced (OMPI_COMM_WORLD_SIZE or PMI_SIZE), 0 when
/// unknown.
int announced_world_size() noexcept;

/// The number of ranks on this node (OMPI_COMM_WORLD_LOCAL_SIZE, MPI_LOCALNRANKS), 1 when unknown:
/// the default thread count per rank divides the node's cores by it.
int ranks_on_this_node() noexcept;

/// MPI_Init_thread .. MPI_Finalize for the life of the object when `enable` (and built with MPI);
/// otherwise rank 0 of 1.
class Session {
 public:
  Session(int* argc, char*** argv, bool enable);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  bool active() const noexcept { return active_; }
  int rank() const noexcept { return rank_; }
  int size() const noexcept { return size_; }

 private:
  bool active_ = false;
  int rank_ = 0;
  int size_ = 1;
};

/// Collective: every rank's `local` bytes, on rank 0, one buffer per rank in rank order (other
/// ranks get an empty vector). Any size: sent in rounds of MPI_Gatherv of at most 1 GiB. Without
/// an active session, returns {local}.
std::vector<std::vector<char>> gather(const Session& session, const std::vector<char>& local);

/// Collective: the largest `value` over all ranks (the value itself without a session).
int max_over_ranks(const Session& session, int value);

}  // namespace cascade::mpi

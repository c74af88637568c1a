#include "rapmc/core/mpi_context.h"

#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>

#ifdef RAPMC_HAVE_MPI
#include <mpi.h>
#endif

namespace rapmc {

#ifdef RAPMC_HAVE_MPI
namespace {
void check(int rc, const char* what) {
  if (rc != MPI_SUCCESS) throw std::runtime_error(std::string("MPI call failed: ") + what);
}
bool launched_by_mpirun() {
  return std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMI_SIZE") || std::getenv("PMIX_RANK");
}
}  // namespace

MpiContext::MpiContext(int& argc, char**& argv) {
  if (!launched_by_mpirun()) return;
  int provided = 0;
  check(MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  initialised_ = true;
  check(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "MPI_Comm_rank");
  check(MPI_Comm_size(MPI_COMM_WORLD, &size_), "MPI_Comm_size");
}

MpiContext::~MpiContext() {
  if (initialised_) MPI_Finalize();
}

std::vector<double> MpiContext::gather(const std::vector<double>& mine) const {
  if (size_ == 1) return mine;
  const int n = static_cast<int>(mine.size());
  std::vector<int> counts(static_cast<std::size_t>(size_)), displs(static_cast<std::size_t>(size_));
  check(MPI_Gather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, MPI_COMM_WORLD), "MPI_Gather");
  std::vector<double> all;
  if (rank_ == 0) {
    int total = 0;
    for (int r = 0; r < size_; ++r) {
      displs[r] = total;
      total += counts[r];
    }
    all.resize(static_cast<std::size_t>(total));
  }
  check(MPI_Gatherv(mine.data(), n, MPI_DOUBLE, all.data(), counts.data(), displs.data(),
                    MPI_DOUBLE, 0, MPI_COMM_WORLD),
        "MPI_Gatherv");
  return all;
}

std::uint64_t MpiContext::broadcast(std::uint64_t value) const {
  if (size_ > 1) check(MPI_Bcast(&value, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD), "MPI_Bcast");
  return value;
}

void MpiContext::abort(int code) const {
  if (initialised_) MPI_Abort(MPI_COMM_WORLD, code);
  std::exit(code);
}

SharedCounter::SharedCounter(const MpiContext& mpi, std::uint64_t start) : local_(start) {
  if (mpi.size() == 1) return;
  // The counter lives in rank 0's window; the other ranks expose nothing. The window is owned
  // (window_) as soon as it exists, so that an error after this frees it.
  const MPI_Aint bytes = mpi.is_root() ? sizeof(std::uint64_t) : 0;
  auto owned = std::make_unique<MPI_Win>();
  check(MPI_Win_allocate(bytes, sizeof(std::uint64_t), MPI_INFO_NULL, MPI_COMM_WORLD, &value_,
                         owned.get()),
        "MPI_Win_allocate");
  auto* win = owned.release();
  window_ = win;
  if (mpi.is_root()) {
    check(MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, *win), "MPI_Win_lock");
    *value_ = start;
    check(MPI_Win_unlock(0, *win), "MPI_Win_unlock");
  }
  check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");  // the start value is in place
}

SharedCounter::~SharedCounter() {
  if (!window_) return;
  auto* win = static_cast<MPI_Win*>(window_);
  MPI_Win_free(win);
  delete win;
}

std::uint64_t SharedCounter::take() {
  if (!window_) return local_++;
  auto* win = static_cast<MPI_Win*>(window_);
  const std::uint64_t one = 1;
  std::uint64_t got = 0;
  check(MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, *win), "MPI_Win_lock");
  check(MPI_Fetch_and_op(&one, &got, MPI_UINT64_T, 0, 0, MPI_SUM, *win), "MPI_Fetch_and_op");
  check(MPI_Win_unlock(0, *win), "MPI_Win_unlock");
  return got;
}

bool MpiContext::available() {
  return true;
}

#else

MpiContext::MpiContext(int&, char**&) {}
MpiContext::~MpiContext() = default;
std::vector<double> MpiContext::gather(const std::vector<double>& mine) const {
  return mine;
}
std::uint64_t MpiContext::broadcast(std::uint64_t value) const {
  return value;
}
void MpiContext::abort(int code) const {
  std::exit(code);
}
bool MpiContext::available() {
  return false;
}
SharedCounter::SharedCounter(const MpiContext&, std::uint64_t start) : local_(start) {}
SharedCounter::~SharedCounter() = default;
std::uint64_t SharedCounter::take() {
  return local_++;
}

#endif

}  // namespace rapmc

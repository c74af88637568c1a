// The MPI side of a run (docs/cluster.md). Initialised only when the process was
// started by mpirun (and the build has MPI); otherwise a single rank. Passed by reference to
// the commands that use it; rank 0 gathers and writes.
#pragma once

#include <cstdint>
#include <vector>

namespace rapmc {

class MpiContext {
 public:
  MpiContext(int& argc, char**& argv);
  ~MpiContext();
  MpiContext(const MpiContext&) = delete;
  MpiContext& operator=(const MpiContext&) = delete;
  int rank() const { return rank_; }
  int size() const { return size_; }
  bool is_root() const { return rank_ == 0; }
  /// Marks that ranks now depend on each other: an error from here on aborts the job.
  void set_collective(bool on) { collective_ = on; }
  bool collective() const { return collective_; }
  /// Rank 0 receives every rank's values concatenated in rank order (others get nothing).
  std::vector<double> gather(const std::vector<double>& mine) const;
  /// Rank 0's value, on every rank.
  std::uint64_t broadcast(std::uint64_t value) const;
  /// Ends the whole job with `code` (MPI_Abort), or exits for a single rank.
  [[noreturn]] void abort(int code) const;
  /// True if this build can use MPI.
  static bool available();

 private:
  int rank_ = 0, size_ = 1;
  bool initialised_ = false;
  bool collective_ = false;
};

/// A counter held by rank 0 that every rank takes numbers from without the others waiting
/// (MPI one-sided fetch-and-add on a window): dynamic claiming of work. Construction and
/// destruction are collective; take() is called from the thread that initialised MPI.
class SharedCounter {
 public:
  SharedCounter(const MpiContext& mpi, std::uint64_t start);
  ~SharedCounter();
  SharedCounter(const SharedCounter&) = delete;
  SharedCounter& operator=(const SharedCounter&) = delete;
  /// The next number (start, start + 1, ... over all ranks together).
  std::uint64_t take();

 private:
  std::uint64_t local_;     // a single rank's counter
  void* window_ = nullptr;  // MPI_Win, when several ranks share the counter
  std::uint64_t* value_ = nullptr;
};

}  // namespace rapmc

// One writer per results file: an exclusive advisory lock on the file (a Linux open-file-
// description lock, fcntl F_OFD_SETLK), held while a run or merge writes it. A results file is
// written in HDF5's single-writer/multiple-reader mode, in which HDF5 itself no longer locks the
// file, so without this a second `run --resume` or `--force` on the same file could interleave
// its writes with the first's. Readers take no lock. The kernel drops the lock when the holder
// exits, however it exits (a killed run leaves no stale lock).
#pragma once

#include <string>

namespace rapmc {

class WriterLock {
 public:
  /// Locks `path` (which must exist). IoError naming it if another process holds the lock; a
  /// warning, and no lock, where the file system has none (NFS without a lock daemon).
  explicit WriterLock(const std::string& path);
  ~WriterLock();
  WriterLock(WriterLock&& other) noexcept;
  WriterLock& operator=(WriterLock&&) = delete;
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace rapmc

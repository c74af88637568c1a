#include "rapmc/io/writer_lock.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "rapmc/core/errors.h"

namespace rapmc {

WriterLock::WriterLock(const std::string& path) {
  fd_ = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd_ < 0) throw IoError(path + ": cannot open to lock it (" + std::strerror(errno) + ")");
  struct flock l {};
  l.l_type = F_WRLCK;
  l.l_whence = SEEK_SET;  // l_start = l_len = 0: the whole file
  if (::fcntl(fd_, F_OFD_SETLK, &l) != 0) {
    const int e = errno;
    ::close(fd_);
    fd_ = -1;
    if (e == EAGAIN || e == EACCES) {
      throw IoError(path +
                    ": another rapmc process is writing this file (wait for it to end, or "
                    "stop it, then --resume)");
    }
    // A file system without locks (NFS without a lock daemon: ENOLCK): go on unguarded.
    std::fprintf(stderr,
                 "rapmc: warning: %s: cannot lock it (%s); nothing stops a second process from "
                 "writing it meanwhile\n",
                 path.c_str(), std::strerror(e));
  }
}

WriterLock::~WriterLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the description releases its lock
}

WriterLock::WriterLock(WriterLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

}  // namespace rapmc

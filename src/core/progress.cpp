#include "rapmc/core/progress.h"

#include <unistd.h>

#include <cstdio>

namespace rapmc {

Progress::Progress(std::string label, std::size_t total, std::string unit, ProgressDisplay display)
    : label_(std::move(label)),
      unit_(std::move(unit)),
      total_(total),
      enabled_(display == ProgressDisplay::AUTO && isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_.time_since_epoch().count()) {}

Progress::~Progress() {
  if (!finished_ && enabled_) std::fputc('\n', stderr);
}

void Progress::advance(std::size_t n) {
  done_.fetch_add(n, std::memory_order_relaxed);
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  const std::chrono::steady_clock::duration since(now.time_since_epoch().count() -
                                                  last_draw_.load(std::memory_order_relaxed));
  if (since < std::chrono::milliseconds(200)) return;
  std::unique_lock lock(draw_mutex_, std::try_to_lock);
  if (!lock.owns_lock()) return;
  last_draw_.store(now.time_since_epoch().count(), std::memory_order_relaxed);
  draw(false);
}

void Progress::finish() {
  if (finished_) return;
  finished_ = true;
  if (!enabled_) return;
  std::lock_guard lock(draw_mutex_);
  draw(true);
}

void Progress::start_at(std::size_t n) {
  base_ = n;
  done_.store(n, std::memory_order_relaxed);
}

void Progress::set_note(std::string note) {
  std::lock_guard lock(draw_mutex_);
  note_ = std::move(note);
}

void Progress::draw(bool final) {
  const std::size_t done = done_.load(std::memory_order_relaxed);
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = secs > 0 ? static_cast<double>(done - base_) / secs : 0.0;
  const double left = rate > 0 ? static_cast<double>(total_ - std::min(done, total_)) / rate : 0.0;
  const double pct =
      total_ ? 100.0 * static_cast<double>(done) / static_cast<double>(total_) : 100.0;
  std::fprintf(stderr, "\r%s: %zu/%zu %s (%.0f%%) %.2f %s/s, %s %.0f s %s   ", label_.c_str(), done,
               total_, unit_.c_str(), pct, rate, unit_.c_str(), final ? "took" : "left",
               final ? secs : left, note_.c_str());
  if (final) std::fputc('\n', stderr);
  std::fflush(stderr);
}

}  // namespace rapmc

// Progress line on a terminal for long runs (stderr, only when it is a TTY).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>

namespace rapmc {

enum class ProgressDisplay { AUTO, OFF };

/// Thread-safe counter that redraws "label: done/total (pct) rate, time left" at most
/// a few times a second. Silent when stderr is not a terminal or display is OFF.
class Progress {
 public:
  Progress(std::string label, std::size_t total, std::string unit,
           ProgressDisplay display = ProgressDisplay::AUTO);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  /// Counts `n` more items done; may redraw.
  void advance(std::size_t n = 1);
  /// Draws the final line and ends it with a newline.
  void finish();
  /// Counts `n` items as done before this run (a resume): not part of the rate.
  void start_at(std::size_t n);
  /// Text appended to the line (e.g. a running mean); drawn at the next update.
  void set_note(std::string note);

 private:
  void draw(bool final);
  std::string label_;
  std::string unit_;
  std::size_t total_;
  bool enabled_;
  bool finished_ = false;
  std::atomic<std::size_t> done_{0};
  std::size_t base_ = 0;
  std::string note_;
  std::mutex draw_mutex_;
  std::chrono::steady_clock::time_point start_;
  // When the line was last drawn (steady_clock ticks): read by every advancing thread.
  std::atomic<std::chrono::steady_clock::rep> last_draw_;
};

}  // namespace rapmc

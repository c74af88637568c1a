// Golden regression: small campaigns whose outcomes (/trials, /statistics, /convergence,
// /reference, per point) must equal the committed dumps in golden/ to the last bit. It catches
// a change that moves every trial alike, which the self-consistency tests (threads, shards,
// resume) cannot see. regenerate.sh rewrites the goldens; a change of goldens is explained in
// its commit.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "../unit/test_support.h"
#include "results_dump.h"

using namespace rapmc::test;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(),
                  "golden file missing: " << path << " (tests/regression/regenerate.sh writes it)");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The first line where the two dumps differ, both sides, for the failure message.
std::string first_difference(const std::string& want, const std::string& got) {
  std::istringstream a(want), b(got);
  std::string la, lb;
  for (int line = 1;; ++line) {
    const bool ha = static_cast<bool>(std::getline(a, la)),
               hb = static_cast<bool>(std::getline(b, lb));
    if (!ha && !hb) return "";
    if (!ha || !hb || la != lb) {
      return "line " + std::to_string(line) + "\n  golden: " + (ha ? la.substr(0, 300) : "<end>") +
             "\n  now:    " + (hb ? lb.substr(0, 300) : "<end>");
    }
  }
}

void check_golden(const std::string& name, const std::string& threads) {
  TempDir dir;
  const std::string out = dir.file(name + ".h5");
  const auto r = run_rapmc("run " + source_path("tests/regression/campaigns/" + name + ".toml") +
                           " --out " + out + " --threads " + threads + " --no-progress --quiet");
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  const std::string want = read_text(source_path("tests/regression/golden/" + name + ".txt"));
  const std::string got = dump_results(out);
  const std::string diff = first_difference(want, got);
  CHECK_MESSAGE(diff.empty(), name << ": results differ from the golden at " << diff);
}

}  // namespace

TEST_CASE("golden: RAP, all variation sources, attention on the chip, uniform temperature") {
  check_golden("rap", "2");
}

TEST_CASE("golden: conventional dense SAR, dyadic requantization, FF at 85 C") {
  check_golden("conventional", "1");
}

TEST_CASE("golden: linked sweep crossed with the supply reference") {
  check_golden("sweep", "2");
}

TEST_CASE("the dump sees a changed value") {
  // The comparison itself: a golden with one digit changed must not match.
  const std::string want = "/trials/accuracy = [2]\n  0.5 0.25\n";
  CHECK(first_difference(want, want).empty());
  CHECK_FALSE(first_difference(want, "/trials/accuracy = [2]\n  0.5 0.26\n").empty());
  CHECK_FALSE(first_difference(want, want + "/extra = [0]\n").empty());
}

// core/enum_names.h: the one names table per enum and its checked conversions, and the tables
// the readers use (hardware keys, campaign keys, pipelines, requantization, model kinds).
#include "rapmc/core/enum_names.h"

#include <doctest/doctest.h>

#include <stdexcept>

#include "rapmc/core/errors.h"
#include "rapmc/infer/pipeline.h"
#include "rapmc/io/toml_reader.h"
#include "rapmc/model/architecture.h"
#include "rapmc/pim/hardware.h"
#include "rapmc/quant/calibration.h"
#include "rapmc/quant/int_model.h"
#include "test_support.h"

using namespace rapmc;

namespace {
enum class Fruit { APPLE, PEAR, PLUM };
constexpr EnumNames<Fruit, 2> FRUITS{{{Fruit::PEAR, "pear"}, {Fruit::APPLE, "apple"}}};
}  // namespace

TEST_CASE("enum names: both ways through the table, in table order") {
  CHECK(name_of(FRUITS, Fruit::APPLE) == "apple");
  CHECK(index_of(FRUITS, Fruit::PEAR) == 0);
  CHECK(value_at(FRUITS, 1) == Fruit::APPLE);
  CHECK(find_value(FRUITS, "pear") == Fruit::PEAR);
  CHECK_FALSE(find_value(FRUITS, "plum").has_value());
  CHECK_FALSE(find_value(FRUITS, "Pear").has_value());
  CHECK(names_of(FRUITS) == std::vector<std::string>{"pear", "apple"});
  CHECK(joined_names(FRUITS) == "pear|apple");
  static_assert(name_of(FRUITS, Fruit::PEAR) == "pear");  // usable in constant expressions
  constexpr auto ONLY_APPLE = subset_of(FRUITS, std::array{Fruit::APPLE});
  CHECK(joined_names(ONLY_APPLE) == "apple");
}

TEST_CASE("enum names: a value or index outside the table is an error, never an index past it") {
  CHECK_THROWS_AS(name_of(FRUITS, Fruit::PLUM), std::logic_error);
  CHECK_THROWS_AS(index_of(FRUITS, static_cast<Fruit>(7)), std::logic_error);
  CHECK_THROWS_AS(value_at(FRUITS, -1), std::logic_error);
  CHECK_THROWS_AS(value_at(FRUITS, 2), std::logic_error);
  CHECK_THROWS_AS(to_string(static_cast<AdcType>(3)), std::logic_error);
  CHECK_THROWS_AS(to_string(static_cast<Pipeline>(-1)), std::logic_error);
  CHECK_THROWS_AS(to_string(static_cast<RequantMode>(2)), std::logic_error);
}

TEST_CASE("enum names: read_choice keeps get_choice's fallback and messages") {
  TomlReader r = TomlReader::from_string("a = \"apple\"\nb = \"plum\"\n", "f.toml");
  CHECK(read_choice(r, "a", Fruit::PEAR, FRUITS) == Fruit::APPLE);
  CHECK(read_choice(r, "b", Fruit::PEAR, FRUITS) == Fruit::PEAR);    // bad value: fallback
  CHECK(read_choice(r, "c", Fruit::APPLE, FRUITS) == Fruit::APPLE);  // absent: fallback
  CHECK_THROWS_WITH_AS(r.finish(), test::has("'b' = 'plum' is not one of pear|apple"), ConfigError);
}

TEST_CASE("enum names: the readers' tables keep their names") {
  CHECK(pipeline_names() == "fp32|ptq-dqq|flare");
  for (const auto& [p, n] : PIPELINE_NAMES) CHECK(parse_pipeline(n) == p);
  CHECK(to_string(Pipeline::PTQ_DQQ) == "ptq-dqq");
  CHECK(to_string(RequantMode::DYADIC) == "dyadic");
  CHECK(parse_requant_mode("emsb") == RequantMode::EMSB);
  CHECK_THROWS_WITH_AS(parse_requant_mode("fp"),
                       "--requant: unknown requantization mode 'fp' (expected emsb|dyadic)",
                       ConfigError);
  CHECK(to_string(Calibrator::MINMAX) == "minmax");
  CHECK(parse_calibrator("percentile") == Calibrator::PERCENTILE);
  CHECK_THROWS_WITH_AS(parse_calibrator("max"),
                       "--calibrator: unknown calibrator 'max' (expected minmax|percentile)",
                       ConfigError);
  CHECK(to_string(Architecture::BERT) == "bert");
  CHECK(to_string(WeightMapping::DIFFERENTIAL) == "differential");
  CHECK(to_string(OffCurrent::NONE) == "none");
  CHECK(to_string(IrSolver::EXACT) == "exact");
  CHECK(to_string(CalibrationColumn::MID_ARRAY) == "mid_array");
}

#include "rapmc/tails/count_distribution.h"

#include <cmath>

#include "rapmc/infer/evaluate.h"
#include "rapmc/infer/pipeline_factory.h"
#include "rapmc/pim/chip.h"
#include "rapmc/pim/pim_mvm.h"

namespace rapmc::tails {

std::vector<std::uint64_t> count_histogram(const Campaign& c, const CampaignPoint& p,
                                           const CampaignInputs& in) {
  const pim::ChipInstance chip(in.int_model, p.hardware);
  const pim::PimMvm engine(chip, in.int_model.settings.act_bits, pim::NoiseDraws::LAZY,
                           pim::CountHistogram::ON);
  const auto pipeline =
      make_pipeline(c.pipeline, c.requant, &in.int_model, in.fp32_or_null(), engine);
  EvalOptions quiet;
  quiet.progress = ProgressDisplay::OFF;
  evaluate(*pipeline, in.int_model.num_classes, in.images, quiet);
  return pim::total(engine.counters()).count_hist;
}

std::pair<double, double> weighted_rate(const std::vector<std::uint64_t>& h,
                                        const std::vector<double>& p,
                                        const std::vector<double>& std_error) {
  double total = 0;
  for (std::uint64_t n : h) total += static_cast<double>(n);
  double mean = 0, var = 0;
  for (std::size_t c = 0; c < h.size() && c < p.size(); ++c) {
    const double w = static_cast<double>(h[c]) / total;
    mean += w * p[c];
    var += w * w * std_error[c] * std_error[c];
  }
  return {mean, std::sqrt(var)};
}

}  // namespace rapmc::tails

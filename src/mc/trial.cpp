#include "rapmc/mc/trial.h"

#include <cmath>
#include <limits>

#include "rapmc/eval/evaluate.h"
#include "rapmc/eval/quantized_pipeline.h"
#include "rapmc/pim/chip.h"
#include "rapmc/pim/cost.h"
#include "rapmc/pim/pim_mvm.h"
#include "rapmc/variation/pvt_sampler.h"

namespace rapmc {
TrialSetup make_trial_setup(const Campaign& c, const CampaignPoint& p, const IntModel& q, const VitModel* fp32,
                            const ImageSet& images) {
  TrialSetup s;
  s.campaign = &c;
  s.point = &p;
  s.int_model = &q;
  s.fp32 = fp32;
  s.images = &images;
  s.layers = pim::ChipInstance::counter_names_for(q, p.hardware);
  const DigitalMvm digital;
  const QuantizedPipeline engine(c.pipeline, c.requant, q, fp32, digital);
  EvalOptions quiet;
  quiet.progress = ProgressDisplay::OFF;
  const EvalResult ideal = evaluate(engine, q.num_classes, images, quiet);
  s.ideal_logits = ideal.logits;
  s.ideal_predictions = ideal.predictions;
  return s;
}

TrialRecord run_trial(const TrialSetup& s, std::uint64_t trial) {
  const Campaign& c = *s.campaign;
  const CampaignPoint& p = *s.point;
  TrialRecord rec;
  rec.trial = trial;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  rec.metrics.assign(trial_metric_names().size(), nan);
  rec.layer_sqnr_db.assign(s.layers.size(), nan);
  rec.layer_code_error_rate.assign(s.layers.size(), nan);
  rec.dcode_hist.assign(pim::DCODE_BINS, 0);
  rec.margin_hist.assign(pim::MARGIN_BINS, 0);
  try {
    const OperatingPoint op =
        sample_operating_point(p.variation, p.corner, p.temp_mode, p.temp_min_c, p.temp_max_c, c.seed, trial);
    const PvtSampler sampler(p.variation, op, p.hardware, c.seed, trial);
    const pim::ChipInstance chip(*s.int_model, p.hardware, sampler);
    const pim::PimMvm pim(chip, s.int_model->settings.act_bits);
    const QuantizedPipeline engine(c.pipeline, c.requant, *s.int_model, s.fp32, pim);
    // Images in order on this thread: the trial is one task, its result a pure function.
    const ImageSet& images = *s.images;
    std::size_t correct = 0, flips = 0;
    double signal = 0, noise = 0;
    for (std::size_t i = 0; i < images.size(); ++i) {
      const arma::vec logits = engine.logits(images.image(i));
      const int pred = argmax(logits);
      correct += pred == images.labels[i];
      flips += pred != s.ideal_predictions[i];
      const arma::vec ideal = s.ideal_logits.col(i);
      signal += arma::dot(ideal, ideal);
      noise += arma::dot(logits - ideal, logits - ideal);
    }
    rec.counters = pim.counters();
    const pim::LayerCounters t = pim::total(rec.counters);
    const pim::CostReport cost = pim::estimate_cost(p.hardware, chip, t, images.size());
    const double n = static_cast<double>(images.size());
    const auto conv = static_cast<double>(t.conversions);
    std::uint64_t ge2 = 0;
    for (int b = 2; b < pim::DCODE_BINS; ++b) ge2 += t.dcode_hist[b];
    const std::vector<double> values{static_cast<double>(correct) / n,
                                     static_cast<double>(flips) / n,
                                     noise == 0 ? std::numeric_limits<double>::infinity() : 10.0 * std::log10(signal / noise),
                                     conv ? static_cast<double>(t.code_errors) / conv : 0.0,
                                     conv ? static_cast<double>(ge2) / conv : 0.0,
                                     conv ? static_cast<double>(t.saturations) / conv : 0.0,
                                     t.margin_min_lsb,
                                     t.margin_quantile_lsb(0.01),
                                     t.margin_quantile_lsb(0.5),
                                     cost.reads,
                                     cost.conversions,
                                     cost.energy_j,
                                     cost.energy_adc_j,
                                     cost.area_mm2,
                                     cost.area_adc_mm2,
                                     op.vdd_v,
                                     op.temp_c,
                                     op.g_on_shift,
                                     op.g_off_shift,
                                     op.adc_gain_shift,
                                     op.adc_offset_lsb};
    rec.metrics = values;
    rec.dcode_hist.assign(t.dcode_hist.begin(), t.dcode_hist.end());
    rec.margin_hist.assign(t.margin_hist.begin(), t.margin_hist.end());
    for (std::size_t l = 0; l < s.layers.size(); ++l) {
      const auto it = rec.counters.find(s.layers[l]);
      if (it == rec.counters.end()) continue;
      rec.layer_sqnr_db[l] = it->second.mvm_sqnr_db();
      // A layer kept digital (hardware.schedule.analog_layers) converts nothing: NaN, not 0.
      rec.layer_code_error_rate[l] = it->second.conversions ? static_cast<double>(it->second.code_errors) /
                                                                  static_cast<double>(it->second.conversions)
                                                            : std::numeric_limits<double>::quiet_NaN();
    }
  } catch (const std::exception& e) {
    rec.status = TrialStatus::FAILED;
    rec.error = e.what();
  }
  return rec;
}

}  // namespace rapmc

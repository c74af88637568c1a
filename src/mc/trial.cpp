#include "rapmc/mc/trial.h"

#include <cmath>
#include <limits>

#include "rapmc/core/errors.h"
#include "rapmc/core/parallel_for.h"
#include "rapmc/infer/evaluate.h"
#include "rapmc/infer/pipeline_factory.h"
#include "rapmc/pim/chip.h"
#include "rapmc/pim/cost.h"
#include "rapmc/pim/pim_mvm.h"
#include "rapmc/variation/die_sampling.h"
#include "rapmc/variation/pvt_sampler.h"

namespace rapmc {
TrialSetup make_trial_setup(const Campaign& c, const CampaignPoint& p, const IntModel& q,
                            const EncoderModel* fp32, const SampleSet& images) {
  TrialSetup s;
  s.campaign = &c;
  s.point = &p;
  s.int_model = &q;
  s.fp32 = fp32;
  s.images = &images;
  s.layers = pim::ChipInstance::counter_names_for(q, p.hardware);
  const DigitalMvm digital;
  const auto engine = make_pipeline(c.pipeline, c.requant, &q, fp32, digital);
  EvalOptions quiet;
  quiet.progress = ProgressDisplay::OFF;
  const EvalResult ideal = evaluate(*engine, q.num_classes, images, quiet);
  s.ideal_logits = ideal.logits;
  s.ideal_predictions = ideal.predictions;
  s.ideal_accuracy = ideal.accuracy;
  const VariationConfig& v = p.variation;
  if (p.age && c.mission.inference_rate_hz > 0 &&
      (v.read_disturb_per_read > 0 || v.endurance_cycles > 0)) {
    // The workload's wear, counted by the engine on the nominal chip over the images.
    const pim::ChipInstance chip(q, p.hardware);
    const pim::PimMvm pim(chip, q.settings.act_bits, pim::NoiseDraws::LAZY,
                          pim::CountHistogram::OFF, pim::WearCounts::ON);
    const auto counted = make_pipeline(c.pipeline, c.requant, &q, fp32, pim);
    (void)evaluate(*counted, q.num_classes, images, quiet);
    s.wear = pim::wear_profile(pim.counters(), images.size());
  }
  return s;
}

namespace {

// The die's columns: its operating point and weight (known before the chip is built, so a
// failing chip keeps them; they count in the weighted yield).
void record_die(TrialRecord& rec, const DieDraw& die, double sigma_scale) {
  auto set = [&](TrialMetric m, double v) { rec.metrics[index_of(m)] = v; };
  using enum TrialMetric;
  set(VDD_V, die.op.vdd_v);
  set(TEMP_C, die.op.temp_c);
  set(G_ON_SHIFT, die.op.g_on_shift);
  set(G_OFF_SHIFT, die.op.g_off_shift);
  set(ADC_GAIN_SHIFT, die.op.adc_gain_shift);
  set(ADC_OFFSET_LSB, die.op.adc_offset_lsb);
  set(WEIGHT, die.weight);
  set(SIGMA_SCALE, sigma_scale);
}

// The record's metrics (by id, TrialMetric), histograms and per-layer columns from the trial's
// counts and its chip's counters.
void record_metrics(TrialRecord& rec, const TrialSetup& s, const pim::ChipInstance& chip,
                    std::size_t images, std::size_t correct, std::size_t flips, double signal,
                    double noise) {
  const pim::LayerCounters t = pim::total(rec.counters);
  const pim::CostReport cost = pim::estimate_cost(s.point->hardware, chip, t, images);
  const double n = static_cast<double>(images);
  auto set = [&](TrialMetric m, double v) { rec.metrics[index_of(m)] = v; };
  using enum TrialMetric;
  set(ACCURACY, static_cast<double>(correct) / n);
  set(FLIP_RATE, static_cast<double>(flips) / n);
  set(LOGIT_SQNR_DB,
      noise == 0 ? std::numeric_limits<double>::infinity() : 10.0 * std::log10(signal / noise));
  set(LOGIT_SIGNAL_POWER, signal);
  set(LOGIT_ERROR_POWER, noise);
  set(CODE_ERROR_RATE, t.code_error_rate());
  set(DCODE_GE2_RATE, t.dcode_ge2_rate());
  set(SATURATION_RATE, t.saturation_rate());
  set(MARGIN_MIN_LSB, t.margin_min_lsb);
  set(MARGIN_P01_LSB, t.margin_quantile_lsb(0.01));
  set(MARGIN_P50_LSB, t.margin_quantile_lsb(0.5));
  set(READS, cost.reads);
  set(CONVERSIONS, cost.conversions);
  set(ENERGY_J, cost.energy_j);
  set(ENERGY_ADC_J, cost.energy_adc_j);
  set(AREA_MM2, cost.area_mm2);
  set(AREA_ADC_MM2, cost.area_adc_mm2);
  rec.dcode_hist.assign(t.dcode_hist.begin(), t.dcode_hist.end());
  rec.margin_hist.assign(t.margin_hist.begin(), t.margin_hist.end());
  for (std::size_t l = 0; l < s.layers.size(); ++l) {
    const auto it = rec.counters.find(s.layers[l]);
    if (it == rec.counters.end()) continue;
    rec.layers[l] = layer_metric_values(it->second);
  }
}

}  // namespace

TrialRecord run_trial(const TrialSetup& s, std::uint64_t trial) {
  const Campaign& c = *s.campaign;
  const CampaignPoint& p = *s.point;
  TrialRecord rec;
  rec.trial = trial;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  rec.metrics.fill(nan);
  rec.layers.assign(s.layers.size(), no_layer_metric_values());
  rec.dcode_hist.assign(pim::DCODE_BINS, 0);
  rec.margin_hist.assign(pim::MARGIN_BINS, 0);
  rec.predictions.assign(s.images->size(), -1);
  DieDraw die = sample_die(p.variation, p.corner, p.temp_mode, p.temp_min_c, p.temp_max_c,
                           p.sampling, c.seed, trial);
  if (p.age) apply_age(die.op, *p.age);
  record_die(rec, die, p.sampling.sigma_scale);
  try {
    const PvtSampler sampler(p.variation, die.op, p.hardware, c.seed, trial, &s.wear);
    const pim::ChipInstance chip(*s.int_model, p.hardware, sampler);
    const pim::PimMvm pim(chip, s.int_model->settings.act_bits);
    const auto engine = make_pipeline(c.pipeline, c.requant, s.int_model, s.fp32, pim);
    // The images in parallel (every noise variable is keyed by its image, not by order);
    // each image's numbers stored at its index and summed in index order, so that the record
    // does not depend on the thread count.
    const SampleSet& images = *s.images;
    const std::size_t n = images.size();
    std::vector<int> preds(n);
    std::vector<double> signals(n), noises(n);
    parallel_for(std::size_t{0}, n, [&](std::size_t i) {
      const arma::vec logits = engine->logits(images.sample(i), i);
      preds[i] = argmax(logits);
      const arma::vec ideal = s.ideal_logits.col(i);
      signals[i] = arma::dot(ideal, ideal);
      noises[i] = arma::dot(logits - ideal, logits - ideal);
    });
    std::size_t correct = 0, flips = 0;
    double signal = 0, noise = 0;
    for (std::size_t i = 0; i < n; ++i) {
      correct += preds[i] == images.labels[i];
      flips += preds[i] != s.ideal_predictions[i];
      signal += signals[i];
      noise += noises[i];
    }
    rec.predictions.assign(preds.begin(), preds.end());
    rec.counters = pim.counters();
    record_metrics(rec, s, chip, images.size(), correct, flips, signal, noise);
  } catch (const ChipFailure& e) {  // a chip that cannot work: a failed trial, the campaign goes on
    rec.status = TrialStatus::FAILED;
    rec.error = e.what();
  } catch (const std::exception& e) {  // a bug: the campaign stops (results/campaign_run.cpp)
    rec.status = TrialStatus::INTERNAL_ERROR;
    rec.error = e.what();
  }
  return rec;
}

}  // namespace rapmc

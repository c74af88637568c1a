#include "rapmc/infer/evaluate.h"

#include <chrono>
#include <cmath>
#include <limits>

#include "rapmc/core/errors.h"
#include "rapmc/core/parallel_for.h"
#include "rapmc/infer/fp32_engine.h"

namespace rapmc {

int argmax(const arma::vec& v) {
  arma::uword best = 0;
  for (arma::uword i = 1; i < v.n_elem; ++i)
    if (v(i) > v(best)) best = i;
  return static_cast<int>(best);
}

EvalResult evaluate(const InferenceEngine& engine, int num_classes, const SampleSet& images,
                    const EvalOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  EvalResult r;
  r.n = images.size();
  r.logits.set_size(static_cast<arma::uword>(num_classes), r.n);
  r.predictions.assign(r.n, -1);
  Progress progress(options.label, r.n, "img", options.progress);
  parallel_for(
      std::size_t{0}, r.n,
      [&](std::size_t i) {
        const arma::vec logits = engine.logits(images.sample(i), i);
        r.logits.col(i) = logits;
        r.predictions[i] = argmax(logits);
        progress.advance(1);
      },
      std::size_t{16});
  progress.finish();
  for (std::size_t i = 0; i < r.n; ++i)
    if (r.predictions[i] == images.labels[i]) ++r.correct;
  r.accuracy = static_cast<double>(r.correct) / static_cast<double>(r.n);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

EvalResult evaluate(const EncoderModel& model, const SampleSet& images,
                    const EvalOptions& options) {
  check_input_shape(images, model.input());
  return evaluate(Fp32Engine(model), static_cast<int>(model.config.num_classes), images, options);
}

double agreement(const EvalResult& a, const EvalResult& reference) {
  std::size_t same = 0;
  for (std::size_t i = 0; i < a.n; ++i)
    if (a.predictions[i] == reference.predictions[i]) ++same;
  return a.n ? static_cast<double>(same) / static_cast<double>(a.n) : 0.0;
}

double sqnr_db(const EvalResult& test, const EvalResult& reference) {
  const double signal = arma::accu(arma::square(reference.logits));
  const double noise = arma::accu(arma::square(test.logits - reference.logits));
  if (noise == 0) return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(signal / noise);
}

}  // namespace rapmc

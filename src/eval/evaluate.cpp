#include "rapmc/eval/evaluate.h"

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>

#include <chrono>

#include "rapmc/core/errors.h"
#include "rapmc/model/fp32_forward.h"

namespace rapmc {

void check_compatible(const VitModel& model, const ImageSet& images) {
  const VitConfig& c = model.config;
  if (images.rows != static_cast<std::size_t>(c.image_size) ||
      images.cols != static_cast<std::size_t>(c.image_size) ||
      images.channels != static_cast<std::size_t>(c.channels)) {
    throw DataError("dataset '" + images.name + "' has " + std::to_string(images.channels) + "x" +
                    std::to_string(images.rows) + "x" + std::to_string(images.cols) + " images but model " +
                    model.source + " expects " + std::to_string(c.channels) + "x" +
                    std::to_string(c.image_size) + "x" + std::to_string(c.image_size));
  }
  if (images.size() == 0) throw DataError("dataset '" + images.name + "' holds no images");
}

int argmax(const arma::vec& v) {
  arma::uword best = 0;
  for (arma::uword i = 1; i < v.n_elem; ++i)
    if (v(i) > v(best)) best = i;
  return static_cast<int>(best);
}

EvalResult evaluate(const VitModel& model, const ImageSet& images, const EvalOptions& options) {
  check_compatible(model, images);
  const auto start = std::chrono::steady_clock::now();
  EvalResult r;
  r.pipeline = options.pipeline;
  r.n = images.size();
  r.logits.set_size(static_cast<arma::uword>(model.config.num_classes), r.n);
  r.predictions.assign(r.n, -1);

  const Fp32Inference fp32(model);
  Progress progress("eval " + to_string(options.pipeline), r.n, "img", options.progress);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, r.n, 16), [&](const auto& range) {
    for (std::size_t i = range.begin(); i != range.end(); ++i) {
      const arma::vec logits = fp32.forward(images.image(i));
      r.logits.col(i) = logits;
      r.predictions[i] = argmax(logits);
    }
    progress.advance(range.size());
  });
  progress.finish();
  for (std::size_t i = 0; i < r.n; ++i)
    if (r.predictions[i] == images.labels[i]) ++r.correct;
  r.accuracy = static_cast<double>(r.correct) / static_cast<double>(r.n);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace rapmc

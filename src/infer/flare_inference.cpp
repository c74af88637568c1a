#include "rapmc/infer/flare_inference.h"

#include <algorithm>
#include <climits>
#include <span>
#include <string>

#include "rapmc/core/errors.h"
#include "rapmc/data/token_record.h"
#include "rapmc/kernels/fixed_point.h"
#include "rapmc/kernels/nonlinear.h"
#include "rapmc/kernels/requant.h"

namespace rapmc {
namespace {

using kern::mul_shift_round;
using kern::saturate;
using kern::shift_round;

constexpr Dyadic ONE{std::int64_t{1} << (DYADIC_BITS - 1), 1 - DYADIC_BITS};

// Wide integers with one power-of-two exponent per row: value[r][c] = v[r·cols + c]·2^e[r].
struct Wide {
  int rows = 0, cols = 0;
  std::vector<std::int64_t> v;
  std::vector<int> e;
  Wide(int r, int c, int exp = 0)
      : rows(r), cols(c), v(static_cast<std::size_t>(r) * c), e(r, exp) {}
  std::int64_t* row(int r) { return v.data() + static_cast<std::ptrdiff_t>(r) * cols; }
  const std::int64_t* row(int r) const { return v.data() + static_cast<std::ptrdiff_t>(r) * cols; }
};

// Narrow MVM inputs: int8 per element and one exponent per row. In the dyadic mode the
// exponent is 0 and the (static, calibrated) scale lives in the next layer's multipliers.
struct Act8 {
  int rows = 0, cols = 0;
  std::vector<std::int8_t> v;
  std::vector<int> e;
  Act8(int r, int c) : rows(r), cols(c), v(static_cast<std::size_t>(r) * c), e(r, 0) {}
  const std::int8_t* row(int r) const { return v.data() + static_cast<std::ptrdiff_t>(r) * cols; }
};

enum class Granularity { PER_TOKEN, PER_TENSOR };

// Columns [col0, col0 + n) of `w` to `bits`-bit integers. eMSB: a window below the effective
// MSB of each row (PER_TOKEN) or of the whole block (PER_TENSOR, rows first aligned to the
// finest exponent, exactly). Dyadic: q = sat(round(value·rq)), rq = 1/scale of the target.
Act8 requantize(const Wide& w, int col0, int n, Granularity g, RequantMode mode, Dyadic rq,
                int bits) {
  Act8 out(w.rows, n);
  std::vector<std::int32_t> tmp(static_cast<std::size_t>(w.rows) * n);
  if (mode == RequantMode::DYADIC) {
    for (int r = 0; r < w.rows; ++r)
      for (int c = 0; c < n; ++c)
        out.v[static_cast<std::size_t>(r) * n + c] = static_cast<std::int8_t>(
            saturate(mul_shift_round(w.row(r)[col0 + c], rq.m, -(rq.e + w.e[r])), bits));
    return out;
  }
  if (g == Granularity::PER_TOKEN) {
    for (int r = 0; r < w.rows; ++r) {
      const std::span<std::int32_t> t(tmp.data() + static_cast<std::ptrdiff_t>(r) * n, n);
      out.e[r] =
          w.e[r] + kern::requant_emsb({w.row(r) + col0, static_cast<std::size_t>(n)}, bits, t);
    }
  } else {
    const int emin = *std::min_element(w.e.begin(), w.e.end());
    std::vector<std::int64_t> aligned(tmp.size());
    for (int r = 0; r < w.rows; ++r)
      for (int c = 0; c < n; ++c)
        aligned[static_cast<std::size_t>(r) * n + c] =
            shift_round(w.row(r)[col0 + c], emin - w.e[r]);
    const int s = kern::requant_emsb(aligned, bits, tmp);
    std::fill(out.e.begin(), out.e.end(), emin + s);
  }
  std::copy(tmp.begin(), tmp.end(), out.v.begin());  // |tmp| < 2^(bits-1) <= 128
  return out;
}

LinearPlan plan_linear(const IntLinear& l, Dyadic input_scale, int mult_bits) {
  std::vector<Dyadic> p(l.w_scale.size());
  int top = INT_MIN;
  for (std::size_t o = 0; o < p.size(); ++o) {
    p[o] = dyadic_mul(l.w_scale[o], input_scale);
    top = std::max(top, dyadic_top(p[o]));
  }
  LinearPlan plan;
  plan.shift = mult_bits - 1 - top;  // the largest multiplier has mult_bits bits
  for (const Dyadic& d : p) plan.mult.push_back(shift_round(d.m, -(d.e + plan.shift)));
  return plan;
}

// y[r][o] = mult[o]·acc[r][o] + bias[bias_row0 + r][o], at exponent e_x[r] - shift.
Wide epilogue(const IntLinear& l, const LinearPlan& plan, const std::vector<std::int32_t>& acc,
              const std::vector<int>& e_x, int bias_row0) {
  const int rows = static_cast<int>(e_x.size());
  Wide y(rows, l.out);
  for (int r = 0; r < rows; ++r) {
    y.e[r] = e_x[r] - plan.shift;
    const std::int64_t* b = l.bias_row(bias_row0 + r);
    std::int64_t* yr = y.row(r);
    for (int o = 0; o < l.out; ++o) {
      // Saturating, like the bias shift (an extreme bias exponent; found by fuzz_int_model).
      yr[o] = kern::add_saturate(plan.mult[o] * acc[static_cast<std::size_t>(r) * l.out + o],
                                 shift_round(b[o], y.e[r] - l.bias_exp));
    }
  }
  return y;
}

Wide run_linear(const MvmBackend& backend, const IntLinear& l, const LinearPlan& plan,
                const Act8& x, int bias_row0 = 0) {
  std::vector<std::int32_t> acc(static_cast<std::size_t>(x.rows) * l.out);
  backend.mvm(l, x.v.data(), x.rows, acc.data());
  return epilogue(l, plan, acc, x.e, bias_row0);
}

// eMSB window of one residual row to `bits` signed bits; returns the shift to add to its exponent.
int window_row(std::int64_t* row, int n, int bits) {
  std::uint64_t amax = 0;
  for (int i = 0; i < n; ++i) amax = std::max(amax, kern::abs_u64(row[i]));
  const int s = kern::emsb_shift(amax, bits);
  for (int i = 0; i < n; ++i) row[i] = saturate(shift_round(row[i], s), bits);
  return s;
}

// The residual stream after an add (or the embedding): eMSB keeps `bits` bits below each
// token's effective MSB; dyadic holds a static exponent (calibrated) and saturates.
void residual_add(Wide& resid, const Wide* delta, RequantMode mode, int static_exp, int bits) {
  for (int r = 0; r < resid.rows; ++r) {
    std::int64_t* x = resid.row(r);
    const int common = mode == RequantMode::EMSB
                           ? (delta ? std::min(resid.e[r], delta->e[r]) : resid.e[r])
                           : static_exp;
    for (int c = 0; c < resid.cols; ++c) {
      std::int64_t s = shift_round(x[c], common - resid.e[r]);
      // Saturating: an exponent far from the stream's (a model at the edge of its ranges)
      // saturates both shifts, and their sum must not wrap (found by fuzz_int_model).
      if (delta) s = kern::add_saturate(s, shift_round(delta->row(r)[c], common - delta->e[r]));
      x[c] = s;
    }
    resid.e[r] = common;
    if (mode == RequantMode::EMSB) {
      resid.e[r] += window_row(x, resid.cols, bits);
    } else {
      for (int c = 0; c < resid.cols; ++c) x[c] = saturate(x[c], bits);
    }
  }
}

Wide layer_norm(const Wide& x, const IntLayerNorm& ln, int frac, int rows) {
  Wide y(rows, x.cols, -frac);
  for (int r = 0; r < rows; ++r) {
    kern::layernorm({x.row(r), static_cast<std::size_t>(x.cols)}, x.e[r], ln.eps_d3_q32, ln.gamma,
                    ln.gamma_frac, ln.beta, frac, {y.row(r), static_cast<std::size_t>(x.cols)});
  }
  return y;
}

// The residual stream after the embedding: patches + CLS (ViT), or the token tables and the
// embedding LayerNorm (BERT).
Wide embed(const IntModel& m, RequantMode mode, const MvmBackend& backend,
           const LinearPlan& embed_plan, const std::uint8_t* sample) {
  const int D = m.dim, nf = m.settings.nonlin_frac;
  if (m.arch == Architecture::BERT) {
    // Table lookups (word + position, segment 0 folded in), then the embedding LayerNorm.
    const std::vector<int> ids = token_ids(sample);
    const int T = static_cast<int>(ids.size());
    if (T < 1 || T > m.max_tokens)
      throw DataError(m.source_model + ": a token sequence of " + std::to_string(T) +
                      " tokens (the model reads 1.." + std::to_string(m.max_tokens) + ")");
    Wide sum(T, D, m.embed_table_exp);
    for (int t = 0; t < T; ++t) {
      if (ids[t] < 0 || ids[t] >= m.vocab_size)
        throw DataError(m.source_model + ": token id " + std::to_string(ids[t]) +
                        " outside the vocabulary");
      const std::int64_t* w = m.word_table.data() + static_cast<std::ptrdiff_t>(ids[t]) * D;
      const std::int64_t* p = m.pos_table.data() + static_cast<std::ptrdiff_t>(t) * D;
      for (int o = 0; o < D; ++o) sum.row(t)[o] = w[o] + p[o];
    }
    return layer_norm(sum, m.embed_ln, nf, T);
  }
  // Patch embedding; the CLS row (row 0) is its bias alone.
  const int T = m.tokens;
  Act8 px(T - 1, m.patch_elements);
  patch_pixels_s8(m, sample, px.v.data());
  const Wide emb = run_linear(backend, m.embed, embed_plan, px, 1);
  Wide x(T, D, emb.e[0]);
  for (int o = 0; o < D; ++o)
    x.row(0)[o] = shift_round(m.embed.bias_row(0)[o], x.e[0] - m.embed.bias_exp);
  std::copy(emb.v.begin(), emb.v.end(), x.row(1));
  residual_add(x, nullptr, mode, m.embed_resid_exp, m.settings.residual_bits);
  return x;
}

}  // namespace

void patch_pixels_s8(const IntModel& m, const std::uint8_t* pixels, std::int8_t* out) {
  const int p = m.patch_size, side = m.image_size, per_row = m.patches_per_side;
  for (int pr = 0; pr < per_row; ++pr)
    for (int pc = 0; pc < per_row; ++pc)
      for (int ch = 0; ch < m.channels; ++ch)
        for (int r = 0; r < p; ++r)
          for (int c = 0; c < p; ++c)
            *out++ = static_cast<std::int8_t>(pixels[(ch * side + pr * p + r) * side + pc * p + c] -
                                              128);
}

FlareInference::FlareInference(const IntModel& model, RequantMode mode, const MvmBackend& backend)
    : model_(model), mode_(mode), backend_(backend) {
  const int mb = model.settings.mult_bits;
  const bool dy = mode == RequantMode::DYADIC;
  auto in = [&](const ActScale& s) { return dy ? s.scale : ONE; };
  if (model.arch == Architecture::VIT) {
    embed_ = plan_linear(model.embed, ONE, mb);  // input (pixel - 128): scale 1 in both modes
  } else {
    pooler_ = plan_linear(model.pooler, in(model.pooler_in), mb);
    rq_pooler_in_ = model.pooler_in.inv_scale;
  }
  head_ = plan_linear(model.head, in(model.head_in), mb);
  rq_head_in_ = model.head_in.inv_scale;
  for (const IntBlock& b : model.blocks) {
    BlockPlan p;
    p.qkv = plan_linear(b.qkv, in(b.qkv_in), mb);
    p.proj = plan_linear(b.proj, in(b.proj_in), mb);
    p.fc1 = plan_linear(b.fc1, in(b.fc1_in), mb);
    p.fc2 = plan_linear(b.fc2, in(b.fc2_in), mb);
    p.softmax =
        dy ? dyadic_mul(model.softmax_c, dyadic_mul(b.q.scale, b.k.scale)) : model.softmax_c;
    p.rq_qkv_in = b.qkv_in.inv_scale;
    p.rq_q = b.q.inv_scale;
    p.rq_k = b.k.inv_scale;
    p.rq_v = b.v.inv_scale;
    p.rq_proj_in = dyadic_mul(b.v.scale, b.proj_in.inv_scale);  // P·V carries v's scale
    p.rq_fc1_in = b.fc1_in.inv_scale;
    p.rq_fc2_in = b.fc2_in.inv_scale;
    blocks_.push_back(p);
  }
}

IntLogits FlareInference::forward(const std::uint8_t* sample, std::uint64_t place) const {
  const SampleMvm backend(backend_, place);
  const IntModel& m = model_;
  const QuantSettings& qs = m.settings;
  const int D = m.dim, H = m.heads, hd = m.head_dim;
  const int ab = qs.act_bits, rb = qs.residual_bits, nf = qs.nonlin_frac;
  const RequantMode mode = mode_;
  const bool post_ln = m.arch == Architecture::BERT;

  Wide x = embed(m, mode, backend, embed_, sample);
  const int T = x.rows;
  std::vector<std::int64_t> scores(T);
  std::vector<std::int32_t> probs(T);
  for (std::size_t bi = 0; bi < m.blocks.size(); ++bi) {
    const IntBlock& b = m.blocks[bi];
    const BlockPlan& p = blocks_[bi];
    // Attention (pre-LN: on ln1(x); post-LN: on x, ln1 after the residual add).
    const Wide qkv_in = post_ln ? x : layer_norm(x, b.ln1, nf, T);
    const Wide qkv =
        run_linear(backend, b.qkv, p.qkv,
                   requantize(qkv_in, 0, D, Granularity::PER_TOKEN, mode, p.rq_qkv_in, ab));
    const Act8 q = requantize(qkv, 0, D, Granularity::PER_TOKEN, mode, p.rq_q, ab);
    const Act8 k = requantize(qkv, D, D, Granularity::PER_TENSOR, mode, p.rq_k, ab);
    const Act8 v = requantize(qkv, 2 * D, D, Granularity::PER_TENSOR, mode, p.rq_v, ab);
    Wide attn(T, D, v.e[0] - qs.prob_bits);
    if (backend.runs_attention()) {
      // On the backend (e.g. the AMS-PiM chip); softmax stays in the integer unit between the
      // two products.
      attention_on_backend(
          backend, static_cast<int>(bi), T, H, hd, q.v.data(), k.v.data(), v.v.data(),
          [&](const std::int32_t* sc, std::uint8_t* pr) {
            for (int i = 0; i < T; ++i) {
              for (int j = 0; j < T; ++j) scores[j] = sc[static_cast<std::size_t>(i) * T + j];
              kern::softmax_row(scores, p.softmax.m, -(p.softmax.e + 16 + q.e[i] + k.e[0]),
                                qs.prob_bits, probs);
              for (int j = 0; j < T; ++j)
                pr[static_cast<std::size_t>(i) * T + j] = static_cast<std::uint8_t>(probs[j]);
            }
          },
          [&](int h, const std::int32_t* pv) {
            for (int i = 0; i < T; ++i)
              for (int d = 0; d < hd; ++d)
                attn.row(i)[h * hd + d] = pv[static_cast<std::size_t>(i) * hd + d];
          });
    } else {
      for (int h = 0; h < H; ++h) {
        for (int i = 0; i < T; ++i) {
          const std::int8_t* qi = q.row(i) + h * hd;
          for (int j = 0; j < T; ++j) {
            const std::int8_t* kj = k.row(j) + h * hd;
            std::int64_t a = 0;
            for (int d = 0; d < hd; ++d) a += std::int64_t{qi[d]} * kj[d];
            scores[j] = a;
          }
          kern::softmax_row(scores, p.softmax.m, -(p.softmax.e + 16 + q.e[i] + k.e[0]),
                            qs.prob_bits, probs);
          std::int64_t* out = attn.row(i) + h * hd;
          for (int d = 0; d < hd; ++d) out[d] = 0;
          for (int j = 0; j < T; ++j) {
            const std::int8_t* vj = v.row(j) + h * hd;
            for (int d = 0; d < hd; ++d) out[d] += std::int64_t{probs[j]} * vj[d];
          }
        }
      }
    }
    const Wide proj =
        run_linear(backend, b.proj, p.proj,
                   requantize(attn, 0, D, Granularity::PER_TOKEN, mode, p.rq_proj_in, ab));
    residual_add(x, &proj, mode, b.resid1_exp, rb);
    if (post_ln) x = layer_norm(x, b.ln1, nf, T);
    // MLP.
    const Wide fc1_in = post_ln ? x : layer_norm(x, b.ln2, nf, T);
    Wide hidden =
        run_linear(backend, b.fc1, p.fc1,
                   requantize(fc1_in, 0, D, Granularity::PER_TOKEN, mode, p.rq_fc1_in, ab));
    for (int r = 0; r < T; ++r) {
      std::int64_t* hr = hidden.row(r);
      for (int c = 0; c < hidden.cols; ++c)
        hr[c] = kern::gelu(shift_round(hr[c], -(hidden.e[r] + nf)), nf);
      hidden.e[r] = -nf;
    }
    const Wide mlp = run_linear(
        backend, b.fc2, p.fc2,
        requantize(hidden, 0, hidden.cols, Granularity::PER_TOKEN, mode, p.rq_fc2_in, ab));
    residual_add(x, &mlp, mode, b.resid2_exp, rb);
    if (post_ln) x = layer_norm(x, b.ln2, nf, T);
  }
  // Head on the CLS token: LayerNorm (ViT) or the pooler, dense + tanh (BERT).
  Wide cls(1, D, x.e[0]);
  if (post_ln) {
    std::copy(x.row(0), x.row(0) + D, cls.row(0));
    cls = run_linear(backend, m.pooler, pooler_,
                     requantize(cls, 0, D, Granularity::PER_TOKEN, mode, rq_pooler_in_, ab));
    for (int c = 0; c < D; ++c)
      cls.row(0)[c] = kern::tanh(shift_round(cls.row(0)[c], -(cls.e[0] + nf)), nf);
    cls.e[0] = -nf;
  } else {
    cls = layer_norm(x, m.head_ln, nf, 1);
  }
  const Wide y = run_linear(backend, m.head, head_,
                            requantize(cls, 0, D, Granularity::PER_TOKEN, mode, rq_head_in_, ab));
  return {y.v, y.e[0]};
}

}  // namespace rapmc

#include "rapmc/infer/mvm_backend.h"

#include <vector>

#include "rapmc/kernels/gemm.h"

namespace rapmc {

void MvmBackend::mvm_attention(const AttentionOperand& op, const std::uint8_t* x, InputKind kind,
                               int rows, std::int32_t* acc, std::uint64_t /*sample*/) const {
  for (int t = 0; t < rows; ++t) {
    const std::uint8_t* xt = x + static_cast<std::ptrdiff_t>(t) * op.in;
    for (int o = 0; o < op.out; ++o) {
      const std::int8_t* wo = op.w + static_cast<std::ptrdiff_t>(o) * op.in;
      std::int32_t s = 0;
      for (int i = 0; i < op.in; ++i) {
        const std::int32_t xi =
            kind == InputKind::SIGNED_INT8 ? static_cast<std::int8_t>(xt[i]) : xt[i];
        s += wo[i] * xi;
      }
      acc[static_cast<std::ptrdiff_t>(t) * op.out + o] = s;
    }
  }
}

void attention_on_backend(const MvmBackend& backend, int block, int tokens, int heads, int head_dim,
                          const std::int8_t* q, const std::int8_t* k, const std::int8_t* v,
                          const AttentionSoftmax& softmax, const AttentionOutput& output) {
  const int T = tokens, hd = head_dim;
  const std::ptrdiff_t dim = static_cast<std::ptrdiff_t>(heads) * hd;  // row stride of q, k, v
  std::vector<std::int8_t> kh(static_cast<std::size_t>(T) * hd),
      vt(static_cast<std::size_t>(hd) * T);
  std::vector<std::uint8_t> qh(static_cast<std::size_t>(T) * hd),
      pr(static_cast<std::size_t>(T) * T);
  std::vector<std::int32_t> sc(static_cast<std::size_t>(T) * T),
      pv(static_cast<std::size_t>(T) * hd);
  using Product = AttentionOperand::Product;
  for (int h = 0; h < heads; ++h) {
    for (int j = 0; j < T; ++j)
      for (int d = 0; d < hd; ++d) {
        const std::ptrdiff_t at = j * dim + h * hd + d;
        kh[static_cast<std::size_t>(j) * hd + d] = k[at];
        qh[static_cast<std::size_t>(j) * hd + d] = static_cast<std::uint8_t>(q[at]);
        vt[static_cast<std::size_t>(d) * T + j] = v[at];
      }
    backend.mvm_attention({block, Product::QK, h, T, hd, kh.data()}, qh.data(),
                          InputKind::SIGNED_INT8, T, sc.data());
    softmax(sc.data(), pr.data());
    backend.mvm_attention({block, Product::PV, h, hd, T, vt.data()}, pr.data(),
                          InputKind::UNSIGNED_8, T, pv.data());
    output(h, pv.data());
  }
}

void DigitalMvm::mvm(const IntLinear& layer, const std::int8_t* x, int rows, std::int32_t* acc,
                     std::uint64_t /*sample*/) const {
  kern::gemm_s8(layer.w.data(), layer.out, layer.in, x, rows, acc);
}

}  // namespace rapmc

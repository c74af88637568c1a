// How integers meet the crossbar (docs/design.md, "Chip model"): signed weights bit-sliced over
// columns, inputs applied as two's-complement bit-planes, and the sparse schedule's chunking.
// Integer only; exact by construction and tested exhaustively.
#pragma once

#include <cstdint>
#include <vector>

#include "rapmc/pim/hardware.h"

namespace rapmc::pim {

/// Columns of one weight and the signed shift-add weight of each: w = Σ_s weight[s]·digit(w, s).
struct SliceLayout {
  WeightMapping mapping = WeightMapping::TWOS_COMPLEMENT;
  int weight_bits = 8;
  int cell_bits = 1;
  std::vector<int> weight;  // per slice: ±2^k
  int slices() const { return static_cast<int>(weight.size()); }
};

/// twos_complement (cell_bits 1): slice s holds bit s of w, weight 2^s, the MSB slice −2^(bits−1).
/// differential: |w| in digits of cell_bits bits; slices [0, n) hold the digits of max(w, 0)
/// with weight +2^(s·cell_bits), slices [n, 2n) those of max(−w, 0) with weight −2^(s·cell_bits).
/// Domain: |w| <= 2^(weight_bits−1) − 1 (the symmetric quantizer's range; twos_complement also
/// −2^(bits−1)).
SliceLayout slice_layout(WeightMapping mapping, int weight_bits, int cell_bits);

/// The unsigned digit (cell level, 0..2^cell_bits−1) that weight w stores in slice s.
int weight_digit(const SliceLayout& layout, int w, int s);

/// Bit p of x's two's-complement code (0 or 1).
inline int plane_bit(int x, int p) {
  return (static_cast<unsigned>(x) >> p) & 1u;
}
/// Signed weight of bit-plane p of an act_bits-bit two's-complement input: 2^p, the MSB −2^p.
inline int plane_weight(int p, int act_bits) {
  return p == act_bits - 1 ? -(1 << p) : (1 << p);
}

}  // namespace rapmc::pim

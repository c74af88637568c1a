#include "rapmc/pim/mapping.h"

namespace rapmc::pim {

SliceLayout slice_layout(WeightMapping mapping, int weight_bits, int cell_bits) {
  SliceLayout l{mapping, weight_bits, cell_bits, {}};
  if (mapping == WeightMapping::TWOS_COMPLEMENT) {
    for (int s = 0; s < weight_bits; ++s)
      l.weight.push_back(s == weight_bits - 1 ? -(1 << s) : (1 << s));
  } else {
    const int digits = (weight_bits - 1 + cell_bits - 1) / cell_bits;
    for (int s = 0; s < digits; ++s) l.weight.push_back(1 << (s * cell_bits));
    for (int s = 0; s < digits; ++s) l.weight.push_back(-(1 << (s * cell_bits)));
  }
  return l;
}

int weight_digit(const SliceLayout& l, int w, int s) {
  if (l.mapping == WeightMapping::TWOS_COMPLEMENT) return (static_cast<unsigned>(w) >> s) & 1u;
  const int digits = l.slices() / 2;
  const int mask = (1 << l.cell_bits) - 1;
  const bool negative_side = s >= digits;
  const int magnitude = negative_side ? (w < 0 ? -w : 0) : (w > 0 ? w : 0);
  return (magnitude >> ((s % digits) * l.cell_bits)) & mask;
}

}  // namespace rapmc::pim

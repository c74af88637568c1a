// The hook through which a chip instance gets its device deviations. The default is the
// nominal chip (ideal devices); the variation models (PVT issue) implement the same calls.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace rapmc::pim {

class DeviceSampler {
 public:
  virtual ~DeviceSampler() = default;
  /// True if cells() changes conductances (otherwise the engine counts with popcounts).
  virtual bool varies_cells() const { return false; }
  /// Conductances of one row-tile slab of `layer`, normalised to one count (ΔG per cell
  /// level), row-major [rows × cols], nominal on entry; modified in place. `cols` includes the
  /// reference columns (the last columns of the slab). Frozen for the chip's lifetime.
  virtual void cells(const std::string& /*layer*/, int /*row_tile*/, int /*rows*/, int /*cols*/,
                     std::span<float> /*g_norm*/) const {}
  /// True if adc() changes the ADC parameters.
  virtual bool varies_adcs() const { return false; }
  /// Parameters of one ADC instance (adc.h, LSB units), nominal on entry; modified in place.
  virtual void adc(const std::string& /*layer*/, int /*row_tile*/, int /*adc_index*/,
                   std::span<float> /*params*/) const {}
  /// Temporal noise of one conversion, input-referred, σ in ADC LSB (column read noise and
  /// comparator thermal noise combined); 0 for none.
  virtual double noise_sigma_lsb() const { return 0.0; }
  /// Key of the temporal-noise stream of this chip (consumed read by read, in order).
  virtual std::uint64_t noise_key() const { return 0; }
};

/// The nominal sampler (ideal devices), alive for the whole program.
const DeviceSampler& nominal_devices();

}  // namespace rapmc::pim

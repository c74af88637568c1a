// Structured mutation of a valid HDF5 file for the loader fuzzers: the fuzzer's bytes choose
// edits (an attribute or dataset element set to a chosen or extreme value, an object deleted, a
// dataset reshaped, an attribute's type changed) that a valid rapmc file then carries into the
// loader. Mutating bytes of the container would fuzz libhdf5's decoder, not rapmc's checks
// (docs/building.md, "Sanitizers and fuzzing").
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace rapmc::fuzz {

/// Applies up to 8 edits described by data[0, size) to the HDF5 file at `path`, in place.
void mutate_hdf5(const std::string& path, const std::uint8_t* data, std::size_t size);

/// The file's bytes; `path` written with `bytes` (the per-input copy of the seed file).
std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& bytes);

/// A private scratch file for this process (in /dev/shm when it exists).
std::string scratch_path(const std::string& name);

/// A scratch copy of `seed` (a file of the repository, read once) with the input's edits
/// applied: the path of the file a loader fuzz target then loads.
std::string mutated_copy(const std::string& seed, const std::uint8_t* data, std::size_t size);

}  // namespace rapmc::fuzz

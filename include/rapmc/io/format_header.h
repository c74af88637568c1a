// The header every rapmc HDF5 file carries at its root: a `filetype` string naming what the file
// is and a `format_version` "major.minor". A reader accepts its own filetype and major version
// (any minor: minors only add); one function checks it for every kind of file.
#pragma once

#include <string>
#include <string_view>

#include "rapmc/io/hdf5.h"

namespace rapmc {

/// Which exception a failed check raises: the file kind's own error class.
enum class HeaderErrorKind { MODEL, IO };

/// One kind of rapmc HDF5 file.
struct FileFormat {
  std::string_view filetype;     // root attribute 'filetype', e.g. "rapmc-results"
  std::string_view description;  // for messages, e.g. "rapmc results file"
  int major = 1;
  int minor = 0;  // the version this build writes
  HeaderErrorKind errors = HeaderErrorKind::IO;
  std::string_view title = {};    // docs/formats.md's name of the file, a link to its section
  std::string_view history = {};  // what each minor version added (docs/formats.md)
};

/// True if the root names this filetype (no other check).
bool has_filetype(const h5::Node& root, const FileFormat& format);

/// Checks the filetype and the major version; returns the file's minor version. Raises the
/// format's error class naming the file and what was found otherwise.
int check_format_header(const h5::Node& root, const std::string& path, const FileFormat& format);

/// Writes `filetype` and `format_version` (format.major.format.minor).
void write_format_header(const h5::Node& root, const FileFormat& format);

}  // namespace rapmc

#include "rapmc/io/format_header.h"

#include <cstdlib>

#include "rapmc/core/errors.h"

namespace rapmc {
namespace {

[[noreturn]] void fail(const FileFormat& f, const std::string& what) {
  if (f.errors == HeaderErrorKind::MODEL) throw ModelError(what);
  throw IoError(what);
}

// A header attribute as text; a missing or unreadable one is the format's error.
std::string header_text(const h5::Node& root, const std::string& path, const FileFormat& f,
                        const char* name) {
  try {
    return root.read_string_attribute(name);
  } catch (const IoError& e) {
    fail(f, path + ": " + std::string(f.description) + " header unreadable: " + e.what());
  }
}

}  // namespace

bool has_filetype(const h5::Node& root, const FileFormat& format) {
  try {
    return root.has_attribute("filetype") &&
           root.read_string_attribute("filetype") == format.filetype;
  } catch (const IoError&) {
    return false;
  }
}

int check_format_header(const h5::Node& root, const std::string& path, const FileFormat& f) {
  const std::string ft =
      root.has_attribute("filetype") ? header_text(root, path, f, "filetype") : "";
  if (ft != f.filetype) {
    fail(f, path + ": not a " + std::string(f.description) + " (root attribute 'filetype' is '" +
                ft + "', expected '" + std::string(f.filetype) + "')");
  }
  const std::string v = header_text(root, path, f, "format_version");
  const auto dot = v.find('.');
  if (v.substr(0, dot) != std::to_string(f.major)) {
    fail(f, path + ": " + std::string(f.description) + " format_version '" + v +
                "' not supported (this build reads " + std::to_string(f.major) + ".x)");
  }
  return dot == std::string::npos ? 0 : std::atoi(v.c_str() + dot + 1);
}

void write_format_header(const h5::Node& root, const FileFormat& f) {
  root.write_attribute("filetype", std::string(f.filetype));
  root.write_attribute("format_version", std::to_string(f.major) + "." + std::to_string(f.minor));
}

}  // namespace rapmc

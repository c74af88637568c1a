#include "results_dump.h"

#include <hdf5.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace rapmc::test {
namespace {

// Not in the dump: who ran it, when, how fast, and the campaign text (its path varies).
bool skipped(const std::string& path) {
  return path == "/settings" || path == "/runtime";
}

std::string number(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

void check(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error("results dump: cannot read " + what);
}

// Values of an attribute or dataset as text: strings verbatim, numbers read as double or int64.
std::string values_text(hid_t type, hid_t space, const std::string& what,
                        const std::function<herr_t(hid_t, void*)>& read) {
  const H5T_class_t cls = H5Tget_class(type);
  const hssize_t n = H5Sget_simple_extent_npoints(space);
  check(n >= 0, what);
  std::ostringstream out;
  if (cls == H5T_STRING) {
    if (H5Tis_variable_str(type) > 0) {
      char* s = nullptr;
      const hid_t mem = H5Tcopy(type);  // the file's own string type (charset, padding)
      check(read(mem, &s) >= 0, what);
      out << " \"" << (s ? s : "") << '"';
      H5free_memory(s);
      H5Tclose(mem);
    } else {
      std::vector<char> buf(H5Tget_size(type) + 1, '\0');
      check(read(type, buf.data()) >= 0, what);
      out << " \"" << buf.data() << '"';
    }
    return out.str();
  }
  int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
  if (rank > 0) H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  const std::size_t row =
      rank >= 2 ? static_cast<std::size_t>(dims.back()) : static_cast<std::size_t>(n);
  // A scalar on its line; an array with its shape, then one line per row.
  const char* sep = " ";
  if (!dims.empty()) {
    out << " [";
    for (std::size_t d = 0; d < dims.size(); ++d) out << (d ? "x" : "") << dims[d];
    out << "]";
    sep = "\n  ";
  }
  if (cls == H5T_INTEGER) {
    std::vector<std::int64_t> v(static_cast<std::size_t>(n));
    check(read(H5T_NATIVE_INT64, v.data()) >= 0, what);
    for (std::size_t i = 0; i < v.size(); ++i) out << (i % row == 0 ? sep : " ") << v[i];
  } else if (cls == H5T_FLOAT) {
    std::vector<double> v(static_cast<std::size_t>(n));
    check(read(H5T_NATIVE_DOUBLE, v.data()) >= 0, what);
    for (std::size_t i = 0; i < v.size(); ++i) out << (i % row == 0 ? sep : " ") << number(v[i]);
  } else {
    throw std::runtime_error("results dump: " + what + " has a type the dump does not know");
  }
  return out.str();
}

struct Walk {
  hid_t file;
  std::string file_name;
  std::ostringstream out;

  void attributes(hid_t obj, const std::string& path) {
    H5O_info_t info{};
    check(H5Oget_info2(obj, &info, H5O_INFO_NUM_ATTRS) >= 0, file_name + ":" + path);
    for (hsize_t i = 0; i < info.num_attrs; ++i) {
      const hid_t a =
          H5Aopen_by_idx(obj, ".", H5_INDEX_NAME, H5_ITER_INC, i, H5P_DEFAULT, H5P_DEFAULT);
      check(a >= 0, file_name + ":" + path + " attribute " + std::to_string(i));
      char name[256];
      H5Aget_name(a, sizeof name, name);
      const hid_t type = H5Aget_type(a), space = H5Aget_space(a);
      out << path << "@" << name << " ="
          << values_text(type, space, file_name + ":" + path + "@" + name,
                         [&](hid_t mem, void* buf) { return H5Aread(a, mem, buf); })
          << "\n";
      H5Sclose(space);
      H5Tclose(type);
      H5Aclose(a);
    }
  }

  void group(const std::string& path) {
    const hid_t g = H5Gopen2(file, path.c_str(), H5P_DEFAULT);
    check(g >= 0, file_name + ":" + path);
    if (path != "/") attributes(g, path);
    H5G_info_t info{};
    H5Gget_info(g, &info);
    for (hsize_t i = 0; i < info.nlinks; ++i) {
      char name[256];
      H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name, H5P_DEFAULT);
      const std::string child = (path == "/" ? "" : path) + "/" + name;
      if (skipped(child)) continue;
      H5O_info_t oi{};
      check(H5Oget_info_by_name2(file, child.c_str(), &oi, H5O_INFO_BASIC, H5P_DEFAULT) >= 0,
            file_name + ":" + child);
      if (oi.type == H5O_TYPE_GROUP) {
        group(child);
      } else if (oi.type == H5O_TYPE_DATASET) {
        const hid_t d = H5Dopen2(file, child.c_str(), H5P_DEFAULT);
        check(d >= 0, file_name + ":" + child);
        attributes(d, child);
        const hid_t type = H5Dget_type(d), space = H5Dget_space(d);
        out << child << " ="
            << values_text(type, space, file_name + ":" + child,
                           [&](hid_t mem, void* buf) {
                             return H5Dread(d, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
                           })
            << "\n";
        H5Sclose(space);
        H5Tclose(type);
        H5Dclose(d);
      }
    }
    H5Gclose(g);
  }
};

}  // namespace

std::string dump_results(const std::string& path) {
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, H5P_DEFAULT);
  if (f < 0) throw std::runtime_error("results dump: cannot open " + path);
  Walk w{f, path, {}};
  try {
    w.group("/");
  } catch (...) {
    H5Fclose(f);
    throw;
  }
  H5Fclose(f);
  return w.out.str();
}

}  // namespace rapmc::test

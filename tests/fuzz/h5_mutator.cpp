#include "h5_mutator.h"

#include <hdf5.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <vector>

namespace rapmc::fuzz {
namespace {

// The fuzzer's bytes, read front to back; zeros once they run out.
class Bytes {
 public:
  Bytes(const std::uint8_t* d, std::size_t n) : d_(d), n_(n) {}
  bool empty() const { return i_ >= n_; }
  std::uint64_t take(int bytes) {
    std::uint64_t v = 0;
    for (int b = 0; b < bytes; ++b) v = (v << 8) | (i_ < n_ ? d_[i_++] : 0);
    return v;
  }
  double value() {  // an ordinary number most of the time, else an extreme one
    static const double special[] = {0.0,
                                     -1.0,
                                     1e300,
                                     -1e300,
                                     std::numeric_limits<double>::quiet_NaN(),
                                     std::numeric_limits<double>::infinity(),
                                     9.3e18,
                                     -9.3e18,
                                     65536.0,
                                     2147483648.0};
    const auto k = take(1);
    if (k < 10) return special[k];
    return static_cast<double>(static_cast<std::int32_t>(take(4))) / static_cast<double>(k);
  }
  std::string text() {
    std::string s;
    for (auto n = take(1) % 24; n > 0; --n) s += static_cast<char>(take(1));
    return s;
  }

 private:
  const std::uint8_t* d_;
  std::size_t n_, i_ = 0;
};

struct Target {
  std::string object;     // "/" or a dataset path
  std::string attribute;  // "" for the dataset itself
};

herr_t collect_attribute(hid_t, const char* name, const H5A_info_t*, void* op) {
  auto& out = *static_cast<std::pair<std::string, std::vector<Target>*>*>(op);
  out.second->push_back({out.first, name});
  return 0;
}

herr_t collect_object(hid_t obj, const char* name, const H5O_info_t* info, void* op) {
  auto& targets = *static_cast<std::vector<Target>*>(op);
  const std::string path = std::string(name) == "." ? "/" : "/" + std::string(name);
  if (info->type == H5O_TYPE_DATASET) targets.push_back({path, ""});
  if (info->num_attrs > 0) {
    const hid_t o = H5Oopen(obj, name, H5P_DEFAULT);
    std::pair<std::string, std::vector<Target>*> ctx{path, &targets};
    hsize_t idx = 0;
    H5Aiterate2(o, H5_INDEX_NAME, H5_ITER_NATIVE, &idx, collect_attribute, &ctx);
    H5Oclose(o);
  }
  return 0;
}

void write_scalar_attribute(hid_t obj, const std::string& name, Bytes& in, int kind) {
  if (H5Aexists(obj, name.c_str()) > 0) H5Adelete(obj, name.c_str());
  const hid_t space = H5Screate(H5S_SCALAR);
  if (kind == 0) {  // a string
    const std::string s = in.text();
    const hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, s.empty() ? 1 : s.size());
    const hid_t a = H5Acreate2(obj, name.c_str(), t, space, H5P_DEFAULT, H5P_DEFAULT);
    const std::string padded = s.empty() ? std::string(1, '\0') : s;
    H5Awrite(a, t, padded.data());
    H5Aclose(a);
    H5Tclose(t);
  } else if (kind == 1) {  // an integer
    const auto v = static_cast<std::int64_t>(in.take(8));
    const hid_t a = H5Acreate2(obj, name.c_str(), H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, H5T_NATIVE_INT64, &v);
    H5Aclose(a);
  } else {  // a double
    const double v = in.value();
    const hid_t a = H5Acreate2(obj, name.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, H5T_NATIVE_DOUBLE, &v);
    H5Aclose(a);
  }
  H5Sclose(space);
}

// One element of a dataset set to a chosen value (converted to the dataset's type).
void set_element(hid_t file, const std::string& path, Bytes& in) {
  const hid_t d = H5Dopen2(file, path.c_str(), H5P_DEFAULT);
  if (d < 0) return;
  const hid_t space = H5Dget_space(d);
  const auto n = static_cast<hsize_t>(H5Sget_simple_extent_npoints(space));
  const int rank = H5Sget_simple_extent_ndims(space);
  if (n > 0 && rank > 0 && H5Tget_class(H5Dget_type(d)) != H5T_STRING) {
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank)), coord(dims.size());
    H5Sget_simple_extent_dims(space, dims.data(), nullptr);
    hsize_t flat = in.take(4) % n;
    for (std::size_t k = dims.size(); k-- > 0;) {
      coord[k] = flat % dims[k];
      flat /= dims[k];
    }
    H5Sselect_elements(space, H5S_SELECT_SET, 1, coord.data());
    const hsize_t one = 1;
    const hid_t mem = H5Screate_simple(1, &one, nullptr);
    const double v = in.value();
    H5Dwrite(d, H5T_NATIVE_DOUBLE, mem, space, H5P_DEFAULT, &v);
    H5Sclose(mem);
  }
  H5Sclose(space);
  H5Dclose(d);
}

// A dataset replaced by one of another shape (rank 0..3, each extent 0..40), of its type.
void reshape(hid_t file, const std::string& path, Bytes& in) {
  const hid_t d = H5Dopen2(file, path.c_str(), H5P_DEFAULT);
  if (d < 0) return;
  const hid_t type = H5Dget_type(d);
  H5Dclose(d);
  H5Ldelete(file, path.c_str(), H5P_DEFAULT);
  const int rank = static_cast<int>(in.take(1) % 4);
  hsize_t dims[3] = {0, 0, 0};
  for (int k = 0; k < rank; ++k) dims[k] = in.take(1) % 41;
  const hid_t space = rank == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(rank, dims, nullptr);
  const hid_t nd =
      H5Dcreate2(file, path.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (nd >= 0) H5Dclose(nd);
  H5Sclose(space);
  H5Tclose(type);
}

}  // namespace

void mutate_hdf5(const std::string& path, const std::uint8_t* data, std::size_t size) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  if (file < 0) return;
  std::vector<Target> targets;
  H5Ovisit2(file, H5_INDEX_NAME, H5_ITER_NATIVE, collect_object, &targets, H5O_INFO_NUM_ATTRS);
  Bytes in(data, size);
  for (int edit = 0; edit < 8 && !in.empty() && !targets.empty(); ++edit) {
    const auto op = in.take(1) % 5;
    const Target& t = targets[in.take(2) % targets.size()];
    const hid_t obj = H5Oopen(file, t.object.c_str(), H5P_DEFAULT);
    if (obj < 0) continue;  // deleted by an earlier edit
    if (t.attribute.empty()) {
      if (op == 0 || op == 1) set_element(file, t.object, in);
      if (op == 2) H5Ldelete(file, t.object.c_str(), H5P_DEFAULT);
      if (op == 3 || op == 4) reshape(file, t.object, in);
    } else if (op == 2) {
      H5Adelete(obj, t.attribute.c_str());
    } else {
      write_scalar_attribute(obj, t.attribute, in, static_cast<int>(op % 3));
    }
    H5Oclose(obj);
  }
  H5Fclose(file);
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string scratch_path(const std::string& name) {
  const std::filesystem::path dir = std::filesystem::is_directory("/dev/shm")
                                        ? "/dev/shm"
                                        : std::filesystem::temp_directory_path();
  return (dir / ("rapmc-fuzz-" + std::to_string(getpid()) + "-" + name)).string();
}

std::string mutated_copy(const std::string& seed, const std::uint8_t* data, std::size_t size) {
  static const std::string bytes = read_file(seed);  // one seed per fuzz target
  static const std::string path = scratch_path(std::filesystem::path(seed).filename().string());
  write_file(path, bytes);
  mutate_hdf5(path, data, size);
  return path;
}

}  // namespace rapmc::fuzz

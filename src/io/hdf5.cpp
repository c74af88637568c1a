#include "rapmc/io/hdf5.h"

#include <hdf5.h>

#include <chrono>
#include <filesystem>
#include <numeric>
#include <sstream>
#include <thread>
#include <type_traits>
#include <utility>

#include "rapmc/core/errors.h"

namespace rapmc::h5 {
static_assert(std::is_same_v<hid_t, Id>, "h5::Id must be HDF5's hid_t");
static_assert(std::is_same_v<herr_t, int>, "h5::Handle::Closer must match H5?close");

namespace {

// HDF5 prints its own error stack to stderr by default; rapmc reports errors
// through exceptions instead, so the automatic printing is turned off once. HDF5's own clean-up
// at exit is turned off too: after a failed write (a full disk) a file cannot be closed, and
// that clean-up then crashes inside libhdf5; every file rapmc opens is closed by its owner.
void silence_hdf5_errors() {
  static const bool done = [] {
    H5dont_atexit();
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)done;
}

void check(herr_t status, const std::string& what) {
  if (status < 0) throw IoError(what);
}

Handle checked(hid_t id, Handle::Closer closer, const std::string& what) {
  if (id < 0) throw IoError(what);
  return Handle(id, closer);
}

Handle open_attribute(const Node& node, const std::string& name) {
  if (!node.has_attribute(name)) {
    throw IoError(node.where() + ": missing attribute '" + name + "'");
  }
  return checked(H5Aopen(node.id(), name.c_str(), H5P_DEFAULT), H5Aclose,
                 node.where() + ": cannot open attribute '" + name + "'");
}

H5T_class_t attribute_class(const Handle& attr, const Node& node, const std::string& name) {
  Handle type = checked(H5Aget_type(attr.id()), H5Tclose,
                        node.where() + ": cannot read the type of attribute '" + name + "'");
  return H5Tget_class(type.id());
}

hssize_t attribute_elements(const Handle& attr, const Node& node, const std::string& name) {
  Handle space = checked(H5Aget_space(attr.id()), H5Sclose,
                         node.where() + ": cannot read the shape of attribute '" + name + "'");
  return H5Sget_simple_extent_npoints(space.id());
}

Handle create_attribute(const Node& node, const std::string& name, hid_t type, hid_t space) {
  if (node.has_attribute(name)) {
    check(H5Adelete(node.id(), name.c_str()),
          node.where() + ": cannot replace attribute '" + name + "'");
  }
  return checked(H5Acreate2(node.id(), name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT),
                 H5Aclose, node.where() + ": cannot create attribute '" + name + "'");
}

Handle open_dataset(const Node& node, const std::string& rel) {
  if (!node.exists(rel)) throw IoError(node.where(rel) + ": missing dataset");
  return checked(H5Dopen2(node.id(), rel.c_str(), H5P_DEFAULT), H5Dclose,
                 node.where(rel) + ": cannot open dataset");
}

std::vector<std::uint64_t> shape_of(const Handle& dset, const std::string& where) {
  Handle space = checked(H5Dget_space(dset.id()), H5Sclose, where + ": cannot read its shape");
  const int rank = H5Sget_simple_extent_ndims(space.id());
  if (rank < 0) throw IoError(where + ": cannot read its rank");
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0)
    check(H5Sget_simple_extent_dims(space.id(), dims.data(), nullptr),
          where + ": cannot read its dimensions");
  return {dims.begin(), dims.end()};
}

std::uint64_t element_count(const std::vector<std::uint64_t>& shape) {
  return std::accumulate(shape.begin(), shape.end(), std::uint64_t{1},
                         [](std::uint64_t a, std::uint64_t b) { return a * b; });
}

template <class T>
std::vector<T> read_all(const Node& node, const std::string& rel, hid_t mem_type,
                        std::vector<std::uint64_t>* shape_out) {
  Handle dset = open_dataset(node, rel);
  const auto shape = shape_of(dset, node.where(rel));
  std::vector<T> data(element_count(shape));
  if (!data.empty()) {
    check(H5Dread(dset.id(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()),
          node.where(rel) + ": cannot read dataset (corrupt file or incompatible type)");
  }
  if (shape_out) *shape_out = shape;
  return data;
}

template <class T>
void write_all(const Node& node, const std::string& rel, hid_t file_type, hid_t mem_type,
               const std::vector<T>& data, const std::vector<std::uint64_t>& shape) {
  if (element_count(shape) != data.size()) {
    throw IoError(node.where(rel) + ": data size does not match the shape to write");
  }
  std::vector<hsize_t> dims(shape.begin(), shape.end());
  Handle space = checked(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                         H5Sclose, node.where(rel) + ": cannot create dataspace");
  Handle lcpl = checked(H5Pcreate(H5P_LINK_CREATE), H5Pclose, "cannot create property list");
  check(H5Pset_create_intermediate_group(lcpl.id(), 1), "cannot set property list");
  Handle dset =
      checked(H5Dcreate2(node.id(), rel.c_str(), file_type, space.id(), lcpl.id(), H5P_DEFAULT,
                         H5P_DEFAULT),
              H5Dclose, node.where(rel) + ": cannot create dataset (does it exist already?)");
  if (!data.empty()) {
    check(H5Dwrite(dset.id(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()),
          node.where(rel) + ": cannot write dataset");
  }
}

}  // namespace

Handle::Handle(Handle&& other) noexcept
    : id_(std::exchange(other.id_, H5I_INVALID_HID)), closer_(other.closer_) {}

Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    if (valid() && closer_) closer_(id_);
    id_ = std::exchange(other.id_, H5I_INVALID_HID);
    closer_ = other.closer_;
  }
  return *this;
}

Handle::~Handle() {
  if (valid() && closer_) closer_(id_);
}

std::string Node::where(const std::string& name) const {
  std::string p = path_;
  if (!name.empty()) p += (p.empty() || p.back() == '/' ? "" : "/") + name;
  return file_ + ":" + p;
}

bool Node::has_attribute(const std::string& name) const {
  const htri_t r = H5Aexists(id(), name.c_str());
  if (r < 0) throw IoError(where() + ": cannot query attribute '" + name + "'");
  return r > 0;
}

std::string Node::read_string_attribute(const std::string& name) const {
  Handle attr = open_attribute(*this, name);
  Handle type = checked(H5Aget_type(attr.id()), H5Tclose,
                        where() + ": cannot read the type of attribute '" + name + "'");
  if (H5Tget_class(type.id()) != H5T_STRING || attribute_elements(attr, *this, name) != 1) {
    throw IoError(where() + ": attribute '" + name + "' should be a string");
  }
  const htri_t is_var = H5Tis_variable_str(type.id());
  if (is_var < 0) throw IoError(where() + ": cannot read attribute '" + name + "'");
  if (is_var > 0) {
    Handle mem = checked(H5Tcopy(H5T_C_S1), H5Tclose, "cannot copy string type");
    check(H5Tset_size(mem.id(), H5T_VARIABLE), "cannot set string size");
    check(H5Tset_cset(mem.id(), H5Tget_cset(type.id())), "cannot set string charset");
    char* raw = nullptr;
    check(H5Aread(attr.id(), mem.id(), &raw), where() + ": cannot read attribute '" + name + "'");
    std::string value = raw ? raw : "";
    Handle space = checked(H5Aget_space(attr.id()), H5Sclose, "cannot read attribute space");
    H5Dvlen_reclaim(mem.id(), space.id(), H5P_DEFAULT, &raw);
    return value;
  }
  const std::size_t size = H5Tget_size(type.id());
  std::string value(size, '\0');
  check(H5Aread(attr.id(), type.id(), value.data()),
        where() + ": cannot read attribute '" + name + "'");
  value.resize(value.find('\0') == std::string::npos ? size : value.find('\0'));
  return value;
}

std::int64_t Node::read_int_attribute(const std::string& name) const {
  Handle attr = open_attribute(*this, name);
  if (attribute_class(attr, *this, name) != H5T_INTEGER ||
      attribute_elements(attr, *this, name) != 1) {
    throw IoError(where() + ": attribute '" + name + "' should be one integer");
  }
  std::int64_t v = 0;
  check(H5Aread(attr.id(), H5T_NATIVE_INT64, &v),
        where() + ": cannot read attribute '" + name + "'");
  return v;
}

double Node::read_double_attribute(const std::string& name) const {
  Handle attr = open_attribute(*this, name);
  const auto cls = attribute_class(attr, *this, name);
  if ((cls != H5T_FLOAT && cls != H5T_INTEGER) || attribute_elements(attr, *this, name) != 1) {
    throw IoError(where() + ": attribute '" + name + "' should be one number");
  }
  double v = 0;
  check(H5Aread(attr.id(), H5T_NATIVE_DOUBLE, &v),
        where() + ": cannot read attribute '" + name + "'");
  return v;
}

std::vector<double> Node::read_double_array_attribute(const std::string& name) const {
  Handle attr = open_attribute(*this, name);
  const auto cls = attribute_class(attr, *this, name);
  if (cls != H5T_FLOAT && cls != H5T_INTEGER) {
    throw IoError(where() + ": attribute '" + name + "' should be numeric");
  }
  const hssize_t n = attribute_elements(attr, *this, name);
  if (n < 0) throw IoError(where() + ": cannot read attribute '" + name + "'");
  std::vector<double> v(static_cast<std::size_t>(n));
  if (n > 0) {
    check(H5Aread(attr.id(), H5T_NATIVE_DOUBLE, v.data()),
          where() + ": cannot read attribute '" + name + "'");
  }
  return v;
}

void Node::write_attribute(const std::string& name, const std::string& value) const {
  Handle type = checked(H5Tcopy(H5T_C_S1), H5Tclose, "cannot copy string type");
  check(H5Tset_size(type.id(), H5T_VARIABLE), "cannot set string size");
  check(H5Tset_cset(type.id(), H5T_CSET_UTF8), "cannot set string charset");
  Handle space = checked(H5Screate(H5S_SCALAR), H5Sclose, "cannot create dataspace");
  Handle attr = create_attribute(*this, name, type.id(), space.id());
  const char* raw = value.c_str();
  check(H5Awrite(attr.id(), type.id(), &raw), where() + ": cannot write attribute '" + name + "'");
}

void Node::write_attribute(const std::string& name, std::int64_t value) const {
  Handle space = checked(H5Screate(H5S_SCALAR), H5Sclose, "cannot create dataspace");
  Handle attr = create_attribute(*this, name, H5T_STD_I64LE, space.id());
  check(H5Awrite(attr.id(), H5T_NATIVE_INT64, &value),
        where() + ": cannot write attribute '" + name + "'");
}

void Node::write_attribute(const std::string& name, double value) const {
  Handle space = checked(H5Screate(H5S_SCALAR), H5Sclose, "cannot create dataspace");
  Handle attr = create_attribute(*this, name, H5T_IEEE_F64LE, space.id());
  check(H5Awrite(attr.id(), H5T_NATIVE_DOUBLE, &value),
        where() + ": cannot write attribute '" + name + "'");
}

void Node::write_attribute(const std::string& name, const std::vector<double>& value) const {
  const hsize_t n = value.size();
  Handle space = checked(H5Screate_simple(1, &n, nullptr), H5Sclose, "cannot create dataspace");
  Handle attr = create_attribute(*this, name, H5T_IEEE_F64LE, space.id());
  check(H5Awrite(attr.id(), H5T_NATIVE_DOUBLE, value.data()),
        where() + ": cannot write attribute '" + name + "'");
}

bool Node::exists(const std::string& rel) const {
  // H5Lexists must be asked one path component at a time.
  std::string prefix;
  std::stringstream ss(rel);
  std::string part;
  while (std::getline(ss, part, '/')) {
    if (part.empty()) continue;
    prefix += (prefix.empty() ? "" : "/") + part;
    const htri_t r = H5Lexists(id(), prefix.c_str(), H5P_DEFAULT);
    if (r <= 0) return false;
  }
  return !prefix.empty();
}

Node Node::group(const std::string& rel) const {
  if (!exists(rel)) throw IoError(where(rel) + ": missing group");
  Handle g = checked(H5Gopen2(id(), rel.c_str(), H5P_DEFAULT), H5Gclose,
                     where(rel) + ": cannot open group");
  return Node(std::move(g), file_, where(rel).substr(file_.size() + 1));
}

Node Node::dataset(const std::string& rel) const {
  return Node(open_dataset(*this, rel), file_, where(rel).substr(file_.size() + 1));
}

std::vector<std::string> Node::children(const std::string& rel) const {
  const std::string at = rel.empty() ? "." : rel;
  H5G_info_t info{};
  check(H5Gget_info_by_name(id(), at.c_str(), &info, H5P_DEFAULT),
        where(rel) + ": cannot list the group");
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t len = H5Lget_name_by_idx(id(), at.c_str(), H5_INDEX_NAME, H5_ITER_INC, i, nullptr,
                                           0, H5P_DEFAULT);
    if (len < 0) throw IoError(where(rel) + ": cannot read a link name");
    std::string name(static_cast<std::size_t>(len) + 1, '\0');
    H5Lget_name_by_idx(id(), at.c_str(), H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(),
                       H5P_DEFAULT);
    name.resize(static_cast<std::size_t>(len));
    names.push_back(std::move(name));
  }
  return names;
}

Node Node::require_group(const std::string& rel) const {
  if (exists(rel)) return group(rel);
  Handle lcpl = checked(H5Pcreate(H5P_LINK_CREATE), H5Pclose, "cannot create property list");
  check(H5Pset_create_intermediate_group(lcpl.id(), 1), "cannot set property list");
  Handle g = checked(H5Gcreate2(id(), rel.c_str(), lcpl.id(), H5P_DEFAULT, H5P_DEFAULT), H5Gclose,
                     where(rel) + ": cannot create group");
  return Node(std::move(g), file_, where(rel).substr(file_.size() + 1));
}

std::vector<std::uint64_t> Node::dataset_shape(const std::string& rel) const {
  Handle dset = open_dataset(*this, rel);
  return shape_of(dset, where(rel));
}

bool Node::dataset_is_float(const std::string& rel) const {
  Handle dset = open_dataset(*this, rel);
  Handle type = checked(H5Dget_type(dset.id()), H5Tclose, where(rel) + ": cannot read its type");
  return H5Tget_class(type.id()) == H5T_FLOAT;
}

std::vector<float> Node::read_float_dataset(const std::string& rel,
                                            std::vector<std::uint64_t>* shape) const {
  return read_all<float>(*this, rel, H5T_NATIVE_FLOAT, shape);
}

std::vector<std::int64_t> Node::read_int64_dataset(const std::string& rel,
                                                   std::vector<std::uint64_t>* shape) const {
  return read_all<std::int64_t>(*this, rel, H5T_NATIVE_INT64, shape);
}

std::vector<std::int8_t> Node::read_int8_dataset(const std::string& rel,
                                                 std::vector<std::uint64_t>* shape) const {
  return read_all<std::int8_t>(*this, rel, H5T_NATIVE_INT8, shape);
}

bool Node::dataset_is_integer(const std::string& rel) const {
  Handle dset = open_dataset(*this, rel);
  Handle type = checked(H5Dget_type(dset.id()), H5Tclose, where(rel) + ": cannot read its type");
  return H5Tget_class(type.id()) == H5T_INTEGER;
}

namespace {
Handle vlen_utf8() {
  Handle mem = checked(H5Tcopy(H5T_C_S1), H5Tclose, "cannot copy string type");
  check(H5Tset_size(mem.id(), H5T_VARIABLE), "cannot set string size");
  check(H5Tset_cset(mem.id(), H5T_CSET_UTF8), "cannot set string charset");
  return mem;
}
}  // namespace

std::vector<std::string> Node::read_string_dataset(const std::string& rel) const {
  Handle dset = open_dataset(*this, rel);
  Handle type = checked(H5Dget_type(dset.id()), H5Tclose, where(rel) + ": cannot read its type");
  Handle space = checked(H5Dget_space(dset.id()), H5Sclose, where(rel) + ": cannot read its space");
  if (H5Tget_class(type.id()) != H5T_STRING || H5Tis_variable_str(type.id()) <= 0 ||
      H5Sget_simple_extent_ndims(space.id()) != 1)
    throw IoError(where(rel) + ": expected a 1-D dataset of variable-length strings");
  hsize_t n = 0;
  H5Sget_simple_extent_dims(space.id(), &n, nullptr);
  Handle mem = vlen_utf8();
  check(H5Tset_cset(mem.id(), H5Tget_cset(type.id())), "cannot set string charset");
  std::vector<char*> raw(n, nullptr);
  if (n)
    check(H5Dread(dset.id(), mem.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()),
          where(rel) + ": cannot read dataset");
  std::vector<std::string> out;
  out.reserve(n);
  for (char* r : raw) out.emplace_back(r ? r : "");
  if (n) H5Dvlen_reclaim(mem.id(), space.id(), H5P_DEFAULT, raw.data());
  return out;
}

void Node::write_dataset(const std::string& rel, const std::vector<std::string>& data) const {
  std::vector<const char*> raw;
  raw.reserve(data.size());
  for (const std::string& s : data) raw.push_back(s.c_str());
  Handle mem = vlen_utf8();
  write_all(*this, rel, mem.id(), mem.id(), raw, {data.size()});
}

void Node::write_dataset(const std::string& rel, const std::vector<std::int8_t>& data,
                         const std::vector<std::uint64_t>& shape) const {
  write_all(*this, rel, H5T_STD_I8LE, H5T_NATIVE_INT8, data, shape);
}

void Node::write_dataset(const std::string& rel, const std::vector<double>& data,
                         const std::vector<std::uint64_t>& shape) const {
  write_all(*this, rel, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, data, shape);
}

std::vector<double> Node::read_double_dataset(const std::string& rel,
                                              std::vector<std::uint64_t>* shape) const {
  return read_all<double>(*this, rel, H5T_NATIVE_DOUBLE, shape);
}

void Node::remove(const std::string& rel) const {
  if (exists(rel)) check(H5Ldelete(id(), rel.c_str(), H5P_DEFAULT), where(rel) + ": cannot remove");
}

namespace {
// An empty dataset of `type` that grows along its first dimension: shape [0, row...], the
// first dimension unlimited, chunked by `chunk` rows (create_column: rank 1; create_rows: 2).
void create_extendable(const Node& node, const std::string& rel, hid_t type,
                       const std::vector<hsize_t>& row, hsize_t chunk) {
  std::vector<hsize_t> dims{0}, maxdims{H5S_UNLIMITED}, chunks{chunk};
  for (const hsize_t w : row) {
    dims.push_back(w);
    maxdims.push_back(w);
    chunks.push_back(w);
  }
  const int rank = static_cast<int>(dims.size());
  Handle space = checked(H5Screate_simple(rank, dims.data(), maxdims.data()), H5Sclose,
                         node.where(rel) + ": cannot create dataspace");
  Handle dcpl = checked(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "cannot create property list");
  check(H5Pset_chunk(dcpl.id(), rank, chunks.data()), node.where(rel) + ": cannot set chunking");
  Handle lcpl = checked(H5Pcreate(H5P_LINK_CREATE), H5Pclose, "cannot create property list");
  check(H5Pset_create_intermediate_group(lcpl.id(), 1), "cannot set property list");
  checked(H5Dcreate2(node.id(), rel.c_str(), type, space.id(), lcpl.id(), dcpl.id(), H5P_DEFAULT),
          H5Dclose, node.where(rel) + ": cannot create dataset (does it exist already?)");
}
}  // namespace

void Node::create_column(const std::string& rel, bool integer, std::uint64_t chunk) const {
  create_extendable(*this, rel, integer ? H5T_STD_I64LE : H5T_IEEE_F64LE, {}, chunk);
}

namespace {
template <class T>
void append_values(const Node& node, const std::string& rel, hid_t mem_type,
                   const std::vector<T>& values) {
  if (values.empty()) return;
  Handle dset = open_dataset(node, rel);
  const auto shape = shape_of(dset, node.where(rel));
  if (shape.size() != 1) throw IoError(node.where(rel) + ": not a column");
  const hsize_t old_n = shape[0], add = values.size(), new_n[1] = {old_n + add};
  check(H5Dset_extent(dset.id(), new_n), node.where(rel) + ": cannot extend dataset");
  Handle file_space =
      checked(H5Dget_space(dset.id()), H5Sclose, node.where(rel) + ": cannot read its shape");
  const hsize_t start[1] = {old_n}, count[1] = {add};
  check(H5Sselect_hyperslab(file_space.id(), H5S_SELECT_SET, start, nullptr, count, nullptr),
        node.where(rel) + ": cannot select rows");
  Handle mem_space =
      checked(H5Screate_simple(1, count, nullptr), H5Sclose, "cannot create dataspace");
  check(H5Dwrite(dset.id(), mem_type, mem_space.id(), file_space.id(), H5P_DEFAULT, values.data()),
        node.where(rel) + ": cannot write rows");
}
}  // namespace

void Node::append(const std::string& rel, const std::vector<double>& values) const {
  append_values(*this, rel, H5T_NATIVE_DOUBLE, values);
}

void Node::append(const std::string& rel, const std::vector<std::int64_t>& values) const {
  append_values(*this, rel, H5T_NATIVE_INT64, values);
}

void Node::resize_column(const std::string& rel, std::uint64_t n) const {
  Handle dset = open_dataset(*this, rel);
  auto dims = shape_of(dset, where(rel));
  dims[0] = n;
  std::vector<hsize_t> d(dims.begin(), dims.end());
  check(H5Dset_extent(dset.id(), d.data()), where(rel) + ": cannot resize dataset");
}

void Node::create_rows(const std::string& rel, std::uint64_t width, std::uint64_t chunk,
                       StoredInt stored) const {
  create_extendable(*this, rel, stored == StoredInt::I16 ? H5T_STD_I16LE : H5T_STD_I64LE, {width},
                    chunk);
}

void Node::append_rows(const std::string& rel, const std::vector<std::int64_t>& values) const {
  if (values.empty()) return;
  Handle dset = open_dataset(*this, rel);
  const auto shape = shape_of(dset, where(rel));
  if (shape.size() != 2 || values.size() % shape[1] != 0)
    throw IoError(where(rel) + ": rows do not match its width");
  const hsize_t add = values.size() / shape[1];
  const hsize_t new_dims[2] = {shape[0] + add, shape[1]};
  check(H5Dset_extent(dset.id(), new_dims), where(rel) + ": cannot extend dataset");
  Handle file_space =
      checked(H5Dget_space(dset.id()), H5Sclose, where(rel) + ": cannot read its shape");
  const hsize_t start[2] = {shape[0], 0}, count[2] = {add, shape[1]};
  check(H5Sselect_hyperslab(file_space.id(), H5S_SELECT_SET, start, nullptr, count, nullptr),
        where(rel) + ": cannot select rows");
  Handle mem_space =
      checked(H5Screate_simple(2, count, nullptr), H5Sclose, "cannot create dataspace");
  check(H5Dwrite(dset.id(), H5T_NATIVE_INT64, mem_space.id(), file_space.id(), H5P_DEFAULT,
                 values.data()),
        where(rel) + ": cannot write rows");
}

void Node::write_dataset(const std::string& rel, const std::vector<float>& data,
                         const std::vector<std::uint64_t>& shape) const {
  write_all(*this, rel, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, data, shape);
}

void Node::write_dataset(const std::string& rel, const std::vector<std::int64_t>& data,
                         const std::vector<std::uint64_t>& shape) const {
  write_all(*this, rel, H5T_STD_I64LE, H5T_NATIVE_INT64, data, shape);
}

File::File(Handle file, std::string path)
    : Node(checked(H5Gopen2(file.id(), "/", H5P_DEFAULT), H5Gclose,
                   path + ": cannot open the root group"),
           path, "/"),
      file_handle_(std::move(file)) {}

namespace {

// The descriptions on HDF5's error stack of the calling thread, innermost first.
std::string hdf5_error_text() {
  std::string text;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_UPWARD,
      [](unsigned, const H5E_error2_t* e, void* out) -> herr_t {
        if (e->desc) *static_cast<std::string*>(out) += std::string(e->desc) + "; ";
        return 0;
      },
      &text);
  return text;
}

// A file-access property list: HDF5 1.10's format (`latest`, which a live writer needs); the
// status flags a killed live writer left cleared, as h5clear does (`clear_status`, for a
// writer); HDF5's file lock skipped (`locking` false).
Handle file_access(bool latest, bool clear_status, bool locking) {
  Handle fapl = checked(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "cannot create property list");
  if (latest)
    check(H5Pset_libver_bounds(fapl.id(), H5F_LIBVER_V110, H5F_LIBVER_LATEST),
          "cannot set the file format");
  if (clear_status) {
    hbool_t clear = 1;  // HDF5's own property, registered for every file-access list
    check(H5Pset(fapl.id(), "clear_status_flags", &clear), "cannot set clear_status_flags");
  }
  if (!locking) check(H5Pset_file_locking(fapl.id(), 0, 1), "cannot turn file locking off");
  return fapl;
}

// One H5Fopen of `path` for `access`; a negative id and HDF5's error text on failure.
hid_t open_once(const std::string& path, Access access, bool locking, std::string& error) {
  hid_t f = -1;
  if (access == Access::READ_ONLY) {
    // As a live reader first: it also reads a file being written live (a plain open refuses
    // that: "file is already open for write"), and any other file as a plain open does.
    f = H5Fopen(path.c_str(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, H5P_DEFAULT);
    if (f < 0) f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  } else {
    const bool live = access == Access::LIVE_WRITE;
    const Handle fapl = file_access(live, true, locking);
    f = H5Fopen(path.c_str(), H5F_ACC_RDWR | (live ? H5F_ACC_SWMR_WRITE : 0u), fapl.id());
  }
  if (f < 0) error = hdf5_error_text();
  return f;
}

}  // namespace

File File::open(const std::string& path, Access access) {
  silence_hdf5_errors();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw IoError(path + ": no such file");
  if (std::filesystem::is_directory(path, ec)) throw IoError(path + ": is a directory, not a file");
  const htri_t is_h5 = H5Fis_hdf5(path.c_str());
  if (is_h5 <= 0) throw IoError(path + ": not an HDF5 file (or unreadable/corrupt)");
  // HDF5's lock is held by a writer between its live phases (for milliseconds) and, against a
  // writer, by live readers: wait for it, then a writer goes on without it (its writes outside
  // the live phases are the statistics, which no live reader relies on).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::string error;
  bool locking = true;
  hid_t f = open_once(path, access, locking, error);
  // A writer's open also waits out any other failure of a file that is HDF5 (H5Fis_hdf5 said
  // so): a live reader opening it at that instant can make the open fail with no lock message
  // (seen once under load in the plots test); a file that stays unopenable fails after 10 s.
  const bool writer = access != Access::READ_ONLY;
  while (f < 0 && (writer || error.find("unable to lock file") != std::string::npos)) {
    if (std::chrono::steady_clock::now() > deadline) {
      if (access == Access::READ_ONLY || !locking) break;
      locking = false;
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    f = open_once(path, access, locking, error);
  }
  Handle h = checked(f, H5Fclose,
                     path + ": cannot open HDF5 file (corrupt, locked or no permission: " +
                         error.substr(0, error.find(';')) + ")");
  return File(std::move(h), path);
}

File File::create(const std::string& path, Overwrite overwrite, Layout layout) {
  silence_hdf5_errors();
  std::error_code ec;
  if (overwrite == Overwrite::NO && std::filesystem::exists(path, ec)) {
    throw IoError(path + ": file exists; refusing to overwrite it");
  }
  const unsigned flags = overwrite == Overwrite::YES ? H5F_ACC_TRUNC : H5F_ACC_EXCL;
  const Handle fapl = file_access(layout == Layout::LIVE, false, true);
  const hid_t f = H5Fcreate(path.c_str(), flags, H5P_DEFAULT, fapl.id());
  Handle h = checked(f, H5Fclose,
                     path + ": cannot create HDF5 file (" +
                         (f < 0 ? hdf5_error_text().substr(0, 200) : std::string()) + ")");
  return File(std::move(h), path);
}

void File::flush() const {
  check(H5Fflush(file_handle_.id(), H5F_SCOPE_GLOBAL), file() + ": cannot flush");
}

}  // namespace rapmc::h5

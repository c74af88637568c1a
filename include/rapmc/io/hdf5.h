// RAII wrappers around the HDF5 C API. Every handle closes itself, every return
// code is checked, and every failure becomes an IoError that names the file and
// the object (attribute or dataset path) concerned. The header does not include HDF5's own:
// an identifier is held as the integer HDF5 defines hid_t to be (checked in hdf5.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rapmc::h5 {

/// Owns one HDF5 identifier (file, group, dataset, attribute, dataspace, type or
/// property list) and closes it with the matching H5?close on destruction.
using Id = std::int64_t;  // hid_t

class Handle {
 public:
  using Closer = int (*)(Id);  // herr_t H5?close(hid_t)
  Handle() = default;
  Handle(Id id, Closer closer) : id_(id), closer_(closer) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& other) noexcept;
  Handle& operator=(Handle&& other) noexcept;
  ~Handle();
  Id id() const noexcept { return id_; }
  bool valid() const noexcept { return id_ >= 0; }

 private:
  Id id_ = -1;  // H5I_INVALID_HID
  Closer closer_ = nullptr;
};

/// READ_ONLY also reads a file being written live (HDF5 single-writer/multiple-reader, SWMR);
/// READ_WRITE opens for any change, also a file a killed live writer left marked as open;
/// LIVE_WRITE is the single SWMR writer: it may only append to existing datasets, which readers
/// see as they are flushed, never half written.
enum class Access { READ_ONLY, READ_WRITE, LIVE_WRITE };
enum class Overwrite { NO, YES };
/// COMPATIBLE: the oldest file format that holds the content (any HDF5 ≥ 1.8 reads it);
/// LIVE: HDF5 1.10's format, which LIVE_WRITE needs.
enum class Layout { COMPATIBLE, LIVE };
/// How a row dataset's integers are stored on disk (create_rows).
enum class StoredInt { I64, I16 };

/// A file, group or dataset: something that holds attributes (and, but for a dataset, groups
/// and datasets).
/// `file` and `path` are kept for error messages.
class Node {
 public:
  Node(Handle handle, std::string file, std::string path)
      : handle_(std::move(handle)), file_(std::move(file)), path_(std::move(path)) {}
  Id id() const noexcept { return handle_.id(); }
  const std::string& file() const noexcept { return file_; }
  const std::string& path() const noexcept { return path_; }
  /// "file.h5:/group/name", for messages.
  std::string where(const std::string& name = "") const;

  bool has_attribute(const std::string& name) const;
  std::string read_string_attribute(const std::string& name) const;
  std::int64_t read_int_attribute(const std::string& name) const;
  double read_double_attribute(const std::string& name) const;
  std::vector<double> read_double_array_attribute(const std::string& name) const;

  void write_attribute(const std::string& name, const std::string& value) const;
  void write_attribute(const std::string& name, std::int64_t value) const;
  void write_attribute(const std::string& name, double value) const;
  void write_attribute(const std::string& name, const std::vector<double>& value) const;

  /// True if `rel` (a relative path such as "blocks/0/ln1/weight") names an object.
  bool exists(const std::string& rel) const;
  /// Removes the link `rel` (a group or dataset) if it exists.
  void remove(const std::string& rel) const;
  /// Names of the links (groups and datasets) in group `rel` ("" = this node), in name order.
  std::vector<std::string> children(const std::string& rel = "") const;
  /// Opens an existing group; IoError naming the path if it is missing.
  Node group(const std::string& rel) const;
  /// Opens the group, creating it (and its parents) if missing.
  Node require_group(const std::string& rel) const;
  /// Opens an existing dataset as a node, for its attributes; IoError naming it if missing.
  Node dataset(const std::string& rel) const;

  /// Shape of a dataset; IoError naming it if it is missing.
  std::vector<std::uint64_t> dataset_shape(const std::string& rel) const;
  /// True if the dataset's element type is a floating-point type.
  bool dataset_is_float(const std::string& rel) const;
  /// Reads a whole dataset converted to float, row-major; `shape` receives its dims.
  std::vector<float> read_float_dataset(const std::string& rel,
                                        std::vector<std::uint64_t>* shape = nullptr) const;
  std::vector<std::int64_t> read_int64_dataset(const std::string& rel,
                                               std::vector<std::uint64_t>* shape = nullptr) const;
  std::vector<std::int8_t> read_int8_dataset(const std::string& rel,
                                             std::vector<std::uint64_t>* shape = nullptr) const;
  /// True if the dataset's element type is an integer type.
  bool dataset_is_integer(const std::string& rel) const;
  /// A 1-D dataset of variable-length strings (UTF-8 or ASCII), e.g. a vocabulary.
  std::vector<std::string> read_string_dataset(const std::string& rel) const;
  void write_dataset(const std::string& rel, const std::vector<std::string>& data) const;
  /// Writes a new dataset (parents created as needed), row-major data of `shape`.
  void write_dataset(const std::string& rel, const std::vector<float>& data,
                     const std::vector<std::uint64_t>& shape) const;
  void write_dataset(const std::string& rel, const std::vector<std::int64_t>& data,
                     const std::vector<std::uint64_t>& shape) const;
  void write_dataset(const std::string& rel, const std::vector<std::int8_t>& data,
                     const std::vector<std::uint64_t>& shape) const;
  void write_dataset(const std::string& rel, const std::vector<double>& data,
                     const std::vector<std::uint64_t>& shape) const;
  std::vector<double> read_double_dataset(const std::string& rel,
                                          std::vector<std::uint64_t>* shape = nullptr) const;

  /// Creates an empty one-dimensional dataset (float64 or int64) that grows without limit,
  /// chunked by `chunk` elements (for tables written as rows finish).
  void create_column(const std::string& rel, bool integer, std::uint64_t chunk = 256) const;
  /// Creates an empty [0 × width] integer dataset that grows by rows (chunked by `chunk` rows),
  /// stored as int64 or, for small values (class indices), int16; it is read and appended as
  /// int64 either way.
  void create_rows(const std::string& rel, std::uint64_t width, std::uint64_t chunk = 64,
                   StoredInt stored = StoredInt::I64) const;
  /// Appends rows (row-major, a multiple of the width) to a dataset made by create_rows.
  void append_rows(const std::string& rel, const std::vector<std::int64_t>& values) const;
  /// Appends values to a column made by create_column.
  void append(const std::string& rel, const std::vector<double>& values) const;
  void append(const std::string& rel, const std::vector<std::int64_t>& values) const;
  /// Sets the number of rows of a column or row dataset (dropping rows beyond n, as a resume
  /// does with a partly written block).
  void resize_column(const std::string& rel, std::uint64_t n) const;

 private:
  Handle handle_;
  std::string file_;
  std::string path_;
};

/// An open HDF5 file; its root group is the Node.
class File : public Node {
 public:
  /// Opens an existing file. IoError if it is missing or not an HDF5 file. While another
  /// process holds HDF5's lock on it (a writer between its live phases), waits up to 10 s.
  static File open(const std::string& path, Access access = Access::READ_ONLY);
  /// Creates a file. With Overwrite::NO an existing file is an IoError and is left untouched.
  static File create(const std::string& path, Overwrite overwrite = Overwrite::NO,
                     Layout layout = Layout::COMPATIBLE);
  /// Flushes buffered data to disk.
  void flush() const;

 private:
  File(Handle file, std::string path);
  Handle file_handle_;
};

}  // namespace rapmc::h5

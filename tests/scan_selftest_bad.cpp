// Deliberately float- and divide-using code: the kernel scanner must reject it
// (ctest kernels_scanner_rejects_float_code, WILL_FAIL), proving the scan can fail.
double scan_selftest_float(double x) {
  return x * 2.0 / 3.0;
}
int scan_selftest_divide(int a, int b) {
  return a / b;
}

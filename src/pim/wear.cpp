#include "rapmc/pim/wear.h"

namespace rapmc::pim {

WearProfile wear_profile(const Counters& counters, std::size_t images) {
  WearProfile w;
  const double n = static_cast<double>(images);
  for (const auto& [name, c] : counters) {
    if (c.writes > 0 && c.write_heads > 0) {
      w.cell_writes[name] =
          static_cast<double>(c.writes) / (n * static_cast<double>(c.write_heads));
    } else if (!c.row_reads.empty() && attention_slot_of(name).empty()) {
      std::vector<double>& r = w.row_reads[name];
      for (std::uint64_t reads : c.row_reads) r.push_back(static_cast<double>(reads) / n);
    }
  }
  return w;
}

std::string attention_slot_of(const std::string& array) {
  const auto at = array.find("/attn_");
  if (at == std::string::npos) return "";
  const auto end = array.find('/', at + 1);
  return array.substr(0, end);
}

}  // namespace rapmc::pim

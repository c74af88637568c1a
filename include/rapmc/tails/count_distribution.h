// How often the reads of a campaign's workload give each count (docs/design.md, "High-sigma
// estimation"): the per-count tail rates averaged over it are the rate a conversion of that
// workload has.
#pragma once

#include <cstdint>
#include <vector>

#include "rapmc/mc/campaign.h"
#include "rapmc/mc/runner.h"

namespace rapmc::tails {

/// Conversions by exact count (index = count) of every analog layer of point `p` over the
/// campaign's images, on the nominal chip: the ideal integer activations, read in the
/// hardware's schedule.
std::vector<std::uint64_t> count_histogram(const Campaign& c, const CampaignPoint& p,
                                           const CampaignInputs& in);

/// Σ_c h_c·p_c / Σ_c h_c with its standard error from the per-count ones (independent
/// estimates): {mean, standard error}.
std::pair<double, double> weighted_rate(const std::vector<std::uint64_t>& h,
                                        const std::vector<double>& p,
                                        const std::vector<double>& std_error);

}  // namespace rapmc::tails

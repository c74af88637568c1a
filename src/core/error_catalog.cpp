#include "rapmc/core/error_catalog.h"

#include <sstream>
#include <string>

namespace rapmc {

const std::vector<ErrorClass>& error_catalog() {
  static const std::vector<ErrorClass> CATALOG{
      {"E01", ErrorGroup::COMMAND_LINE, "unknown option, missing required option or argument",
       "`rapmc eval --bogus-flag`; `rapmc run c.toml`", "2", "2",
       "the option (`--out is required`)"},
      {"E02", ErrorGroup::COMMAND_LINE, "an option value that is not a number", "`--limit abc`",
       "2", "2", "the option (`Could not convert: --limit = abc`)"},
      {"E03", ErrorGroup::COMMAND_LINE,
       "a number out of its range (negative counts included: an unsigned option would otherwise "
       "wrap)",
       "`rapmc eval --limit -5`; `--threads 5000`; `run --trials 0`; `--weight-bits 9`; "
       "`--percentile 20`; `bench --layer 256by256`",
       "2", "2", "the option and the range (`--limit: Value -5 not in range 0 to 10000000`)"},
      {"E04", ErrorGroup::COMMAND_LINE, "an unknown name",
       "`--pipeline bogus`, `--dataset cifar:test`, `--requant float`, `--calibrator entropy`", "2",
       "2", "the name and the known ones"},
      {"E05", ErrorGroup::COMMAND_LINE, "options that exclude each other",
       "`--hardware` with `--pipeline fp32`; an integer `--model` with `--int-model`; `--resume` "
       "with `--force`; `--shard 2/2`",
       "2", "2", "both options"},
      {"E06", ErrorGroup::FILES, "a missing file", "`--model nope.h5`", "3", "3",
       "the path (`no such file`)"},
      {"E07", ErrorGroup::FILES, "a file that is not HDF5, or a truncated or corrupt one",
       "`--model README.md`; an HDF5 file cut short", "3", "3", "the path (`not an HDF5 file`)"},
      {"E08", ErrorGroup::FILES, "an HDF5 file of another kind",
       "a results file as `--model`; a model as `report`'s file", "4 (models), 3 (results)", "4 3",
       "the path and the expected `filetype`"},
      {"E09", ErrorGroup::FILES,
       "a model with an attribute or dataset missing, of the wrong shape or type, or out of range",
       "`head/fc/weight` deleted; `mlp_dim` contradicting `fc1_weight`", "4", "4",
       "the file and the attribute or dataset"},
      {"E10", ErrorGroup::FILES, "an integer model of another architecture than the FP32 model",
       "`--model bert_wordnet.h5 --int-model vit_fmnist_int8.h5`", "4", "4", "both files"},
      {"E11", ErrorGroup::FILES, "a file that the chosen pipeline does not read",
       "`--pipeline fp32 --int-model README.md`", "as E06–E10", "3 4",
       "the file: it is read and checked anyway"},
      {"E12", ErrorGroup::FILES, "a dataset folder without the dataset's files",
       "`--data-dir /tmp/empty`", "5", "5", "the missing file's path"},
      {"E13", ErrorGroup::FILES,
       "a malformed IDX file (magic, element type, header, short or long payload, corrupt gzip)",
       "a truncated `t10k-images-idx3-ubyte.gz`", "5", "5", "the file and what is wrong"},
      {"E14", ErrorGroup::FILES, "a malformed WordNet file or split",
       "a `data.noun` line without a gloss", "5", "5", "the file and line"},
      {"E15", ErrorGroup::FILES, "samples the model cannot read",
       "WordNet glosses on the ViT; images of another size", "5 (2 for the dataset spec)", "5 2",
       "the model file and the expected shape"},
      {"E20", ErrorGroup::CAMPAIGN, "a TOML syntax error", "`trials = = 2`", "2", "2",
       "the file, line and column"},
      {"E21", ErrorGroup::CAMPAIGN,
       "campaign keys: unknown, of the wrong type, out of range, a bad sweep",
       "`trials = -1`; `[[sweep]] key = \"campaign.seed\"`; `data.first = 5` with `data.select = "
       "\"stratified\"`; `yield.accuracy_threshold = 1.0` (outside (0, 1)); `sampling.method = "
       "\"importance\"` without a shift or spread, a `sampling.shift_*` of a die variate whose σ "
       "is zero, `sampling.sigma_scale = 1.0` with `scaled_sigma`, `trigger.ci_halfwidth` with "
       "importance sampling; `lifetime.ages_s` not strictly increasing, "
       "`lifetime.recalibrate_every_s` longer than the mission, `variation.drift_activation_ev = "
       "-0.3`; `variation.device_table` naming a table that is not monotone, misses a level or "
       "cannot be read (the file, row and rule named)",
       "2", "2", "every bad key of the file at once"},
      {"E22", ErrorGroup::CAMPAIGN,
       "hardware keys: unknown, wrong type, out of range, inconsistent",
       "`adc.enob = 0`; an IR-drop solver `\"magic\"`", "2", "2",
       "every bad key at once, and the sweep point where one made it bad"},
      {"E23", ErrorGroup::CAMPAIGN,
       "a campaign key naming a file that is missing or wrong, whether or not the pipeline reads "
       "it",
       "`model.fp32 = \"README.md\"` with `model.int` given; `model.int` of another architecture; "
       "`hardware.file` missing; `data.dir` without the dataset",
       "3, 4, 2, 5", "3 4 2 5",
       "the campaign file, the key and its value, then the file's own error"},
      {"E24", ErrorGroup::CAMPAIGN, "an evaluation subset beyond the dataset",
       "`data.first = 9999`, `data.images = 8`; `data.images = 10001` with `data.select = "
       "\"stratified\"`",
       "5", "5", "`data.first + data.images` (or `data.images`) and the dataset's size"},
      {"E25", ErrorGroup::CAMPAIGN, "a sweep grid of more than 10,000 points",
       "three axes of 25 values", "2", "2", "`'sweep'`"},
      {"E26", ErrorGroup::CAMPAIGN,
       "a high-sigma estimate the tail model or the estimator cannot make",
       "`tails --count 9` on a 7-row read; `tails --scales 1 2 3`; `--failing-column 1`, or with "
       "`--min-codes 2` (the same for `--failing-read`), or both given; a `--point` beyond the "
       "campaign's; a campaign with `variation.stuck_on_prob > 0`, telegraph noise, a die gradient "
       "or IR drop; `--average` without `--campaign`; `report --scaled-sigma` on a file without "
       "scaled-sigma points or with importance-weighted ones (the fit cannot weight); `report "
       "--flip-rate-max 1.5`; `tails --campaign` of a scaled-sigma point",
       "2", "2",
       "the option or key and its allowed range (`count = 9: a read of 7 rows counts 0..7`; "
       "`scaled-sigma scale 1.000000 must exceed 1`; `variation.stuck_on_prob ...`)"},
      {"E30", ErrorGroup::RESULTS, "an existing output file without `--force` or `--resume`",
       "`rapmc run c.toml --out done.h5` twice", "3", "3",
       "the file (`file exists; not overwritten`)"},
      {"E31", ErrorGroup::RESULTS, "`--resume` of a file that cannot continue this campaign",
       "another campaign's file; format 1.0; another RNG scheme; another shard", "2 or 3", "2 3",
       "the file and what differs"},
      {"E32", ErrorGroup::RESULTS, "`merge` of shards that do not make one campaign",
       "a shard missing, given twice, from another campaign, incomplete, truncated on disk",
       "2 (3 for a file cut short)", "2 3", "the shard file"},
      {"E33", ErrorGroup::RESULTS,
       "`report` or `replay` of a missing file or one that is not a results file",
       "`rapmc report model.h5`", "3", "3", "the path"},
      {"E34", ErrorGroup::RESULTS, "`replay` of a trial or point the file does not hold",
       "`--point 3` of a one-point file", "2", "2", "the option and the file's count"},
      {"E35", ErrorGroup::RESULTS, "a second writer of a results file being written",
       "`rapmc run c.toml --out R.h5 --resume` while a run writes `R.h5`", "3", "3",
       "the file (`another rapmc process is writing this file`); the running campaign goes on "
       "untouched"},
      {"E36", ErrorGroup::RESULTS, "`compare` of files that cannot be paired",
       "a file written before format 1.5 (no per-image predictions); another seed; other images "
       "(labels differ); another number of points",
       "2 (3 for a missing or corrupt file)", "2 3", "the file(s) and what differs"},
      {"E40", ErrorGroup::FAULTS, "the process is killed (SIGKILL, a node lost)", "", "", "",
       "every committed block of trials is readable; `--resume` continues and the finished file is "
       "bit-identical to an uninterrupted run"},
      {"E41", ErrorGroup::FAULTS, "the disk fills up or a file-size limit (`ulimit -f`) is reached",
       "", "", "",
       "before every append and every summary the writer checks that the limit and the free space "
       "leave room for its largest write (a new chunk of every column, twice, plus 256 KiB) and "
       "otherwise stops with exit 3 naming the file, the limit and the bytes needed; the committed "
       "trials stay readable; after space is freed `--resume` continues bit-identically. Should a "
       "write still fail half-way (space taken by another process meanwhile), it ends with exit 3 "
       "naming the dataset, and `--resume` rebuilds any point table the failed write left "
       "unreadable (its trials run again with the same streams, so the finished file is the same)"},
      {"E42", ErrorGroup::FAULTS, "one MPI rank is killed", "", "", "",
       "`mpirun` ends the job with a non-zero exit; the committed trials stay readable; `--resume` "
       "continues bit-identically"},
  };
  return CATALOG;
}

const ErrorClass* find_error_class(std::string_view id) {
  for (const ErrorClass& e : error_catalog())
    if (e.id == id) return &e;
  return nullptr;
}

std::vector<int> exit_codes(const ErrorClass& e) {
  std::istringstream in{std::string(e.codes)};
  std::vector<int> out;
  for (int c; in >> c;) out.push_back(c);
  return out;
}

}  // namespace rapmc

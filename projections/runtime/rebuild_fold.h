#pragma once
// The fold stage of a rebuild (projections/runtime/rebuilder.h): folds decoded
// chunks with the live runtime's BatchApplier, many chunks into one FoldedBatch,
// keeps the records it could not fold as dead letters, and checkpoints the lot
// with the rebuild's counters in one write. Single-threaded (the fold's thread).

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "events/status.h"
#include "projections/runtime/batch_applier.h"
#include "projections/runtime/rebuild_output.h"
#include "projections/runtime/rebuild_pipeline.h"
#include "storage/store.h"

namespace rapport::projections {

class RebuildFold {
 public:
  // `counters` (over every run of the rebuild) grow with every chunk folded and are
  // written with every checkpoint.
  RebuildFold(Store& store, BatchApplier& applier, RebuildCounters& counters, size_t checkpoint_every)
      : store_(store), applier_(applier), counters_(counters), checkpoint_every_(checkpoint_every) {}

  // Folds one chunk on top of what was folded since the last checkpoint. An error
  // means the store could not be read: do not checkpoint.
  Status Fold(RebuildChunk& chunk);
  // `checkpoint_every` records or more folded since the last checkpoint.
  bool Due() const { return pending_records_ >= checkpoint_every_; }
  bool Pending() const { return pending_records_ > 0; }
  // Writes everything folded since the last checkpoint, its dead letters and the
  // counters. `free_with`, when given, takes the written batch to the reader thread.
  Status Checkpoint(RebuildChunk* free_with);

 private:
  Store& store_;
  BatchApplier& applier_;
  RebuildCounters& counters_;
  const size_t checkpoint_every_;
  // Records folded since the last checkpoint, with their dead letters (the chunks
  // they came from are gone by then).
  FoldedBatch pending_;
  std::vector<std::pair<std::string, std::string>> pending_dead_;  // key, note
  size_t pending_records_ = 0;
};

}  // namespace rapport::projections

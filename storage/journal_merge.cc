#include "storage/journal_merge.h"

#include <algorithm>

namespace rapport::projections {

JournalMerge::JournalMerge(const Journal& journal, std::map<Partition, OffsetRange> ranges, size_t chunk,
                           JournalCopies copies)
    : journal_(journal), chunk_(std::max<size_t>(chunk, 1)) {
  if (copies == JournalCopies::kFirstOnly) first_copies_.emplace(journal);
  for (const auto& [partition, range] : ranges) {
    if (range.from < range.to) sources_.push_back({partition, range.from, range.to, {}});
  }
}

Status JournalMerge::Fill(Source& source) {
  // Offsets can have holes (a filler never journaled), so loop until something
  // arrives or the range is done.
  while (source.buffered.empty() && source.next < source.to) {
    const Offset end(std::min(source.to.value(), source.next.value() + static_cast<int64_t>(chunk_)));
    RAPPORT_RETURN_IF_ERROR(journal_.Scan(source.partition, source.next, end, [&](JournalEntry&& entry) {
      source.buffered.push_back(std::move(entry));
      return Status::Ok();
    }));
    source.next = end;
  }
  return Status::Ok();
}

Result<bool> JournalMerge::Next(size_t max, std::vector<JournalEntry>& out) {
  for (Source& source : sources_) RAPPORT_RETURN_IF_ERROR(Fill(source));
  size_t taken = 0;
  while (taken < max) {
    Source* best = nullptr;
    for (Source& source : sources_) {
      if (source.buffered.empty()) continue;
      if (best == nullptr || source.buffered.front().timestamp_ms < best->buffered.front().timestamp_ms) {
        best = &source;  // sources_ are in partition order: ties go to the lower partition
      }
    }
    if (best == nullptr) break;
    bool keep = true;
    if (first_copies_) {
      auto first = first_copies_->Keep(best->buffered.front());
      if (!first.ok()) return first.status();
      keep = *first;
    }
    if (keep) {
      out.push_back(std::move(best->buffered.front()));
      ++taken;
    }
    best->buffered.pop_front();
    RAPPORT_RETURN_IF_ERROR(Fill(*best));
  }
  return taken > 0;
}

}  // namespace rapport::projections

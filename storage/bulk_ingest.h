#pragma once
// Writes a WriteBatch into a store as sorted SST files, one per column family,
// ingested in one atomic step (rocksdb::SstFileWriter + DB::IngestExternalFiles),
// instead of through the write-ahead log and the memtable. For the large batches of
// random keys a rebuild checkpoints (hundreds of thousands of states and dedupe
// keys), the memtable insert is the dominant cost of the write; building a sorted
// file costs a fraction of it and leaves nothing to flush or compact.
//
// The outcome is the same as Store::Write(batch): for each key the batch's last
// operation wins; the ingested data is newer than everything already in the store;
// every family or none (a crash leaves the store as it was). Durable when it
// returns (the files are synced and recorded in the MANIFEST).
//
// Puts and deletes only; a batch holding any other operation (merge, single or range
// delete) is written with Store::Write. Not for concurrent writers of the same keys:
// the live projector keeps using WriteBatches. Files are staged under
// <store>/.ingest and moved (hard-linked) into the database.

#include <string_view>
#include <vector>

#include <rocksdb/write_batch.h>

#include "events/status.h"
#include "storage/store.h"

namespace rapport::projections {

Status IngestBatch(Store& store, const rocksdb::WriteBatch& batch);

// The same, plus `keys` put into `family` with empty values (a checkpoint's dedupe
// keys) without going through the batch: sorted here, views not copied. None of
// them may be in the batch. The files of the families are built on two threads.
Status IngestBatch(Store& store, const rocksdb::WriteBatch& batch, Family family, std::vector<std::string_view> keys);

}  // namespace rapport::projections

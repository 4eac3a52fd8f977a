#pragma once
// Puts a WriteBatch's entries in key order within each column family before it is
// written. RocksDB inserts a batch into the memtable's skiplist one key at a time,
// starting each search from where the previous key went in: keys in order make each
// insert a short walk from its neighbour instead of a search from the top. A live
// checkpoint holds thousands of keys in hash order (dedupe keys, cached states), and
// that search was most of the projector's instructions (callgrind, issue #7).
//
// Same effect as the original batch: entries of one key keep their relative order
// (a stable sort), and every entry gets a distinct sequence number as before. Only
// batches of Put / Delete / SingleDelete / Merge are reordered; a batch with a range
// deletion, log data or an unknown family is left as it is (order matters there).

#include <rocksdb/write_batch.h>

#include "storage/store.h"

namespace rapport::projections {

// Reorders `batch` in place; false (and `batch` unchanged) when it cannot.
bool SortForMemtable(const Store& store, rocksdb::WriteBatch& batch);

}  // namespace rapport::projections

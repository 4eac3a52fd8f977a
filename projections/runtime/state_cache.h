#pragma once
// Write-back cache of a projection's per-key state (key = customer id). Reads fall
// through to the store once; changes stay in memory until Checkpoint writes them
// into the runtime's batch. Single-threaded, owned by one projection.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <rocksdb/write_batch.h>

#include "events/status.h"
#include "storage/store.h"
#include "storage/store_memory.h"

namespace rapport::projections {

template <typename State>
class StateCache {
 public:
  using Encoder = std::function<std::string(const State&)>;
  using Decoder = std::function<Result<State>(std::string_view)>;

  // `max_entries`: clean entries kept after a checkpoint (storage.state_cache_entries).
  StateCache(Store& store, Family family, Encoder encode, Decoder decode, size_t max_entries = StateCacheEntries())
      : store_(store), family_(family), encode_(std::move(encode)), decode_(std::move(decode)),
        max_entries_(max_entries) {}

  // Changes the bound Committed keeps the cache within (a replay keeps every state).
  void set_max_entries(size_t max_entries) { max_entries_ = max_entries; }

  // The state for `key`; a default-constructed State when the store has none
  // (`*existed` tells which, when given). The pointer is valid until the next
  // Checkpoint or DropAll.
  Result<State*> Load(const std::string& key, bool* existed = nullptr) {
    if (!probed_) ProbeStore();
    if (auto* entry = Find(key)) {
      if (existed) *existed = entry->second.existed;
      return &entry->second.state;
    }
    auto stored = store_.Get(family_, key);
    if (!stored.ok()) return stored.status();
    Entry entry;
    if (stored->has_value()) {
      auto decoded = decode_(**stored);
      if (!decoded.ok()) return decoded.status().WithContext("stored state of " + key);
      entry.state = std::move(decoded).value();
      entry.existed = true;
    }
    if (existed) *existed = entry.existed;
    auto [it, inserted] = entries_.emplace(key, std::move(entry));
    last_ = &*it;
    return &it->second.state;
  }

  // Records that the state of `key` (previously Load-ed) changed.
  void MarkDirty(const std::string& key) {
    auto* entry = Find(key);
    if (entry == nullptr) return;
    entry->second.existed = true;
    // A flag and a list of the entries (map nodes stay put) instead of a set of
    // keys: no second hash table to probe and no key copy per change.
    if (!entry->second.dirty) {
      entry->second.dirty = true;
      dirty_.push_back(entry);
    }
  }

  // Writes every dirty state into `batch` and bounds the clean entries kept.
  void Checkpoint(rocksdb::WriteBatch& batch) {
    for (const auto* entry : dirty_) batch.Put(store_.handle(family_), entry->first, encode_(entry->second.state));
  }

  // The batch is durable: dirty entries are clean now.
  void Committed() {
    for (auto* entry : dirty_) entry->second.dirty = false;
    dirty_.clear();
    if (entries_.size() > max_entries_) {
      entries_.clear();  // simple, and reads refill it
      last_ = nullptr;
      holds_every_state_ = false;
    }
  }

  void DropAll() {
    entries_.clear();
    dirty_.clear();
    last_ = nullptr;
    holds_every_state_ = false;
  }

  size_t dirty_count() const { return dirty_.size(); }

  // Calls fn(key, state) for every cached state that exists (in the store or dirty),
  // the newest version of each: with a scan of the store it sees everything.
  template <typename Fn>
  void ForEachCached(Fn fn) const {
    for (const auto& [key, entry] : entries_) {
      if (entry.existed) fn(key, entry.state);
    }
  }
  bool Cached(const std::string& key) const { return entries_.contains(key); }
  // True when ForEachCached sees every state the store's family holds: the family
  // was empty at the first Load (a fresh store, such as a rebuild's) and no entry
  // has been let go since, so a scan of the store would find nothing more.
  bool holds_every_state() const { return holds_every_state_; }

 private:
  struct Entry {
    State state{};
    bool existed = false;
    bool dirty = false;  // changed since the last Committed: listed in dirty_
  };

  // The entry of `key`, or null. An event looks its customer up several times in a
  // row (resolve the merge chain, load, mark dirty): the last entry found answers
  // those without hashing the key and walking a bucket that is rarely in cache.
  std::pair<const std::string, Entry>* Find(const std::string& key) {
    if (last_ != nullptr && last_->first == key) return last_;
    auto it = entries_.find(key);
    if (it == entries_.end()) return nullptr;
    last_ = &*it;
    return last_;
  }

  // Before the first entry: is the family empty? (The cache writes every state of
  // its family, so then everything the store gets is cached too.)
  void ProbeStore() {
    probed_ = true;
    auto it = store_.NewIterator(family_);
    it->SeekToFirst();
    holds_every_state_ = it->status().ok() && !it->Valid();
  }

  Store& store_;
  Family family_;
  Encoder encode_;
  Decoder decode_;
  size_t max_entries_;
  std::unordered_map<std::string, Entry> entries_;
  std::vector<std::pair<const std::string, Entry>*> dirty_;  // each once, in the order first changed
  std::pair<const std::string, Entry>* last_ = nullptr;     // see Find; map nodes stay put until cleared
  bool probed_ = false;
  bool holds_every_state_ = false;
};

}  // namespace rapport::projections

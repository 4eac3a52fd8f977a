#include "services/analyst/store_diff.h"

#include <set>

#include "services/platform/projection_registry.h"

namespace rapport::services {
namespace {

using nlohmann::json;

void Walk(const json& left, const json& right, const std::string& path, std::vector<FieldDifference>& out) {
  if (left.is_object() && right.is_object()) {
    std::set<std::string> keys;
    for (const auto& [key, value] : left.items()) keys.insert(key);
    for (const auto& [key, value] : right.items()) keys.insert(key);
    for (const std::string& key : keys) {
      const std::string child = path + "." + key;
      const bool in_left = left.contains(key), in_right = right.contains(key);
      if (in_left && in_right) {
        Walk(left[key], right[key], child, out);
      } else {
        out.push_back({child, in_left ? left[key] : json(), in_right ? right[key] : json(), in_left, in_right});
      }
    }
    return;
  }
  if (left.is_array() && right.is_array()) {
    const size_t n = std::max(left.size(), right.size());
    for (size_t i = 0; i < n; ++i) {
      const std::string child = path + "[" + std::to_string(i) + "]";
      if (i < left.size() && i < right.size()) {
        Walk(left[i], right[i], child, out);
      } else {
        out.push_back({child, i < left.size() ? left[i] : json(), i < right.size() ? right[i] : json(),
                       i < left.size(), i < right.size()});
      }
    }
    return;
  }
  if (left != right) out.push_back({path, left, right, true, true});
}

// Keys of the state family in order, one at a time.
class KeyCursor {
 public:
  explicit KeyCursor(const projections::Store& store) : it_(store.NewIterator(projections::Family::kState)) {
    it_->SeekToFirst();
  }
  bool valid() const { return it_->Valid(); }
  std::string key() const { return it_->key().ToString(); }
  void Next() { it_->Next(); }
  Status status() const { return projections::FromRocks(it_->status(), "scan customers"); }

 private:
  std::unique_ptr<rocksdb::Iterator> it_;
};

}  // namespace

std::vector<FieldDifference> DiffJson(const json& left, const json& right) {
  std::vector<FieldDifference> out;
  Walk(left, right, "$", out);
  return out;
}

Result<DiffCounts> DiffStores(std::string_view projection, const DiffSide& left, const DiffSide& right,
                              const std::function<void(const CustomerDifference&)>& visit) {
  DiffCounts counts;
  KeyCursor a(*left.store), b(*right.store);
  while (a.valid() || b.valid()) {
    std::string id;
    if (!b.valid() || (a.valid() && a.key() <= b.key())) {
      id = a.key();
    } else {
      id = b.key();
    }
    if (a.valid() && a.key() == id) a.Next();
    if (b.valid() && b.key() == id) b.Next();
    ++counts.customers;
    auto l = DescribeCustomer(projection, *left.store, id, left.settings);
    if (!l.ok()) return l.status();
    auto r = DescribeCustomer(projection, *right.store, id, right.settings);
    if (!r.ok()) return r.status();
    CustomerDifference difference{id, {}};
    if (l->has_value() && r->has_value()) {
      difference.fields = DiffJson(**l, **r);
    } else if (l->has_value() || r->has_value()) {
      difference.fields.push_back({"$", l->value_or(json()), r->value_or(json()), l->has_value(), r->has_value()});
    }
    if (difference.fields.empty()) continue;
    ++counts.differing;
    visit(difference);
  }
  RAPPORT_RETURN_IF_ERROR(a.status());
  RAPPORT_RETURN_IF_ERROR(b.status());
  return counts;
}

std::string FormatDifference(const FieldDifference& difference) {
  auto shown = [](const json& value, bool present) { return present ? value.dump() : std::string("(absent)"); };
  return "  " + difference.path + ": " + shown(difference.left, difference.left_present) + " -> " +
         shown(difference.right, difference.right_present);
}

}  // namespace rapport::services

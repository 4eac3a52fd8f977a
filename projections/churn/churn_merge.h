#pragma once
// customers_merged in the churn projection (DOMAIN.md §1, projections/runtime/merged_states.h
// for the pointer rules): the duplicate's churn inputs are folded into the
// survivor's, the duplicate keeps only a pointer. Pure.
//
// What moves: purchases (so intervals, P(alive) and decline see one person),
// complaints (open ones and the ones in the count window; one complaint id counts
// once), first/last event times. What does not: the satisfaction EWMA (the churn
// inputs keep only the average, not the samples, so the survivor's stays; later
// surveys of the duplicate id land on the survivor). The projection retires the
// duplicate's timer and open alerts (churn_projection.h).

#include "projections/churn/churn_rules.h"

namespace rapport::projections {

// Folds `duplicate`'s inputs into `survivor`. The survivor's open alerts, held bits
// and timer are left to the caller.
void MergeChurnInputs(ChurnState& survivor, const ChurnState& duplicate);

// What is left of `duplicate` after its merge into `survivor_id` at `at_ms`: a
// pointer that keeps its alert counter (pending alerts are keyed by it).
ChurnState ChurnPointer(const ChurnState& duplicate, const std::string& duplicate_id,
                        const std::string& survivor_id, int64_t at_ms);

}  // namespace rapport::projections

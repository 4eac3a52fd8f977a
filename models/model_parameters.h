#pragma once
// The fitted population parameters of the probabilistic churn / CLV model (BG/NBD
// and Gamma-Gamma), as published on `rapport.model-parameters` so that every
// service scores customers with the same ones. Wire form: schemas/model.fbs.

#include <cstdint>
#include <string>
#include <string_view>

#include "events/status.h"
#include "models/bgnbd.h"
#include "models/gamma_gamma.h"

namespace rapport::projections {

inline constexpr uint16_t kModelSchemaVersion = 1;
// The key of the one model rapport fits today.
inline constexpr std::string_view kClvModelName = "clv";
inline constexpr std::string_view kModelTimeUnit = "day";

struct ModelParameters {
  std::string model = std::string(kClvModelName);
  int64_t as_of_ms = 0;      // event time of the customer summaries
  int64_t fitted_at_ms = 0;  // wall clock, informational only
  std::string time_unit = std::string(kModelTimeUnit);
  int64_t customers = 0;
  BgNbdParams bgnbd;
  double bgnbd_log_likelihood = 0;
  int64_t gamma_gamma_customers = 0;
  GammaGammaParams gamma_gamma;
  double gamma_gamma_log_likelihood = 0;
  bool operator==(const ModelParameters&) const = default;
};

// A finished FlatBuffers buffer with identifier RPMP.
std::string EncodeModelParameters(const ModelParameters& parameters);
// Verifies the buffer, the identifier and the schema version, and checks that the
// parameters are usable (finite, > 0, time unit "day"). Corruption for bad bytes,
// InvalidArgument naming the field for bad values.
Result<ModelParameters> DecodeModelParameters(std::string_view bytes);

}  // namespace rapport::projections

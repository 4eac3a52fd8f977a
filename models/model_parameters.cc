#include "models/model_parameters.h"

#include <cmath>

#include "schemas/model_generated.h"

namespace rapport::projections {
namespace {

Status Positive(const char* field, double value) {
  if (std::isfinite(value) && value > 0) return Status::Ok();
  return Status::InvalidArgument(field, "must be a finite number > 0, got " + std::to_string(value));
}

}  // namespace

std::string EncodeModelParameters(const ModelParameters& p) {
  flatbuffers::FlatBufferBuilder builder(256);
  auto model = builder.CreateString(p.model);
  auto unit = builder.CreateString(p.time_unit);
  wire::ModelParametersBuilder b(builder);
  b.add_schema_version(kModelSchemaVersion);
  b.add_model(model);
  b.add_as_of_ms(p.as_of_ms);
  b.add_fitted_at_ms(p.fitted_at_ms);
  b.add_time_unit(unit);
  b.add_customers(p.customers);
  b.add_bgnbd_r(p.bgnbd.r);
  b.add_bgnbd_alpha(p.bgnbd.alpha);
  b.add_bgnbd_a(p.bgnbd.a);
  b.add_bgnbd_b(p.bgnbd.b);
  b.add_bgnbd_log_likelihood(p.bgnbd_log_likelihood);
  b.add_gamma_gamma_customers(p.gamma_gamma_customers);
  b.add_gamma_gamma_p(p.gamma_gamma.p);
  b.add_gamma_gamma_q(p.gamma_gamma.q);
  b.add_gamma_gamma_gamma(p.gamma_gamma.gamma);
  b.add_gamma_gamma_log_likelihood(p.gamma_gamma_log_likelihood);
  wire::FinishModelParametersBuffer(builder, b.Finish());
  return std::string(reinterpret_cast<const char*>(builder.GetBufferPointer()), builder.GetSize());
}

Result<ModelParameters> DecodeModelParameters(std::string_view bytes) {
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  flatbuffers::Verifier verifier(data, bytes.size());
  if (!wire::VerifyModelParametersBuffer(verifier)) {
    return Status::Corruption("model parameters fail FlatBuffers verification");
  }
  const wire::ModelParameters* in = wire::GetModelParameters(data);
  if (in->schema_version() != kModelSchemaVersion) {
    return Status::InvalidArgument("schema_version",
                                   "unknown version " + std::to_string(in->schema_version()));
  }
  ModelParameters p;
  p.model = in->model() ? in->model()->str() : "";
  if (p.model.empty()) return Status::InvalidArgument("model", "must not be empty");
  p.as_of_ms = in->as_of_ms();
  p.fitted_at_ms = in->fitted_at_ms();
  p.time_unit = in->time_unit() ? in->time_unit()->str() : "";
  if (p.time_unit != kModelTimeUnit) {
    return Status::InvalidArgument("time_unit", "must be \"day\", got \"" + p.time_unit + "\"");
  }
  p.customers = in->customers();
  p.bgnbd = {in->bgnbd_r(), in->bgnbd_alpha(), in->bgnbd_a(), in->bgnbd_b()};
  p.bgnbd_log_likelihood = in->bgnbd_log_likelihood();
  p.gamma_gamma_customers = in->gamma_gamma_customers();
  p.gamma_gamma = {in->gamma_gamma_p(), in->gamma_gamma_q(), in->gamma_gamma_gamma()};
  p.gamma_gamma_log_likelihood = in->gamma_gamma_log_likelihood();
  RAPPORT_RETURN_IF_ERROR(Positive("bgnbd_r", p.bgnbd.r));
  RAPPORT_RETURN_IF_ERROR(Positive("bgnbd_alpha", p.bgnbd.alpha));
  RAPPORT_RETURN_IF_ERROR(Positive("bgnbd_a", p.bgnbd.a));
  RAPPORT_RETURN_IF_ERROR(Positive("bgnbd_b", p.bgnbd.b));
  RAPPORT_RETURN_IF_ERROR(Positive("gamma_gamma_p", p.gamma_gamma.p));
  RAPPORT_RETURN_IF_ERROR(Positive("gamma_gamma_q", p.gamma_gamma.q));
  RAPPORT_RETURN_IF_ERROR(Positive("gamma_gamma_gamma", p.gamma_gamma.gamma));
  if (p.customers < 0) return Status::InvalidArgument("customers", "must be >= 0");
  return p;
}

}  // namespace rapport::projections

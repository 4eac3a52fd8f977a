#pragma once
// How services follow the published model parameters (`model:` in the config).

namespace rapport::services {

struct ModelSettings {
  int refresh_seconds = 60;  // how often the query API re-reads the model parameters topic
};

}  // namespace rapport::services

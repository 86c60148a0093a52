// Pieces of the Prometheus text exposition format shared by every part that renders metrics
// (the HTTP server's and the webhook dispatcher's), which cannot call each other's layers.
#pragma once

#include <string>
#include <string_view>

namespace tt {

// Appends the `# HELP` and `# TYPE` lines of metric `name` (type: counter, gauge, histogram).
inline void AppendMetricHeader(std::string& out, std::string_view name, std::string_view type,
                               std::string_view help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

}  // namespace tt

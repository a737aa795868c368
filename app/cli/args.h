#pragma once
// A small GNU-style argument parser: `--flag value`, `--flag=value`, boolean `--flag`,
// repeatable flags, positional arguments. Unknown flags are usage errors (exit code 2).
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace bitshift::cli {

struct OptionSpec {
  std::string name;        // without the leading "--"
  std::string value_name;  // empty for a boolean flag
  std::string help;
};

// A usage error: the CLI prints it with a hint to --help and exits with code 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Args {
 public:
  Args(const std::vector<std::string>& argv, const std::vector<OptionSpec>& specs);

  bool has(const std::string& name) const { return values_.count(name) > 0; }
  std::string get(const std::string& name, const std::string& fallback = "") const;
  std::vector<std::string> all(const std::string& name) const;
  int get_int(const std::string& name, int fallback) const;
  int64_t get_int64(const std::string& name, int64_t fallback) const;
  double get_double(const std::string& name, double fallback) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_;
};

// "  --model NAME|FILE   the model ..." lines for --help.
std::string format_options(const std::vector<OptionSpec>& specs);

}  // namespace bitshift::cli

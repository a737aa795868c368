// `bitshift-cli summary`: the layers of a model with output shapes, parameters and MACs.
#include "cli/common.h"
#include "graph/graph.h"

namespace bitshift::cli {

nlohmann::json graph_summary_json(const Graph& g) {
  nlohmann::json layers = nlohmann::json::array();
  for (int i = 1; i < g.size(); ++i) {
    const Node& n = g.node(i);
    layers.push_back({{"name", n.name}, {"op", op_name(n.kind)}, {"shape", n.out_shape.str()},
                      {"params", g.params(i)}, {"macs", g.macs(i)}});
  }
  return {{"model", g.name()}, {"input", g.input_shape().str()}, {"classes", g.num_classes()},
          {"params", g.total_params()}, {"macs", g.total_macs()}, {"layers", layers}};
}

int cmd_summary(const std::vector<std::string>& argv) {
  const std::vector<OptionSpec> specs = {opt_model(), opt_input(), opt_data(), opt_width(), opt_json(),
                                         opt_help()};
  Args args(argv, specs);
  if (args.has("help")) {
    print_help("summary", "--model NAME|FILE [OPTIONS]",
               "Prints every layer of the model for the dataset's input shape and classes:\n"
               "output shape, trainable parameters and multiply-accumulates per image.",
               specs);
    return kExitOk;
  }
  const Output out(args.has("json"));
  std::string data_name;
  DatasetPair data = open_data(args, &data_name);
  const LoadedModel model = open_model(args, data, data_name, /*pretrained=*/true);
  const Graph& g = model.module->graph();
  out.text(g.name() + " for " + g.input_shape().str() + " input, " +
           std::to_string(g.num_classes()) + " classes (" + model.origin + ")\n" +
           summary_table(g));
  out.emit(graph_summary_json(g));
  return kExitOk;
}

}  // namespace bitshift::cli

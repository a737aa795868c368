// Every op kind of the graph, listed once (ncnn's `ncnn_add_layer` in one file). Each line
// BITSHIFT_OP(Kind, name) gives the enum value OpKind::Kind, the JSON/summary name "name", and
// the op's definition `const Op& op_<name>()` in ops/<name>.cpp. To add an op: one line here,
// one file in ops/, one test in tests/core/graph/ops_test.cpp.
// Order is the enum's order; never reorder (only the names are stored, but keep diffs small).
BITSHIFT_OP(Input, input)
BITSHIFT_OP(Conv2d, conv2d)
BITSHIFT_OP(Linear, linear)
BITSHIFT_OP(BatchNorm2d, batchnorm2d)
BITSHIFT_OP(ReLU, relu)
BITSHIFT_OP(ReLU6, relu6)
BITSHIFT_OP(MaxPool, maxpool)
BITSHIFT_OP(AvgPool, avgpool)
BITSHIFT_OP(GlobalAvgPool, gap)
BITSHIFT_OP(Add, add)
BITSHIFT_OP(Flatten, flatten)
BITSHIFT_OP(Dropout, dropout)
BITSHIFT_OP(Mul, mul)
BITSHIFT_OP(Concat, concat)
BITSHIFT_OP(Slice, slice)
BITSHIFT_OP(ChannelShuffle, channel_shuffle)
BITSHIFT_OP(Sigmoid, sigmoid)
BITSHIFT_OP(HardSigmoid, hardsigmoid)
BITSHIFT_OP(HardSwish, hardswish)
BITSHIFT_OP(SiLU, silu)
BITSHIFT_OP(LeakyReLU, leaky_relu)
BITSHIFT_OP(Clip, clip)

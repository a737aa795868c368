// Fully connected layer over the flattened C·H·W values of each sample, weights (decoded by
// bs_unpack_weights) [out][in]. One work-item per output value: dimension 0 is the output,
// 1 the sample.
__kernel BS_ATTR void bs_linear(
    __global const int* restrict x, __global int* restrict y, __global const int* restrict wv,
    __global const int* restrict bias, __global const int* restrict m,
    __global const int* restrict shift, __global const long* restrict offset,
    int requantized, int lo, int hi, int fan_in, int out_c, int batch) {
  const int o = get_global_id(0), n = get_global_id(1);
  if (o >= out_c || n >= batch) return;
  __global const int* xs = x + n * fan_in;
  __global const int* ws = wv + o * fan_in;
  int acc = bias[o];
  for (int i = 0; i < fan_in; ++i) acc += ws[i] * xs[i];
  y[n * out_c + o] = bs_finish(acc, o, requantized, m, shift, offset, lo, hi);
}

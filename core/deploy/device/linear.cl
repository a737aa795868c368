// Fully connected layer over the flattened C·H·W values of each sample, weights [out][in].
// One work-item per output value: dimension 0 is the output, 1 the sample.
__kernel BS_ATTR void bs_linear(
    __global const int* restrict x, __global int* restrict y,
    __global const uchar* restrict w8, __global const int* restrict w32,
    __global const int* restrict table, int w_format, int has_table,
    __global const int* restrict bias, __global const int* restrict m,
    __global const int* restrict shift, __global const long* restrict offset,
    int requantized, int lo, int hi, int fan_in, int out_c, int batch) {
  const int o = get_global_id(0), n = get_global_id(1);
  if (o >= out_c || n >= batch) return;
  __global const int* xs = x + n * fan_in;
  const int wi = o * fan_in;
  int acc = bias[o];
  for (int i = 0; i < fan_in; ++i)
    acc += bs_weight(w8, w32, table, w_format, has_table, wi + i) * xs[i];
  y[n * out_c + o] = bs_finish(acc, o, requantized, m, shift, offset, lo, hi);
}

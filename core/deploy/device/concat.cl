// Concat: output channels [out_first, out_first + count) from channels [first, first + count)
// of one input (one launch per run), each requantized with its output channel's (m, shift,
// offset). One work-item per channel and sample (dimension 0 the channel, 1 the sample); the
// loop over the plane vectorises.
__kernel BS_ATTR void bs_concat(__global const int* restrict x, __global int* restrict y,
                                __global const int* restrict m, __global const int* restrict shift,
                                __global const long* restrict offset, int lo, int hi, int in_c,
                                int first, int out_c, int out_first, int count, int plane,
                                int batch) {
  const int k = get_global_id(0), n = get_global_id(1);
  if (k >= count || n >= batch) return;
  const int c = out_first + k;
  const int s = shift[c];
  const long mc = m[c], oc = offset[c];
  __global const int* xs = x + (n * in_c + first + k) * plane;
  __global int* ys = y + (n * out_c + c) * plane;
  for (int i = 0; i < plane; ++i) ys[i] = bs_requantize(xs[i] * mc + oc, s, lo, hi);
}

// Residual add: y = requantize(a·m[c] + b·m2[c] + offset[c]) with one shared shift[c], each
// input on its own scale (requantized values or wide int32 accumulators). One work-item per
// plane (dimension 0 is sample·channel), so the channel's constants are read once and the loop
// over the H·W plane vectorises.
__kernel BS_ATTR void bs_add(__global const int* restrict a, __global const int* restrict b,
                             __global int* restrict y, __global const int* restrict m,
                             __global const int* restrict m2, __global const int* restrict shift,
                             __global const long* restrict offset, int lo, int hi,
                             int channels, int plane, int batch) {
  const int z = get_global_id(0);
  if (z >= batch * channels) return;
  const int c = z % channels, s = shift[c];
  const long ma = m[c], mb = m2[c], add = offset[c] + (s > 0 ? (1L << (s - 1)) : 0L);
  __global const int* as = a + z * plane;
  __global const int* bs = b + z * plane;
  __global int* ys = y + z * plane;
  for (int i = 0; i < plane; ++i)
    ys[i] = (int)clamp((as[i] * ma + bs[i] * mb + add) >> s, (long)lo, (long)hi);
}

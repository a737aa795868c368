// Residual add: y = requantize(a·m[c] + b·m2[c] + offset[c]) with one shared shift[c], each
// input on its own scale (requantized values or wide int32 accumulators). One work-item per
// value: dimension 0 is the position in the H·W plane, 1 is sample·channel.
__kernel BS_ATTR void bs_add(__global const int* restrict a, __global const int* restrict b,
                             __global int* restrict y, __global const int* restrict m,
                             __global const int* restrict m2, __global const int* restrict shift,
                             __global const long* restrict offset, int lo, int hi,
                             int channels, int plane, int batch) {
  const int i = get_global_id(0), z = get_global_id(1);
  if (i >= plane || z >= batch * channels) return;
  const int c = z % channels, at = z * plane + i;
  y[at] = bs_requantize((long)a[at] * m[c] + (long)b[at] * m2[c] + offset[c], shift[c], lo, hi);
}

// Lookup: y = table[x − lo] for every value (lo: the input's smallest value), one work-item per
// value of the batch.
__kernel BS_ATTR void bs_lookup(__global const int* restrict x, __global int* restrict y,
                                __global const int* restrict table, int lo, int count) {
  const int i = get_global_id(0);
  if (i >= count) return;
  y[i] = table[x[i] - lo];
}

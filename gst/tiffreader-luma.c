/* gst-blockwise: the luma of 8-bit RGB and RGBA pixels, as GRAY8.
 *
 * videoconvert makes GRAY8 of sRGB input with BT.601's luma weights in
 * full range (GRAY8's default colorimetry), through its 8-bit integer
 * matrix: each weight times 256, rounded (77, 150, 29, which add up to
 * 256), the weighted sum shifted right by 8 bits (truncated, so 255 stays
 * the largest value and no clamp is needed).
 *
 * On x86-64 builds with the x86 paths, SSSE3 and AVX2 versions (chosen at
 * run time by the CPU) compute the same sums exactly: each pixel's samples
 * are spread to 16-bit lanes by a byte shuffle, multiplied and added in
 * pairs to 32 bits (pmaddwd), shifted and packed back to bytes. The plain
 * loop is the fallback and does the rows' tails.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "tiffreader-luma.h"

#ifdef HAVE_X86_PATHS
#include <immintrin.h>
#endif

#define LUMA_R 77
#define LUMA_G 150
#define LUMA_B 29
#define LUMA_SHIFT 8

static void
luma_row_scalar (const guint8 * src, guint src_bpp, guint8 * dst, guint n)
{
  guint i;

  /* One loop per pixel size, so that the compiler sees a constant stride. */
  if (src_bpp == 4) {
    for (i = 0; i < n; i++)
      dst[i] = (LUMA_R * src[4 * i] + LUMA_G * src[4 * i + 1] +
          LUMA_B * src[4 * i + 2]) >> LUMA_SHIFT;
  } else {
    for (i = 0; i < n; i++)
      dst[i] = (LUMA_R * src[3 * i] + LUMA_G * src[3 * i + 1] +
          LUMA_B * src[3 * i + 2]) >> LUMA_SHIFT;
  }
}

#ifdef HAVE_X86_PATHS

#define SSSE3 __attribute__ ((target ("ssse3")))
#define AVX2 __attribute__ ((target ("avx2")))

/* Shuffles that take the first four pixels of 16 bytes (3 or 4 bytes
 * each) to 16-bit lanes: (R, G) pairs for pmaddwd with (77, 150), and
 * (B, 0) pairs for pmaddwd with (29, 0). -1 zeroes a byte. */
#define RG_MASK(b) \
  (char) (0 * b), -1, (char) (0 * b + 1), -1, (char) (1 * b), -1, \
  (char) (1 * b + 1), -1, (char) (2 * b), -1, (char) (2 * b + 1), -1, \
  (char) (3 * b), -1, (char) (3 * b + 1), -1
#define B_MASK(b) \
  (char) (0 * b + 2), -1, -1, -1, (char) (1 * b + 2), -1, -1, -1, \
  (char) (2 * b + 2), -1, -1, -1, (char) (3 * b + 2), -1, -1, -1

/* The luma of four pixels (one per 32-bit lane) from the first four
 * pixels of v. */
static inline SSSE3 __m128i
luma4_ssse3 (__m128i v, __m128i rg_mask, __m128i b_mask)
{
  const __m128i w_rg = _mm_set1_epi32 (LUMA_R | (LUMA_G << 16));
  const __m128i w_b = _mm_set1_epi32 (LUMA_B);
  __m128i s = _mm_add_epi32 (_mm_madd_epi16 (_mm_shuffle_epi8 (v, rg_mask),
          w_rg), _mm_madd_epi16 (_mm_shuffle_epi8 (v, b_mask), w_b));

  return _mm_srli_epi32 (s, LUMA_SHIFT);
}

/* 16 pixels per step, read as four loads of 16 bytes at every fourth
 * pixel; for RGB the last load reads 4 bytes past the 16th pixel, so the
 * loop stops where that would leave the row. Returns the pixels done. */
static inline SSSE3 guint
luma_row_ssse3_bpp (const guint8 * src, const guint bpp, guint8 * dst, guint n)
{
  const __m128i rg_mask = bpp == 4 ? _mm_setr_epi8 (RG_MASK (4)) :
      _mm_setr_epi8 (RG_MASK (3));
  const __m128i b_mask = bpp == 4 ? _mm_setr_epi8 (B_MASK (4)) :
      _mm_setr_epi8 (B_MASK (3));
  const gsize row_bytes = (gsize) n * bpp;
  guint i = 0;

  for (; (gsize) i * bpp + 12 * bpp + 16 <= row_bytes; i += 16) {
    const guint8 *p = src + (gsize) i * bpp;
    __m128i l0 = luma4_ssse3 (_mm_loadu_si128 ((const __m128i *) p),
        rg_mask, b_mask);
    __m128i l1 = luma4_ssse3 (_mm_loadu_si128 ((const __m128i *)
            (p + 4 * bpp)), rg_mask, b_mask);
    __m128i l2 = luma4_ssse3 (_mm_loadu_si128 ((const __m128i *)
            (p + 8 * bpp)), rg_mask, b_mask);
    __m128i l3 = luma4_ssse3 (_mm_loadu_si128 ((const __m128i *)
            (p + 12 * bpp)), rg_mask, b_mask);

    _mm_storeu_si128 ((__m128i *) (dst + i),
        _mm_packus_epi16 (_mm_packs_epi32 (l0, l1), _mm_packs_epi32 (l2, l3)));
  }
  return i;
}

static SSSE3 void
luma_row_ssse3 (const guint8 * src, guint src_bpp, guint8 * dst, guint n)
{
  guint done = src_bpp == 4 ? luma_row_ssse3_bpp (src, 4, dst, n) :
      luma_row_ssse3_bpp (src, 3, dst, n);

  luma_row_scalar (src + (gsize) done * src_bpp, src_bpp, dst + done, n - done);
}

/* As luma4_ssse3, on eight pixels: four in each 128-bit half. */
static inline AVX2 __m256i
luma8_avx2 (const guint8 * lo, const guint8 * hi, __m256i rg_mask,
    __m256i b_mask)
{
  const __m256i w_rg = _mm256_set1_epi32 (LUMA_R | (LUMA_G << 16));
  const __m256i w_b = _mm256_set1_epi32 (LUMA_B);
  __m256i v = _mm256_inserti128_si256 (_mm256_castsi128_si256
      (_mm_loadu_si128 ((const __m128i *) lo)),
      _mm_loadu_si128 ((const __m128i *) hi), 1);
  __m256i s = _mm256_add_epi32 (_mm256_madd_epi16 (_mm256_shuffle_epi8 (v,
              rg_mask), w_rg), _mm256_madd_epi16 (_mm256_shuffle_epi8 (v,
              b_mask), w_b));

  return _mm256_srli_epi32 (s, LUMA_SHIFT);
}

/* 32 pixels per step, as luma_row_ssse3_bpp; the packs work within
 * 128-bit halves, so a last permutation puts the pixels back in order. */
static inline AVX2 guint
luma_row_avx2_bpp (const guint8 * src, const guint bpp, guint8 * dst, guint n)
{
  const __m256i rg_mask = bpp == 4 ? _mm256_setr_epi8 (RG_MASK (4),
      RG_MASK (4)) : _mm256_setr_epi8 (RG_MASK (3), RG_MASK (3));
  const __m256i b_mask = bpp == 4 ? _mm256_setr_epi8 (B_MASK (4),
      B_MASK (4)) : _mm256_setr_epi8 (B_MASK (3), B_MASK (3));
  const __m256i order = _mm256_setr_epi32 (0, 4, 1, 5, 2, 6, 3, 7);
  const gsize row_bytes = (gsize) n * bpp;
  guint i = 0;

  for (; (gsize) i * bpp + 28 * bpp + 16 <= row_bytes; i += 32) {
    const guint8 *p = src + (gsize) i * bpp;
    __m256i l0 = luma8_avx2 (p, p + 4 * bpp, rg_mask, b_mask);
    __m256i l1 = luma8_avx2 (p + 8 * bpp, p + 12 * bpp, rg_mask, b_mask);
    __m256i l2 = luma8_avx2 (p + 16 * bpp, p + 20 * bpp, rg_mask, b_mask);
    __m256i l3 = luma8_avx2 (p + 24 * bpp, p + 28 * bpp, rg_mask, b_mask);
    __m256i bytes = _mm256_packus_epi16 (_mm256_packs_epi32 (l0, l1),
        _mm256_packs_epi32 (l2, l3));

    _mm256_storeu_si256 ((__m256i *) (dst + i),
        _mm256_permutevar8x32_epi32 (bytes, order));
  }
  return i;
}

static AVX2 void
luma_row_avx2 (const guint8 * src, guint src_bpp, guint8 * dst, guint n)
{
  guint done = src_bpp == 4 ? luma_row_avx2_bpp (src, 4, dst, n) :
      luma_row_avx2_bpp (src, 3, dst, n);

  /* The SSSE3 loop takes the tail's whole sixteens; its SSE code would
   * run slowly with the upper halves of the registers left dirty, and GCC
   * does not clear them before the call itself. */
  _mm256_zeroupper ();
  luma_row_ssse3 (src + (gsize) done * src_bpp, src_bpp, dst + done, n - done);
}

#endif /* HAVE_X86_PATHS */

gboolean
bw_tiff_luma_path_supported (BwTiffLumaPath path)
{
  switch (path) {
    case BW_TIFF_LUMA_PATH_AUTO:
    case BW_TIFF_LUMA_PATH_SCALAR:
      return TRUE;
#ifdef HAVE_X86_PATHS
    case BW_TIFF_LUMA_PATH_SSSE3:
      __builtin_cpu_init ();
      return __builtin_cpu_supports ("ssse3");
    case BW_TIFF_LUMA_PATH_AVX2:
      __builtin_cpu_init ();
      return __builtin_cpu_supports ("avx2");
#endif
    default:
      return FALSE;
  }
}

void
bw_tiff_luma_row_path (BwTiffLumaPath path, const guint8 * src,
    guint src_bpp, guint8 * dst, guint n)
{
#ifdef HAVE_X86_PATHS
  if (path == BW_TIFF_LUMA_PATH_AUTO)
    path = bw_tiff_luma_path_supported (BW_TIFF_LUMA_PATH_AVX2) ?
        BW_TIFF_LUMA_PATH_AVX2 :
        bw_tiff_luma_path_supported (BW_TIFF_LUMA_PATH_SSSE3) ?
        BW_TIFF_LUMA_PATH_SSSE3 : BW_TIFF_LUMA_PATH_SCALAR;
  g_return_if_fail (bw_tiff_luma_path_supported (path));
  if (path == BW_TIFF_LUMA_PATH_AVX2) {
    luma_row_avx2 (src, src_bpp, dst, n);
    return;
  }
  if (path == BW_TIFF_LUMA_PATH_SSSE3) {
    luma_row_ssse3 (src, src_bpp, dst, n);
    return;
  }
#else
  g_return_if_fail (bw_tiff_luma_path_supported (path));
#endif
  luma_row_scalar (src, src_bpp, dst, n);
}

void
bw_tiff_luma_row (const guint8 * src, guint src_bpp, guint8 * dst, guint n)
{
  bw_tiff_luma_row_path (BW_TIFF_LUMA_PATH_AUTO, src, src_bpp, dst, n);
}

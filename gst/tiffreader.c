/* gst-blockwise: reading TIFF images held in memory, with libtiff.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>
#include <tiffio.h>

#include "tiffreader.h"

/* More pages than any stack we expect: a bound on a loop of directories. */
#define MAX_PAGES 1000000

/* libtiff's current directory is none of the file's pages we know. */
#define NO_PAGE G_MAXUINT

/* What reading the directories of a file may read, in multiples of its
 * size (and a little more for tiny files): a directory whose tags point at
 * data that other tags or directories use too makes libtiff read it again
 * and again, in time that grows with the square of the file's size. */
#define DIRECTORY_READ_FACTOR 16
#define DIRECTORY_READ_SLACK (16 << 20)

G_DEFINE_QUARK (bw - tiff - error - quark, bw_tiff_error);

struct _BwTiffReader
{
  TIFF *tif;
  const guint8 *data;
  gsize size;
  toff_t pos;
  guint64 bytes_read;
  /* While the directories are walked, reads past read_limit fail and set
   * over_limit. */
  guint64 read_limit;
  gboolean over_limit;
  BwTiffInfo info;
  gboolean min_is_white;
  /* Where each page's directory is, and which one libtiff has read. */
  GArray *dir_offsets;
  guint current;
  /* Why the pages end where they do (NULL: the chain ends there). */
  GError *stop_error;
  /* libtiff's errors since the last reset (the first one is the cause,
   * those after it say what failed), and its last warning, for this file
   * (per handle, so two readers in two threads do not mix them). */
  gchar last_error[512];
  gchar last_warning[256];
};

/* ---- libtiff's client procedures: the file is in memory ----------------- */

static tmsize_t
mem_read (thandle_t h, void *buf, tmsize_t n)
{
  BwTiffReader *r = h;
  gsize left = r->pos < r->size ? r->size - r->pos : 0;
  gsize count = MIN ((gsize) n, left);

  if (r->bytes_read + count > r->read_limit) {
    r->over_limit = TRUE;
    return 0;
  }
  memcpy (buf, r->data + r->pos, count);
  r->pos += count;
  r->bytes_read += count;
  return count;
}

static tmsize_t
mem_write (thandle_t h, void *buf, tmsize_t n)
{
  return -1;
}

static toff_t
mem_seek (thandle_t h, toff_t off, int whence)
{
  BwTiffReader *r = h;

  switch (whence) {
    case SEEK_SET:
      r->pos = off;
      break;
    case SEEK_CUR:
      r->pos += off;
      break;
    case SEEK_END:
      r->pos = r->size + off;
      break;
    default:
      return (toff_t) - 1;
  }
  return r->pos;
}

static int
mem_close (thandle_t h)
{
  return 0;
}

static toff_t
mem_size (thandle_t h)
{
  return ((BwTiffReader *) h)->size;
}

static int
mem_map (thandle_t h, void **base, toff_t * size)
{
  BwTiffReader *r = h;

  *base = (void *) r->data;
  *size = r->size;
  return 1;
}

static void
mem_unmap (thandle_t h, void *base, toff_t size)
{
}

static int
on_error (TIFF * tif, void *user_data, const char *module, const char *fmt,
    va_list ap)
{
  BwTiffReader *r = user_data;
  gsize used = strlen (r->last_error);

  if (used > 0 && used + 2 < sizeof (r->last_error)) {
    strcpy (r->last_error + used, "; ");
    used += 2;
  }
  g_vsnprintf (r->last_error + used, sizeof (r->last_error) - used, fmt, ap);
  return 1;
}

/* Kept only to explain a directory that cannot be read: libtiff reports
 * some of those (a loop in the chain) as warnings. */
static int
on_warning (TIFF * tif, void *user_data, const char *module, const char *fmt,
    va_list ap)
{
  BwTiffReader *r = user_data;

  g_vsnprintf (r->last_warning, sizeof (r->last_warning), fmt, ap);
  return 1;
}

/* ---- layout ------------------------------------------------------------- */

const gchar *
bw_tiff_layout_name (BwTiffLayout layout)
{
  static const gchar *names[] = { "8-bit gray", "16-bit gray", "8-bit RGB",
    "8-bit RGBA"
  };

  return names[layout];
}

static const guint layout_bpp[] = { 1, 2, 3, 4 };

/* The layout of the current directory, or an error that names it. */
static gboolean
page_layout (BwTiffReader * r, guint page, BwTiffLayout * layout,
    guint * width, guint * height, gboolean * min_is_white, GError ** error)
{
  TIFF *tif = r->tif;
  guint32 w = 0, h = 0;
  guint16 bps = 1, spp = 1, fmt = SAMPLEFORMAT_UINT, photo = 0;
  guint16 planar = PLANARCONFIG_CONTIG, compression = COMPRESSION_NONE;

  TIFFGetField (tif, TIFFTAG_IMAGEWIDTH, &w);
  TIFFGetField (tif, TIFFTAG_IMAGELENGTH, &h);
  TIFFGetFieldDefaulted (tif, TIFFTAG_BITSPERSAMPLE, &bps);
  TIFFGetFieldDefaulted (tif, TIFFTAG_SAMPLESPERPIXEL, &spp);
  TIFFGetFieldDefaulted (tif, TIFFTAG_SAMPLEFORMAT, &fmt);
  TIFFGetFieldDefaulted (tif, TIFFTAG_PLANARCONFIG, &planar);
  TIFFGetFieldDefaulted (tif, TIFFTAG_COMPRESSION, &compression);
  if (!TIFFGetField (tif, TIFFTAG_PHOTOMETRIC, &photo))
    photo = spp >= 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK;

#define UNSUPPORTED(...) G_STMT_START { \
    g_set_error (error, BW_TIFF_ERROR, BW_TIFF_ERROR_UNSUPPORTED, \
        "page %u: " __VA_ARGS__); \
    return FALSE; \
  } G_STMT_END

  if (w == 0 || h == 0)
    UNSUPPORTED ("no image size (width %u, height %u)", page + 1, w, h);
  if (w > G_MAXINT / 4 || h > G_MAXINT / 4)
    UNSUPPORTED ("%ux%u pixels are more than a video frame can hold",
        page + 1, w, h);
  if (!TIFFIsCODECConfigured (compression))
    UNSUPPORTED ("compression %u is not supported by this libtiff", page + 1,
        compression);
  if (fmt == SAMPLEFORMAT_IEEEFP)
    UNSUPPORTED ("%u-bit float samples are not supported", page + 1, bps);
  if (fmt != SAMPLEFORMAT_UINT)
    UNSUPPORTED ("%u-bit signed or complex samples (SampleFormat %u) are not "
        "supported", page + 1, bps, fmt);
  if (photo == PHOTOMETRIC_PALETTE)
    UNSUPPORTED ("palette (indexed colour) images are not supported", page + 1);
  if (bps != 8 && bps != 16)
    UNSUPPORTED ("%u-bit samples are not supported (8 or 16 bits)",
        page + 1, bps);
  if (spp > 1 && planar != PLANARCONFIG_CONTIG)
    UNSUPPORTED ("separate colour planes (PlanarConfiguration 2) are not "
        "supported", page + 1);

  *min_is_white = photo == PHOTOMETRIC_MINISWHITE;
  if (spp == 1 && (photo == PHOTOMETRIC_MINISBLACK
          || photo == PHOTOMETRIC_MINISWHITE)) {
    *layout = bps == 8 ? BW_TIFF_GRAY8 : BW_TIFF_GRAY16;
  } else if (bps == 8 && (spp == 3 || spp == 4)
      && (photo == PHOTOMETRIC_RGB || (photo == PHOTOMETRIC_YCBCR
              && compression == COMPRESSION_JPEG))) {
    if (photo == PHOTOMETRIC_YCBCR)
      TIFFSetField (tif, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB);
    *layout = spp == 3 ? BW_TIFF_RGB8 : BW_TIFF_RGBA8;
  } else if (bps == 16 && (spp == 3 || spp == 4)) {
    UNSUPPORTED ("16-bit RGB is not supported (8-bit RGB or 16-bit gray are)",
        page + 1);
  } else {
    UNSUPPORTED ("%u samples per pixel of %u bits (photometric %u) are not "
        "supported", page + 1, spp, bps, photo);
  }
#undef UNSUPPORTED
  *width = w;
  *height = h;
  return TRUE;
}

/* ---- what a page's stored data may be ---------------------------------- */

/* The most each compression can expand its stored bytes, by the format's
 * own limits, so that a page claiming more is damaged or forged:
 * PackBits repeats a byte at most 128 times for 2 bytes; Deflate needs at
 * least 2 bits for a 258-byte match; an LZW code of 12 bits stands for at
 * most 3839 bytes; LZMA's range coder spends at least about 0.27 bits on a
 * 273-byte match (bound doubled); a Zstandard RLE block gives at most
 * 128 KiB for 4 bytes.  Other compressions (JPEG, whose arithmetic coding
 * has no useful bound, and the rare ones) get Zstandard's bound, the
 * largest: no real image compresses further. */
static guint64
max_expansion (guint16 compression)
{
  switch (compression) {
    case COMPRESSION_NONE:
      return 1;
    case COMPRESSION_PACKBITS:
      return 64;
    case COMPRESSION_DEFLATE:
    case COMPRESSION_ADOBE_DEFLATE:
      return 1032;
    case COMPRESSION_LZW:
      return 2560;
    case COMPRESSION_LZMA:
      return 16384;
    default:
      return BW_TIFF_MAX_EXPANSION;
  }
}

static const gchar *
compression_name (guint16 compression)
{
  switch (compression) {
    case COMPRESSION_PACKBITS:
      return "PackBits";
    case COMPRESSION_DEFLATE:
    case COMPRESSION_ADOBE_DEFLATE:
      return "Deflate";
    case COMPRESSION_LZW:
      return "LZW";
    case COMPRESSION_LZMA:
      return "LZMA";
    case COMPRESSION_ZSTD:
      return "Zstandard";
    case COMPRESSION_JPEG:
      return "JPEG";
    default:
      return "compressed";
  }
}

/* A run of file bytes that strips or tiles already use. */
typedef struct
{
  guint64 start, end;
} Span;

static gint
span_cmp (gconstpointer a, gconstpointer b, gpointer user_data)
{
  guint64 x = ((const Span *) a)->start, y = ((const Span *) b)->start;

  return x < y ? -1 : x > y;
}

/* Adds bytes [start, end) to used (sorted, disjoint, touching spans merged
 * so that a file written in order keeps a handful); FALSE if some of them
 * are used already. */
static gboolean
claim_bytes (GSequence * used, guint64 start, guint64 end)
{
  Span probe = { start, end }, *prev = NULL, *next = NULL;
  GSequenceIter *it = g_sequence_search (used, &probe, span_cmp, NULL);

  if (!g_sequence_iter_is_begin (it))
    prev = g_sequence_get (g_sequence_iter_prev (it));
  if (!g_sequence_iter_is_end (it))
    next = g_sequence_get (it);
  if ((prev && prev->end > start) || (next && next->start < end))
    return FALSE;
  if (prev && prev->end == start) {
    prev->end = end;
    if (next && next->start == end) {
      prev->end = next->end;
      g_sequence_remove (it);
    }
  } else if (next && next->start == end) {
    next->start = start;
  } else {
    Span *span = g_new (Span, 1);

    *span = probe;
    g_sequence_insert_before (it, span);
  }
  return TRUE;
}

/* The strips or tiles of the current page lie inside the file, share no
 * byte with one another or with those of the pages before (bytes in used),
 * and hold enough bytes for what they decode to.  Bytes decoded from the
 * whole file are then bounded by its size: shared data could make a small
 * file decode to any size. */
static gboolean
page_data_check (BwTiffReader * r, guint page, GSequence * used,
    GError ** error)
{
  TIFF *tif = r->tif;
  gboolean tiled = TIFFIsTiled (tif);
  const gchar *kind = tiled ? "tile" : "strip";
  guint32 n = tiled ? TIFFNumberOfTiles (tif) : TIFFNumberOfStrips (tif);
  guint64 *offsets = NULL, *counts = NULL, stored = 0, decoded, chunk, limit;
  guint16 compression = COMPRESSION_NONE;
  guint32 i;

  if (!TIFFGetField (tif, tiled ? TIFFTAG_TILEOFFSETS : TIFFTAG_STRIPOFFSETS,
          &offsets) || !TIFFGetField (tif,
          tiled ? TIFFTAG_TILEBYTECOUNTS : TIFFTAG_STRIPBYTECOUNTS, &counts)
      || n == 0) {
    g_set_error (error, BW_TIFF_ERROR, BW_TIFF_ERROR_CORRUPT,
        "page %u has no image data (no %s offsets)", page + 1, kind);
    return FALSE;
  }
  for (i = 0; i < n; i++) {
    if (offsets[i] > r->size || counts[i] > r->size - offsets[i]) {
      g_set_error (error, BW_TIFF_ERROR, BW_TIFF_ERROR_CORRUPT,
          "truncated: %s %u of page %u lies past the end of the file "
          "(bytes %" G_GUINT64_FORMAT "..%" G_GUINT64_FORMAT " of %"
          G_GSIZE_FORMAT ")", kind, i, page + 1, offsets[i],
          offsets[i] + counts[i], r->size);
      return FALSE;
    }
    if (counts[i] == 0)
      continue;
    if (!claim_bytes (used, offsets[i], offsets[i] + counts[i])) {
      g_set_error (error, BW_TIFF_ERROR, BW_TIFF_ERROR_CORRUPT,
          "page %u: %s %u (bytes %" G_GUINT64_FORMAT "..%" G_GUINT64_FORMAT
          ") overlaps the data of another strip or tile: a file whose "
          "strips or tiles share bytes is damaged or forged", page + 1, kind,
          i, offsets[i], offsets[i] + counts[i]);
      return FALSE;
    }
    stored += counts[i];
  }

  if (tiled) {
    guint32 tw = 0, th = 0;

    TIFFGetField (tif, TIFFTAG_TILEWIDTH, &tw);
    TIFFGetField (tif, TIFFTAG_TILELENGTH, &th);
    chunk = (guint64) tw *th * r->info.bytes_per_pixel;
    decoded = chunk != 0 && n > G_MAXUINT64 / chunk ? G_MAXUINT64 : chunk * n;
  } else {
    decoded = (guint64) r->info.width * r->info.height *
        r->info.bytes_per_pixel;
  }
  TIFFGetFieldDefaulted (tif, TIFFTAG_COMPRESSION, &compression);
  limit = max_expansion (compression);
  if (limit == 1 && decoded > stored) {
    g_set_error (error, BW_TIFF_ERROR, BW_TIFF_ERROR_CORRUPT,
        "page %u: its uncompressed %ss hold %" G_GUINT64_FORMAT " bytes, "
        "less than the %" G_GUINT64_FORMAT " bytes they decode to: the file "
        "is damaged or forged", page + 1, kind, stored, decoded);
    return FALSE;
  }
  if (stored <= G_MAXUINT64 / limit && decoded > stored * limit) {
    g_set_error (error, BW_TIFF_ERROR, BW_TIFF_ERROR_CORRUPT,
        "page %u: its %ss decode to %" G_GUINT64_FORMAT " bytes from %"
        G_GUINT64_FORMAT " bytes of %s data, more than %s data can hold "
        "(%" G_GUINT64_FORMAT " decoded bytes per byte at most): the file "
        "is damaged or forged", page + 1, kind, decoded, stored,
        compression_name (compression), compression_name (compression), limit);
    return FALSE;
  }
  return TRUE;
}

/* Checks the current directory, page number page: readable, and like
 * page 0 (whose layout it sets). */
static gboolean
check_page (BwTiffReader * r, guint page, guint64 max_frame_bytes,
    GSequence * used, GError ** error)
{
  BwTiffLayout layout;
  guint w, h;
  gboolean miw;
  guint64 chunk;

  if (!page_layout (r, page, &layout, &w, &h, &miw, error))
    return FALSE;
  if (page == 0) {
    r->info.width = w;
    r->info.height = h;
    r->info.layout = layout;
    r->info.bytes_per_pixel = layout_bpp[layout];
    r->min_is_white = miw;
    if ((guint64) w * h * layout_bpp[layout] > max_frame_bytes) {
      g_set_error (error, BW_TIFF_ERROR, BW_TIFF_ERROR_TOO_LARGE,
          "the image declares %ux%u %s pixels (%" G_GUINT64_FORMAT
          " MB), more than the limit of %" G_GUINT64_FORMAT " MB", w, h,
          bw_tiff_layout_name (layout),
          ((guint64) w * h * layout_bpp[layout]) >> 20, max_frame_bytes >> 20);
      return FALSE;
    }
  } else if (w != r->info.width || h != r->info.height
      || layout != r->info.layout || miw != r->min_is_white) {
    g_set_error (error, BW_TIFF_ERROR, BW_TIFF_ERROR_UNSUPPORTED,
        "page %u is %ux%u %s, page 1 is %ux%u %s: the pages of a stack "
        "must have one size and layout", page + 1, w, h,
        bw_tiff_layout_name (layout), r->info.width, r->info.height,
        bw_tiff_layout_name (r->info.layout));
    return FALSE;
  }
  /* A strip or tile is decoded whole: a header that declares huge tiles
   * (or strips) around a small image must not make us allocate them. */
  chunk = TIFFIsTiled (r->tif) ? TIFFTileSize64 (r->tif) :
      TIFFStripSize64 (r->tif);
  if (chunk > max_frame_bytes) {
    g_set_error (error, BW_TIFF_ERROR, BW_TIFF_ERROR_TOO_LARGE,
        "page %u: a %s of %" G_GUINT64_FORMAT " MB is more than the limit "
        "of %" G_GUINT64_FORMAT " MB", page + 1,
        TIFFIsTiled (r->tif) ? "tile" : "strip", chunk >> 20,
        max_frame_bytes >> 20);
    return FALSE;
  }
  return page_data_check (r, page, used, error);
}

void
bw_tiff_reader_free (BwTiffReader * r)
{
  if (!r)
    return;
  if (r->tif)
    TIFFClose (r->tif);
  if (r->dir_offsets)
    g_array_free (r->dir_offsets, TRUE);
  g_clear_error (&r->stop_error);
  g_free (r);
}

const GError *
bw_tiff_reader_get_stop_error (BwTiffReader * r)
{
  return r->stop_error;
}

guint64
bw_tiff_reader_get_bytes_read (BwTiffReader * r)
{
  return r->bytes_read;
}

/* Where the header says the first directory is (size >= 16 or the
 * classic header's 8 bytes), to tell a truncated file from a damaged one. */
static guint64
read_uint (const guint8 * d, guint n, gboolean le)
{
  guint64 v = 0;
  guint i;

  for (i = 0; i < n; i++)
    v |= (guint64) d[le ? i : n - 1 - i] << (8 * i);
  return v;
}

static guint64
first_directory_offset (const guint8 * d, gsize size)
{
  gboolean le = d[0] == 'I';

  if (read_uint (d + 2, 2, le) == 43)   /* BigTIFF */
    return size < 16 ? G_MAXUINT64 : read_uint (d + 8, 8, le);
  return read_uint (d + 4, 4, le);
}

/* What libtiff said last, for a message. */
static const gchar *
libtiff_says (const BwTiffReader * r, const gchar * otherwise)
{
  if (r->last_error[0])
    return r->last_error;
  return r->last_warning[0] ? r->last_warning : otherwise;
}

static void
set_over_limit_error (BwTiffReader * r, guint page, GError ** error)
{
  g_set_error (error, BW_TIFF_ERROR, BW_TIFF_ERROR_CORRUPT,
      "page %u: reading the directories up to this one takes more than %"
      G_GUINT64_FORMAT " MB, %u times the file's size: directories whose "
      "tags share data are damaged or forged", page + 1,
      r->read_limit >> 20, DIRECTORY_READ_FACTOR);
}

/* Walks the directory chain once, checking each page and remembering where
 * its directory is; returns the number of good pages, and in *stop why
 * there are no more. */
static guint
walk_pages (BwTiffReader * r, guint64 max_frame_bytes, GError ** stop)
{
  GSequence *used = g_sequence_new (g_free);
  guint page;

  for (page = 0;; page++) {
    guint64 offset = TIFFCurrentDirOffset (r->tif);

    g_array_append_val (r->dir_offsets, offset);
    r->current = page;
    if (page == 0 && r->over_limit) {
      set_over_limit_error (r, page, stop);
      break;
    }
    if (!check_page (r, page, max_frame_bytes, used, stop))
      break;
    if (TIFFLastDirectory (r->tif)) {
      page++;
      break;
    }
    if (page + 1 == MAX_PAGES) {
      g_set_error (stop, BW_TIFF_ERROR, BW_TIFF_ERROR_UNSUPPORTED,
          "page %u: more than %u pages", MAX_PAGES + 1, MAX_PAGES);
      page++;
      break;
    }
    r->last_error[0] = r->last_warning[0] = '\0';
    if (!TIFFReadDirectory (r->tif) || r->over_limit) {
      r->current = NO_PAGE;
      if (r->over_limit)
        set_over_limit_error (r, page + 1, stop);
      else
        g_set_error (stop, BW_TIFF_ERROR, BW_TIFF_ERROR_CORRUPT,
            "page %u: damaged directory: %s", page + 2, libtiff_says (r,
                "libtiff cannot read it"));
      page++;
      break;
    }
  }
  g_sequence_free (used);
  g_array_set_size (r->dir_offsets, page);
  /* Decoding reads each page's directory again, which costs what it cost
   * here: no need for a limit any more. */
  r->read_limit = G_MAXUINT64;
  return page;
}

BwTiffReader *
bw_tiff_reader_open (const guint8 * data, gsize size, guint64 max_frame_bytes,
    BwTiffInfo * info, GError ** error)
{
  BwTiffReader *r;
  TIFFOpenOptions *opts;
  GError *stop = NULL;
  guint n_pages;

  if (size < 8 || !((data[0] == 'I' && data[1] == 'I') || (data[0] == 'M'
              && data[1] == 'M'))) {
    g_set_error (error, BW_TIFF_ERROR, BW_TIFF_ERROR_NOT_TIFF,
        "not a TIFF file (no II or MM byte-order mark)");
    return NULL;
  }
  r = g_new0 (BwTiffReader, 1);
  r->data = data;
  r->size = size;
  r->dir_offsets = g_array_new (FALSE, FALSE, sizeof (guint64));
  r->current = NO_PAGE;
  r->read_limit = size > (G_MAXUINT64 - DIRECTORY_READ_SLACK) /
      DIRECTORY_READ_FACTOR ? G_MAXUINT64 : size * DIRECTORY_READ_FACTOR +
      DIRECTORY_READ_SLACK;

  opts = TIFFOpenOptionsAlloc ();
  /* libtiff's own buffers (strips, tiles, tables) stay within the frame
   * limit: a header that declares a huge image cannot make it allocate. */
  TIFFOpenOptionsSetMaxSingleMemAlloc (opts,
      (tmsize_t) MIN (max_frame_bytes, (guint64) G_MAXSSIZE));
  TIFFOpenOptionsSetErrorHandlerExtR (opts, on_error, r);
  TIFFOpenOptionsSetWarningHandlerExtR (opts, on_warning, r);
  /* "m": not mapped, so that every read goes through mem_read. */
  r->tif = TIFFClientOpenExt ("memory", "rm", r, mem_read, mem_write,
      mem_seek, mem_close, mem_size, mem_map, mem_unmap, opts);
  TIFFOpenOptionsFree (opts);
  if (!r->tif) {
    guint64 first = first_directory_offset (data, size);

    if (r->over_limit)
      set_over_limit_error (r, 0, error);
    else if (first >= size)
      g_set_error (error, BW_TIFF_ERROR, BW_TIFF_ERROR_CORRUPT,
          "truncated: the file ends (%" G_GSIZE_FORMAT " bytes) before its "
          "first directory (at byte %" G_GUINT64_FORMAT ")", size, first);
    else
      g_set_error (error, BW_TIFF_ERROR, BW_TIFF_ERROR_CORRUPT,
          "not a readable TIFF file: %s",
          r->last_error[0] ? r->last_error : "libtiff could not open it");
    bw_tiff_reader_free (r);
    return NULL;
  }

  n_pages = walk_pages (r, max_frame_bytes, &stop);
  if (n_pages == 0) {
    g_propagate_error (error, stop);
    bw_tiff_reader_free (r);
    return NULL;
  }
  r->info.n_pages = n_pages;
  r->stop_error = stop;
  *info = r->info;
  return r;
}

/* Makes page libtiff's current directory: the next one in the chain, or
 * the one at the page's remembered offset.  (TIFFSetDirectory would walk
 * the chain from the first directory, which for every page of a stack
 * costs time in the square of the page count.) */
static gboolean
goto_page (BwTiffReader * r, guint page)
{
  guint64 want = g_array_index (r->dir_offsets, guint64, page);
  gboolean ok;

  if (r->current == page)
    return TRUE;
  if (r->current != NO_PAGE && page == r->current + 1)
    ok = TIFFReadDirectory (r->tif);
  else
    ok = TIFFSetSubDirectory (r->tif, want);
  ok = ok && TIFFCurrentDirOffset (r->tif) == want;
  r->current = ok ? page : NO_PAGE;
  return ok;
}

gboolean
bw_tiff_reader_page_in_place (BwTiffReader * r, guint page, gsize * offset)
{
  TIFF *tif = r->tif;
  guint16 compression = COMPRESSION_NONE;
  guint64 *offsets = NULL, *counts = NULL, next;
  guint64 row_bytes = (guint64) r->info.width * r->info.bytes_per_pixel;
  guint32 rps = 0, n, i;

  if (page >= r->info.n_pages || r->min_is_white || !goto_page (r, page)
      || TIFFIsTiled (tif))
    return FALSE;
  TIFFGetFieldDefaulted (tif, TIFFTAG_COMPRESSION, &compression);
  if (compression != COMPRESSION_NONE)
    return FALSE;
  /* 16-bit samples are usable as they are only in our byte order. */
  if (r->info.layout == BW_TIFF_GRAY16 && (TIFFIsByteSwapped (tif)))
    return FALSE;
  TIFFGetFieldDefaulted (tif, TIFFTAG_ROWSPERSTRIP, &rps);
  rps = MIN (MAX (rps, 1), r->info.height);
  n = TIFFNumberOfStrips (tif);
  if (!TIFFGetField (tif, TIFFTAG_STRIPOFFSETS, &offsets)
      || !TIFFGetField (tif, TIFFTAG_STRIPBYTECOUNTS, &counts) || n == 0)
    return FALSE;
  /* The strips follow each other without gaps and hold the whole page. */
  next = offsets[0];
  if ((guint64) n * rps < r->info.height)
    return FALSE;
  for (i = 0; i < n && (guint64) i * rps < r->info.height; i++) {
    guint64 rows = MIN ((guint64) rps, r->info.height - (guint64) i * rps);

    if (offsets[i] != next || counts[i] < rows * row_bytes)
      return FALSE;
    next += rows * row_bytes;
  }
  if (next > r->size)
    return FALSE;
  *offset = offsets[0];
  return TRUE;
}

/* Copies rows [y0, y1) of a decoded strip or tile (chunk_w pixels wide,
 * starting at column x0) into dest, clipped to the image. */
static void
copy_chunk (const BwTiffReader * r, const guint8 * chunk, guint x0,
    guint chunk_w, guint y0, guint rows, guint8 * dest, gsize stride)
{
  guint bpp = r->info.bytes_per_pixel;
  guint w = MIN (chunk_w, r->info.width - x0);
  guint y;

  for (y = 0; y < rows && y0 + y < r->info.height; y++)
    memcpy (dest + (gsize) (y0 + y) * stride + (gsize) x0 * bpp,
        chunk + (gsize) y * chunk_w * bpp, (gsize) w * bpp);
}

static void
invert (const BwTiffReader * r, guint8 * dest, gsize stride)
{
  guint x, y;

  for (y = 0; y < r->info.height; y++) {
    guint8 *row = dest + (gsize) y * stride;

    if (r->info.layout == BW_TIFF_GRAY16) {
      /* 65535 - v on each native-endian sample: every bit flips, whatever
       * the byte order, and rows may start at odd addresses. */
      for (x = 0; x < 2 * r->info.width; x++)
        row[x] = 255 - row[x];
    } else {
      for (x = 0; x < r->info.width; x++)
        row[x] = 255 - row[x];
    }
  }
}

gboolean
bw_tiff_reader_read_page (BwTiffReader * r, guint page, guint8 * dest,
    gsize stride, GError ** error)
{
  TIFF *tif = r->tif;
  guint bpp = r->info.bytes_per_pixel;
  tmsize_t chunk_size;
  guint8 *chunk = NULL;
  gboolean ok = TRUE;

  r->last_error[0] = '\0';
  if (page >= r->info.n_pages || stride < (gsize) r->info.width * bpp
      || !goto_page (r, page)) {
    g_set_error (error, BW_TIFF_ERROR, BW_TIFF_ERROR_CORRUPT,
        "cannot read page %u: %s", page + 1, libtiff_says (r, "no such page"));
    return FALSE;
  }
  if (r->info.layout == BW_TIFF_RGB8 || r->info.layout == BW_TIFF_RGBA8) {
    guint16 photo = 0;

    if (TIFFGetField (tif, TIFFTAG_PHOTOMETRIC, &photo)
        && photo == PHOTOMETRIC_YCBCR)
      TIFFSetField (tif, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB);
  }

  if (TIFFIsTiled (tif)) {
    guint32 tw = 0, th = 0, x, y;

    TIFFGetField (tif, TIFFTAG_TILEWIDTH, &tw);
    TIFFGetField (tif, TIFFTAG_TILELENGTH, &th);
    chunk_size = TIFFTileSize (tif);
    if (tw == 0 || th == 0 || chunk_size < (tmsize_t) tw * th * bpp)
      goto bad_layout;
    chunk = g_try_malloc0 (chunk_size);
    if (!chunk)
      goto bad_layout;
    for (y = 0; ok && y < r->info.height; y += th)
      for (x = 0; ok && x < r->info.width; x += tw) {
        ok = TIFFReadEncodedTile (tif, TIFFComputeTile (tif, x, y, 0, 0),
            chunk, chunk_size) >= 0;
        if (ok)
          copy_chunk (r, chunk, x, tw, y, th, dest, stride);
      }
  } else {
    guint32 rps = 0, y;
    gsize row_bytes = (gsize) r->info.width * bpp;

    TIFFGetFieldDefaulted (tif, TIFFTAG_ROWSPERSTRIP, &rps);
    rps = MIN (MAX (rps, 1), r->info.height);
    chunk_size = TIFFStripSize (tif);
    if (TIFFScanlineSize64 (tif) != (guint64) row_bytes
        || chunk_size < (tmsize_t) (rps * row_bytes))
      goto bad_layout;
    if (stride == row_bytes) {
      /* Rows without padding: each strip decodes straight into place, its
       * rows clipped to the image (no copy of a large file's data). */
      for (y = 0; ok && y < r->info.height; y += rps) {
        tmsize_t want = (tmsize_t) (MIN (rps, r->info.height - y) * row_bytes);
        tmsize_t got = TIFFReadEncodedStrip (tif, TIFFComputeStrip (tif, y,
                0), dest + (gsize) y * stride, want);

        ok = got >= 0;
        /* A short strip leaves zeros, as a decoder of damaged data does. */
        if (ok && got < want)
          memset (dest + (gsize) y * stride + got, 0, want - got);
      }
    } else {
      chunk = g_try_malloc0 (chunk_size);
      if (!chunk)
        goto bad_layout;
      for (y = 0; ok && y < r->info.height; y += rps) {
        ok = TIFFReadEncodedStrip (tif, TIFFComputeStrip (tif, y, 0), chunk,
            chunk_size) >= 0;
        if (ok)
          copy_chunk (r, chunk, 0, r->info.width, y, rps, dest, stride);
      }
    }
  }
  g_free (chunk);
  if (!ok) {
    g_set_error (error, BW_TIFF_ERROR, BW_TIFF_ERROR_CORRUPT,
        "cannot decode page %u: %s", page + 1,
        r->last_error[0] ? r->last_error : "corrupt image data");
    return FALSE;
  }
  if (r->min_is_white)
    invert (r, dest, stride);
  return TRUE;

bad_layout:
  g_free (chunk);
  g_set_error (error, BW_TIFF_ERROR, BW_TIFF_ERROR_CORRUPT,
      "page %u: inconsistent strip or tile layout", page + 1);
  return FALSE;
}

gboolean
bw_tiff_layout_converts (BwTiffLayout from, BwTiffLayout to)
{
  return from == to;
}

gboolean
bw_tiff_reader_read_page_as (BwTiffReader * r, guint page, BwTiffLayout as,
    guint8 * dest, gsize stride, guint n_threads, BwTiffProgress progress,
    gpointer user_data, GError ** error)
{
  gboolean ok = bw_tiff_reader_read_page (r, page, dest, stride, error);

  if (ok && progress)
    progress (user_data, 1.0);
  return ok;
}

void
bw_tiff_reader_set_release_input (BwTiffReader * r, gboolean release)
{
}

/* gst-blockwise: reading TIFF images held in memory, with libtiff.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <tiffio.h>

#include "tiffreader.h"
#include "tiffreader-testing.h"
#include "tiffreader-luma.h"

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

/* The largest strip or tile buffer a handle keeps from page to page: one
 * larger (a page stored in a few huge strips) is freed after each page,
 * as its page may be most of the memory the process uses. */
#define SCRATCH_KEPT (16 << 20)

/* More decoding threads than any machine needs: a bound on the handles. */
#define MAX_THREADS 256

/* How often the progress callback is called, in microseconds. */
#define PROGRESS_INTERVAL (100 * G_TIME_SPAN_MILLISECOND)

/* How often the calling thread looks at the progress at most while it
 * waits for the other threads. */
#define PROGRESS_POLL G_TIME_SPAN_MILLISECOND

G_DEFINE_QUARK (bw - tiff - error - quark, bw_tiff_error);

typedef struct _Job Job;

/* One libtiff handle on the reader's data, with its own read position,
 * current directory, messages and tile or strip buffer: several threads
 * decode one page with one handle each. */
typedef struct
{
  BwTiffReader *reader;
  TIFF *tif;
  toff_t pos;
  guint64 bytes_read;
  /* While directories are read, reads past read_limit fail and set
   * over_limit. */
  guint64 read_limit;
  gboolean over_limit;
  /* The page that is libtiff's current directory. */
  guint current;
  /* Where compressed strips and tiles are decoded to. */
  guint8 *scratch;
  gsize scratch_size;
  /* libtiff's errors since the last reset (the first one is the cause,
   * those after it say what failed), and its last warning. */
  gchar last_error[512];
  gchar last_warning[256];
} Handle;

struct _BwTiffReader
{
  const guint8 *data;
  gsize size;
  guint64 max_frame_bytes;
  /* What reading directories may read: all of them when the file is
   * opened, and each one again when a handle goes to its page. */
  guint64 directory_budget;
  BwTiffInfo info;
  gboolean min_is_white;
  /* Where each page's directory is. */
  GArray *dir_offsets;
  /* Why the pages end where they do (NULL: the chain ends there). */
  GError *stop_error;
  /* handles[0] walks and checks the pages and decodes on the calling
   * thread; the others are opened when a page is first decoded on more
   * threads, and kept. */
  GPtrArray *handles;
  Handle *main;
  gboolean release_input;
  /* the threads that help the calling thread (exclusive) */
  GThreadPool *pool;
  /* see tiffreader-testing.h */
  gint64 progress_interval;
  guint threads_that_start;
};

/* ---- libtiff's client procedures: the file is in memory ----------------- */

static tmsize_t
mem_read (thandle_t th, void *buf, tmsize_t n)
{
  Handle *h = th;
  const BwTiffReader *r = h->reader;
  gsize left = h->pos < r->size ? r->size - h->pos : 0;
  gsize count = MIN ((gsize) n, left);

  if (h->bytes_read + count > h->read_limit) {
    h->over_limit = TRUE;
    return 0;
  }
  memcpy (buf, r->data + h->pos, count);
  h->pos += count;
  h->bytes_read += count;
  return count;
}

static tmsize_t
mem_write (thandle_t th, void *buf, tmsize_t n)
{
  return -1;
}

static toff_t
mem_seek (thandle_t th, toff_t off, int whence)
{
  Handle *h = th;

  switch (whence) {
    case SEEK_SET:
      h->pos = off;
      break;
    case SEEK_CUR:
      h->pos += off;
      break;
    case SEEK_END:
      h->pos = h->reader->size + off;
      break;
    default:
      return (toff_t) - 1;
  }
  return h->pos;
}

static int
mem_close (thandle_t th)
{
  return 0;
}

static toff_t
mem_size (thandle_t th)
{
  return ((Handle *) th)->reader->size;
}

static int
mem_map (thandle_t th, void **base, toff_t * size)
{
  Handle *h = th;

  *base = (void *) h->reader->data;
  *size = h->reader->size;
  return 1;
}

static void
mem_unmap (thandle_t th, void *base, toff_t size)
{
}

static int
on_error (TIFF * tif, void *user_data, const char *module, const char *fmt,
    va_list ap)
{
  Handle *h = user_data;
  gsize used = strlen (h->last_error);

  if (used > 0 && used + 2 < sizeof (h->last_error)) {
    strcpy (h->last_error + used, "; ");
    used += 2;
  }
  g_vsnprintf (h->last_error + used, sizeof (h->last_error) - used, fmt, ap);
  return 1;
}

/* Kept only to explain a directory that cannot be read: libtiff reports
 * some of those (a loop in the chain) as warnings. */
static int
on_warning (TIFF * tif, void *user_data, const char *module, const char *fmt,
    va_list ap)
{
  Handle *h = user_data;

  g_vsnprintf (h->last_warning, sizeof (h->last_warning), fmt, ap);
  return 1;
}

/* Opens a handle on the reader's data ("h" in mode: without reading the
 * first directory), reading directories within the budget; NULL (and
 * the handle's messages in *failed, when not NULL) if libtiff cannot. */
static Handle *
handle_open (BwTiffReader * r, const gchar * mode, Handle ** failed)
{
  Handle *h = g_new0 (Handle, 1);
  TIFFOpenOptions *opts = TIFFOpenOptionsAlloc ();

  h->reader = r;
  h->current = NO_PAGE;
  h->read_limit = r->directory_budget;
  /* libtiff's own buffers (strips, tiles, tables) stay within the frame
   * limit: a header that declares a huge image cannot make it allocate. */
  TIFFOpenOptionsSetMaxSingleMemAlloc (opts,
      (tmsize_t) MIN (r->max_frame_bytes, (guint64) G_MAXSSIZE));
  TIFFOpenOptionsSetErrorHandlerExtR (opts, on_error, h);
  TIFFOpenOptionsSetWarningHandlerExtR (opts, on_warning, h);
  h->tif = TIFFClientOpenExt ("memory", mode, h, mem_read, mem_write,
      mem_seek, mem_close, mem_size, mem_map, mem_unmap, opts);
  TIFFOpenOptionsFree (opts);
  if (h->tif) {
    return h;
  } else if (failed) {
    *failed = h;
  } else {
    g_free (h);
  }
  return NULL;
}

static void
handle_free (gpointer data)
{
  Handle *h = data;

  if (!h)
    return;
  if (h->tif)
    TIFFClose (h->tif);
  g_free (h->scratch);
  g_free (h);
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
  TIFF *tif = r->main->tif;
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
  TIFF *tif = r->main->tif;
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
  chunk = TIFFIsTiled (r->main->tif) ? TIFFTileSize64 (r->main->tif) :
      TIFFStripSize64 (r->main->tif);
  if (chunk > max_frame_bytes) {
    g_set_error (error, BW_TIFF_ERROR, BW_TIFF_ERROR_TOO_LARGE,
        "page %u: a %s of %" G_GUINT64_FORMAT " MB is more than the limit "
        "of %" G_GUINT64_FORMAT " MB", page + 1,
        TIFFIsTiled (r->main->tif) ? "tile" : "strip", chunk >> 20,
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
  if (r->pool)
    g_thread_pool_free (r->pool, FALSE, TRUE);
  if (r->handles)
    g_ptr_array_free (r->handles, TRUE);
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
  guint64 sum = 0;
  guint i;

  for (i = 0; i < r->handles->len; i++) {
    Handle *h = g_ptr_array_index (r->handles, i);

    if (h)
      sum += h->bytes_read;
  }
  return sum;
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
libtiff_says (const Handle * h, const gchar * otherwise)
{
  if (h->last_error[0])
    return h->last_error;
  return h->last_warning[0] ? h->last_warning : otherwise;
}

static void
set_over_limit_error (BwTiffReader * r, guint page, GError ** error)
{
  g_set_error (error, BW_TIFF_ERROR, BW_TIFF_ERROR_CORRUPT,
      "page %u: reading the directories up to this one takes more than %"
      G_GUINT64_FORMAT " MB, %u times the file's size: directories whose "
      "tags share data are damaged or forged", page + 1,
      r->directory_budget >> 20, DIRECTORY_READ_FACTOR);
}

/* Walks the directory chain once, checking each page and remembering where
 * its directory is; returns the number of good pages, and in *stop why
 * there are no more. */
static guint
walk_pages (BwTiffReader * r, GError ** stop)
{
  Handle *h = r->main;
  GSequence *used = g_sequence_new (g_free);
  guint page;

  for (page = 0;; page++) {
    guint64 offset = TIFFCurrentDirOffset (h->tif);

    g_array_append_val (r->dir_offsets, offset);
    h->current = page;
    if (page == 0 && h->over_limit) {
      set_over_limit_error (r, page, stop);
      break;
    }
    if (!check_page (r, page, r->max_frame_bytes, used, stop))
      break;
    if (TIFFLastDirectory (h->tif)) {
      page++;
      break;
    }
    if (page + 1 == MAX_PAGES) {
      g_set_error (stop, BW_TIFF_ERROR, BW_TIFF_ERROR_UNSUPPORTED,
          "page %u: more than %u pages", MAX_PAGES + 1, MAX_PAGES);
      page++;
      break;
    }
    h->last_error[0] = h->last_warning[0] = '\0';
    if (!TIFFReadDirectory (h->tif) || h->over_limit) {
      h->current = NO_PAGE;
      if (h->over_limit)
        set_over_limit_error (r, page + 1, stop);
      else
        g_set_error (stop, BW_TIFF_ERROR, BW_TIFF_ERROR_CORRUPT,
            "page %u: damaged directory: %s", page + 2, libtiff_says (h,
                "libtiff cannot read it"));
      page++;
      break;
    }
  }
  g_sequence_free (used);
  g_array_set_size (r->dir_offsets, page);
  h->read_limit = G_MAXUINT64;
  return page;
}

BwTiffReader *
bw_tiff_reader_open (const guint8 * data, gsize size, guint64 max_frame_bytes,
    BwTiffInfo * info, GError ** error)
{
  BwTiffReader *r;
  Handle *failed = NULL;
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
  r->max_frame_bytes = max_frame_bytes;
  r->progress_interval = PROGRESS_INTERVAL;
  r->threads_that_start = G_MAXUINT;
  r->dir_offsets = g_array_new (FALSE, FALSE, sizeof (guint64));
  r->handles = g_ptr_array_new_with_free_func (handle_free);
  r->directory_budget = size > (G_MAXUINT64 - DIRECTORY_READ_SLACK) /
      DIRECTORY_READ_FACTOR ? G_MAXUINT64 : size * DIRECTORY_READ_FACTOR +
      DIRECTORY_READ_SLACK;

  /* "m": not mapped, so that every read goes through mem_read. */
  r->main = handle_open (r, "rm", &failed);
  if (!r->main) {
    guint64 first = first_directory_offset (data, size);

    if (failed->over_limit)
      set_over_limit_error (r, 0, error);
    else if (first >= size)
      g_set_error (error, BW_TIFF_ERROR, BW_TIFF_ERROR_CORRUPT,
          "truncated: the file ends (%" G_GSIZE_FORMAT " bytes) before its "
          "first directory (at byte %" G_GUINT64_FORMAT ")", size, first);
    else
      g_set_error (error, BW_TIFF_ERROR, BW_TIFF_ERROR_CORRUPT,
          "not a readable TIFF file: %s",
          failed->last_error[0] ? failed->last_error :
          "libtiff could not open it");
    handle_free (failed);
    bw_tiff_reader_free (r);
    return NULL;
  }
  g_ptr_array_add (r->handles, r->main);

  n_pages = walk_pages (r, &stop);
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

/* Makes page the handle's current directory: the next one in the chain,
 * or the one at the page's remembered offset.  (TIFFSetDirectory would
 * walk the chain from the first directory, which for every page of a
 * stack costs time in the square of the page count.)  Reading it may read
 * no more than the whole walk could. */
static gboolean
goto_page (Handle * h, guint page)
{
  BwTiffReader *r = h->reader;
  guint64 want = g_array_index (r->dir_offsets, guint64, page);
  guint16 photo = 0;
  gboolean ok;

  if (h->current == page)
    return TRUE;
  h->over_limit = FALSE;
  h->read_limit = h->bytes_read > G_MAXUINT64 - r->directory_budget ?
      G_MAXUINT64 : h->bytes_read + r->directory_budget;
  if (h->current != NO_PAGE && page == h->current + 1)
    ok = TIFFReadDirectory (h->tif);
  else
    ok = TIFFSetSubDirectory (h->tif, want);
  ok = ok && !h->over_limit && TIFFCurrentDirOffset (h->tif) == want;
  h->read_limit = G_MAXUINT64;
  h->current = ok ? page : NO_PAGE;
  /* JPEG's YCbCr is decoded as RGB (a setting of the directory). */
  if (ok && (r->info.layout == BW_TIFF_RGB8 || r->info.layout == BW_TIFF_RGBA8)
      && TIFFGetField (h->tif, TIFFTAG_PHOTOMETRIC, &photo)
      && photo == PHOTOMETRIC_YCBCR)
    TIFFSetField (h->tif, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB);
  return ok;
}

gboolean
bw_tiff_reader_page_in_place (BwTiffReader * r, guint page, gsize * offset)
{
  TIFF *tif = r->main->tif;
  guint16 compression = COMPRESSION_NONE;
  guint64 *offsets = NULL, *counts = NULL, next;
  guint64 row_bytes = (guint64) r->info.width * r->info.bytes_per_pixel;
  guint32 rps = 0, n, i;

  if (page >= r->info.n_pages || r->min_is_white || !goto_page (r->main, page)
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

/* ---- decoding a page, on several threads -------------------------------- */

/* How a page's data is cut: into strips (one across, ch rows each) or
 * tiles (cw x ch pixels, across of them in a row of tiles), and where
 * their bytes are (the tables checked when the file was opened). */
typedef struct
{
  gboolean tiled, compressed;
  guint32 cw, ch, across, n_chunks;
  tmsize_t chunk_size;
  /* entries in offsets and counts */
  guint32 n_stored;
  const guint64 *offsets, *counts;
} Geometry;

/* The geometry of tif's current directory, page number page of r; FALSE
 * if its strips or tiles do not hold the page as libtiff decodes them, or
 * lie past the end of the data (read again from data that may have
 * changed since the file was checked, they are checked again). */
static gboolean
page_geometry (const BwTiffReader * r, TIFF * tif, guint page, Geometry * g,
    GError ** error)
{
  guint bpp = r->info.bytes_per_pixel;
  guint16 compression = COMPRESSION_NONE;
  guint64 *offsets = NULL, *counts = NULL;
  guint32 i;

  memset (g, 0, sizeof (*g));
  g->tiled = TIFFIsTiled (tif);
  TIFFGetFieldDefaulted (tif, TIFFTAG_COMPRESSION, &compression);
  g->compressed = compression != COMPRESSION_NONE;
  if (g->tiled) {
    guint32 down;

    TIFFGetField (tif, TIFFTAG_TILEWIDTH, &g->cw);
    TIFFGetField (tif, TIFFTAG_TILELENGTH, &g->ch);
    g->chunk_size = TIFFTileSize (tif);
    if (g->cw == 0 || g->ch == 0
        || g->chunk_size < (tmsize_t) g->cw * g->ch * bpp)
      goto inconsistent;
    g->across = (r->info.width - 1) / g->cw + 1;
    down = (r->info.height - 1) / g->ch + 1;
    g->n_stored = TIFFNumberOfTiles (tif);
    if ((guint64) g->across * down > g->n_stored)
      goto inconsistent;
    g->n_chunks = g->across * down;
  } else {
    guint32 rps = 0;
    gsize row_bytes = (gsize) r->info.width * bpp;

    TIFFGetFieldDefaulted (tif, TIFFTAG_ROWSPERSTRIP, &rps);
    g->cw = r->info.width;
    g->ch = MIN (MAX (rps, 1), r->info.height);
    g->across = 1;
    g->chunk_size = TIFFStripSize (tif);
    if (TIFFScanlineSize64 (tif) != (guint64) row_bytes
        || g->chunk_size < (tmsize_t) (g->ch * row_bytes))
      goto inconsistent;
    g->n_stored = TIFFNumberOfStrips (tif);
    g->n_chunks = (r->info.height - 1) / g->ch + 1;
    if (g->n_chunks > g->n_stored)
      goto inconsistent;
  }
  if (!TIFFGetField (tif, g->tiled ? TIFFTAG_TILEOFFSETS :
          TIFFTAG_STRIPOFFSETS, &offsets)
      || !TIFFGetField (tif, g->tiled ? TIFFTAG_TILEBYTECOUNTS :
          TIFFTAG_STRIPBYTECOUNTS, &counts))
    goto inconsistent;
  for (i = 0; i < g->n_stored; i++)
    if (offsets[i] > r->size || counts[i] > r->size - offsets[i]) {
      g_set_error (error, BW_TIFF_ERROR, BW_TIFF_ERROR_CORRUPT,
          "page %u: %s %u (bytes %" G_GUINT64_FORMAT "..%" G_GUINT64_FORMAT
          ") lies past the end of the file (%" G_GSIZE_FORMAT " bytes): "
          "the file changed while it was read", page + 1,
          g->tiled ? "tile" : "strip", i, offsets[i], offsets[i] + counts[i],
          r->size);
      return FALSE;
    }
  g->offsets = offsets;
  g->counts = counts;
  return TRUE;

inconsistent:
  g_set_error (error, BW_TIFF_ERROR, BW_TIFF_ERROR_CORRUPT,
      "page %u: inconsistent strip or tile layout", page + 1);
  return FALSE;
}

/* Whether two handles see one page alike: the same cut and the same
 * bytes for each strip or tile, those the checks at opening allowed. */
static gboolean
same_geometry (const Geometry * a, const Geometry * b)
{
  return a->tiled == b->tiled && a->compressed == b->compressed
      && a->cw == b->cw && a->ch == b->ch && a->across == b->across
      && a->n_chunks == b->n_chunks && a->chunk_size == b->chunk_size
      && a->n_stored == b->n_stored
      && memcmp (a->offsets, b->offsets, a->n_stored * sizeof (guint64)) == 0
      && memcmp (a->counts, b->counts, a->n_stored * sizeof (guint64)) == 0;
}

/* Frees the strip or tile buffers too large to keep (SCRATCH_KEPT). */
static void
drop_large_scratches (BwTiffReader * r)
{
  guint i;

  for (i = 0; i < r->handles->len; i++) {
    Handle *h = g_ptr_array_index (r->handles, i);

    if (h && h->scratch_size > SCRATCH_KEPT) {
      g_clear_pointer (&h->scratch, g_free);
      h->scratch_size = 0;
    }
  }
}

static gboolean
ensure_scratch (Handle * h, gsize size)
{
  if (h->scratch_size >= size)
    return TRUE;
  g_free (h->scratch);
  h->scratch = g_try_malloc (size);
  h->scratch_size = h->scratch ? size : 0;
  return h->scratch != NULL;
}

/* One page's decoding, shared by the threads: each takes the next strip
 * or tile (next) until none is left or the read stops. */
struct _Job
{
  BwTiffReader *reader;
  guint page;
  Geometry geom;
  guint8 *dest;
  gsize stride;
  guint src_bpp, dst_bpp;
  /* GRAY8 from colour */
  gboolean luma;
  /* strips decoded straight into dest */
  gboolean in_place;
  /* the calling thread's */
  BwTiffProgress progress;
  gpointer user_data;
  gint64 interval, last_report;
  gboolean cancelled;
  /* atomic: the next strip or tile to take, those decoded, whether to
   * stop, the handles taken by the other threads */
  gint next, done, stop, slots;
  GMutex lock;
  GCond cond;
  /* under lock: workers not finished, the first strip or tile that could
   * not be decoded and why */
  guint running;
  guint failed;
  GError *error;
};

/* Gives back the whole memory pages of the data that lie in bytes
 * [offset, offset + count) (read from the page cache again if needed),
 * never memory outside the data. */
static void
release_bytes (const BwTiffReader * r, guint64 offset, guint64 count)
{
  guintptr page = sysconf (_SC_PAGESIZE);
  guintptr start, end;

  if (offset >= r->size)
    return;
  count = MIN (count, r->size - offset);
  start = (guintptr) (r->data + offset);
  end = start + count;

  start = (start + page - 1) / page * page;
  end = end / page * page;
  if (end > start)
    madvise ((void *) start, end - start, MADV_DONTNEED);
}

/* Once a page is decoded: the whole memory pages between its first and
 * its last compressed strip or tile, the pages that two of them share
 * too (each strip or tile gave back those that are its own alone). */
static void
release_page (const BwTiffReader * r, const Geometry * g)
{
  guint64 start = G_MAXUINT64, end = 0;
  guint32 i;

  for (i = 0; i < g->n_stored; i++)
    if (g->counts[i] > 0) {
      start = MIN (start, g->offsets[i]);
      end = MAX (end, g->offsets[i] + g->counts[i]);
    }
  if (end > start)
    release_bytes (r, start, end - start);
}

/* Decodes strip or tile k into place (and into the handle's buffer on the
 * way where needed). */
static gboolean
decode_chunk (Job * job, Handle * h, guint k)
{
  const BwTiffReader *r = job->reader;
  const Geometry *g = &job->geom;
  guint x0 = (k % g->across) * g->cw, y0 = (k / g->across) * g->ch;
  guint cols = MIN (g->cw, r->info.width - x0);
  guint rows = MIN (g->ch, r->info.height - y0);
  gsize row_bytes = (gsize) cols * job->dst_bpp;
  guint8 *out = job->dest + (gsize) y0 * job->stride +
      (gsize) x0 * job->dst_bpp;
  guint32 index = g->tiled ? TIFFComputeTile (h->tif, x0, y0, 0, 0) : k;
  tmsize_t want;
  guint y;
  gsize i;

  h->last_error[0] = h->last_warning[0] = '\0';
  /* libtiff may say that it decoded damaged data whole and yet leave
   * bytes of it unwritten: those are zeros, whatever was there before
   * (so the result does not depend on which thread decoded what). */
  if (job->in_place) {
    /* Rows without padding: the strip decodes straight into place, its
     * rows clipped to the image (no copy of a large file's data). */
    want = (tmsize_t) (rows * row_bytes);
    memset (out, 0, want);
    if (TIFFReadEncodedStrip (h->tif, index, out, want) < 0)
      return FALSE;
  } else {
    want = g->chunk_size;
    memset (h->scratch, 0, want);
    if ((g->tiled ? TIFFReadEncodedTile (h->tif, index, h->scratch, want) :
            TIFFReadEncodedStrip (h->tif, index, h->scratch, want)) < 0)
      return FALSE;
    for (y = 0; y < rows; y++) {
      const guint8 *src = h->scratch + (gsize) y * g->cw * job->src_bpp;
      guint8 *dst = out + (gsize) y * job->stride;

      if (job->luma)
        bw_tiff_luma_row (src, job->src_bpp, dst, cols);
      else
        memcpy (dst, src, row_bytes);
    }
  }
  /* 65535 - v on each native-endian 16-bit sample too: every bit flips,
   * whatever the byte order, and rows may start at odd addresses. */
  if (r->min_is_white)
    for (y = 0; y < rows; y++)
      for (i = 0; i < row_bytes; i++)
        out[(gsize) y * job->stride + i] ^= 0xff;
  if (r->release_input && g->compressed)
    release_bytes (r, g->offsets[index], g->counts[index]);
  return TRUE;
}

/* Called from the calling thread: the fraction of strips or tiles done,
 * at most every job->interval (1 is said once, at the end). */
static void
report_progress (Job * job)
{
  gint64 now = g_get_monotonic_time ();
  guint done;

  if (!job->progress || job->cancelled
      || now - job->last_report < job->interval)
    return;
  job->last_report = now;
  done = g_atomic_int_get (&job->done);
  if (done >= job->geom.n_chunks)
    return;
  if (!job->progress (job->user_data, (gdouble) done / job->geom.n_chunks)) {
    job->cancelled = TRUE;
    g_atomic_int_set (&job->stop, 1);
  }
}

/* Keeps the error of the first strip or tile that fails, whichever thread
 * meets it: threads take them in order, so every one before it has been
 * taken, and the error is the one a single thread would meet. */
static void
chunk_failed (Job * job, const Handle * h, guint k)
{
  g_mutex_lock (&job->lock);
  if (!job->error || k < job->failed) {
    g_clear_error (&job->error);
    g_set_error (&job->error, BW_TIFF_ERROR, BW_TIFF_ERROR_CORRUPT,
        "cannot decode page %u (%s %u): %s", job->page + 1,
        job->geom.tiled ? "tile" : "strip", k, libtiff_says (h,
            "corrupt image data"));
    job->failed = k;
  }
  g_mutex_unlock (&job->lock);
  g_atomic_int_set (&job->stop, 1);
}

static void
run_chunks (Job * job, Handle * h, gboolean calling_thread)
{
  while (!g_atomic_int_get (&job->stop)) {
    guint k = g_atomic_int_add (&job->next, 1);

    if (k >= job->geom.n_chunks)
      break;
    if (!decode_chunk (job, h, k)) {
      chunk_failed (job, h, k);
      break;
    }
    g_atomic_int_inc (&job->done);
    if (calling_thread)
      report_progress (job);
  }
}

/* The handle of a worker thread, at the job's page, seeing the page as
 * handles[0] does; NULL if it cannot be. */
static Handle *
worker_handle (BwTiffReader * r, const Job * job)
{
  guint slot = g_atomic_int_add ((gint *) & job->slots, 1) + 1;
  Handle *h = g_ptr_array_index (r->handles, slot);
  Geometry g;

  if (!h) {
    h = handle_open (r, "rmh", NULL);
    if (!h)
      return NULL;
    r->handles->pdata[slot] = h;
  }
  if (!goto_page (h, job->page)
      || !page_geometry (r, h->tif, job->page, &g, NULL)
      || !same_geometry (&g, &job->geom)
      || (!job->in_place && !ensure_scratch (h, g.chunk_size)))
    return NULL;
  return h;
}

static void
worker_main (gpointer data, gpointer user_data)
{
  Job *job = data;
  Handle *h = worker_handle (job->reader, job);

  /* A worker without a handle takes nothing: the others decode it all. */
  if (h)
    run_chunks (job, h, FALSE);
  g_mutex_lock (&job->lock);
  job->running--;
  g_cond_signal (&job->cond);
  g_mutex_unlock (&job->lock);
}

/* Starts the threads that help the calling thread, up to want of them,
 * and returns how many there are: as many as the system gives.  They are
 * the reader's own, started once (a pool whose tasks never wait for a
 * thread to be started: one that could not be would leave its task
 * queued, never run). */
static guint
ensure_workers (BwTiffReader * r, guint want)
{
  want = MIN (want, r->threads_that_start);
  if (want == 0)
    return 0;
  if (!r->pool)
    r->pool = g_thread_pool_new (worker_main, r, want, TRUE, NULL);
  else if ((guint) g_thread_pool_get_max_threads (r->pool) < want)
    g_thread_pool_set_max_threads (r->pool, want, NULL);
  return r->pool ? MIN (want, g_thread_pool_get_num_threads (r->pool)) : 0;
}

static const gchar *
layout_as_name (BwTiffLayout layout)
{
  return layout <= BW_TIFF_RGBA8 ? bw_tiff_layout_name (layout) : "unknown";
}

gboolean
bw_tiff_layout_converts (BwTiffLayout from, BwTiffLayout to)
{
  if ((guint) from > BW_TIFF_RGBA8 || (guint) to > BW_TIFF_RGBA8)
    return FALSE;
  return from == to || (to == BW_TIFF_GRAY8 && (from == BW_TIFF_RGB8
          || from == BW_TIFF_RGBA8));
}

gboolean
bw_tiff_reader_read_page_as (BwTiffReader * r, guint page, BwTiffLayout as,
    guint8 * dest, gsize stride, guint n_threads, BwTiffProgress progress,
    gpointer user_data, GError ** error)
{
  Handle *h = r->main;
  Job job = { 0, };
  guint n, i;

  if (!bw_tiff_layout_converts (r->info.layout, as)) {
    g_set_error (error, BW_TIFF_ERROR, BW_TIFF_ERROR_UNSUPPORTED,
        "page %u is %s, which cannot be read as %s", page + 1,
        bw_tiff_layout_name (r->info.layout), layout_as_name (as));
    return FALSE;
  }
  h->last_error[0] = h->last_warning[0] = '\0';
  if (page >= r->info.n_pages || stride < (gsize) r->info.width *
      layout_bpp[as] || !goto_page (h, page)) {
    g_set_error (error, BW_TIFF_ERROR, BW_TIFF_ERROR_CORRUPT,
        "cannot read page %u: %s", page + 1, libtiff_says (h, "no such page"));
    return FALSE;
  }
  job.reader = r;
  job.page = page;
  job.dest = dest;
  job.stride = stride;
  job.src_bpp = r->info.bytes_per_pixel;
  job.dst_bpp = layout_bpp[as];
  job.luma = as != r->info.layout;
  if (!page_geometry (r, h->tif, page, &job.geom, error))
    return FALSE;
  job.in_place = !job.geom.tiled && !job.luma
      && stride == (gsize) r->info.width * job.dst_bpp;
  if (!job.in_place && !ensure_scratch (h, job.geom.chunk_size)) {
    drop_large_scratches (r);
    g_set_error (error, BW_TIFF_ERROR, BW_TIFF_ERROR_TOO_LARGE,
        "page %u: cannot allocate %" G_GSIZE_FORMAT " bytes for a %s",
        page + 1, (gsize) job.geom.chunk_size,
        job.geom.tiled ? "tile" : "strip");
    return FALSE;
  }
  job.progress = progress;
  job.user_data = user_data;
  job.interval = r->progress_interval;
  job.last_report = g_get_monotonic_time ();
  g_mutex_init (&job.lock);
  g_cond_init (&job.cond);

  n = n_threads ? n_threads : g_get_num_processors ();
  n = MIN (MIN (n, MAX_THREADS), job.geom.n_chunks);
  /* (said only without an interval: 0, before any strip or tile) */
  report_progress (&job);
  if (n > 1) {
    n = 1 + ensure_workers (r, n - 1);
    if (r->handles->len < n)
      g_ptr_array_set_size (r->handles, n);
    job.running = n - 1;
    for (i = 1; i < n; i++)
      g_thread_pool_push (r->pool, &job, NULL);
  }
  run_chunks (&job, h, TRUE);

  /* The workers write into dest: wait for all of them, telling progress
   * meanwhile. */
  g_mutex_lock (&job.lock);
  while (job.running > 0) {
    if (!progress || job.cancelled) {
      g_cond_wait (&job.cond, &job.lock);
    } else if (!g_cond_wait_until (&job.cond, &job.lock,
            job.last_report + MAX (job.interval, PROGRESS_POLL))) {
      g_mutex_unlock (&job.lock);
      report_progress (&job);
      g_mutex_lock (&job.lock);
    }
  }
  g_mutex_unlock (&job.lock);
  g_mutex_clear (&job.lock);
  g_cond_clear (&job.cond);
  drop_large_scratches (r);

  if (job.cancelled) {
    g_clear_error (&job.error);
    g_set_error (error, BW_TIFF_ERROR, BW_TIFF_ERROR_CANCELLED,
        "decoding page %u was cancelled", page + 1);
    return FALSE;
  }
  if (job.error) {
    g_propagate_error (error, job.error);
    return FALSE;
  }
  if (r->release_input && job.geom.compressed)
    release_page (r, &job.geom);
  if (progress)
    progress (user_data, 1.0);
  return TRUE;
}

void
bw_tiff_reader_set_progress_interval (BwTiffReader * r, gint64 interval)
{
  r->progress_interval = MAX (interval, 0);
}

void
bw_tiff_reader_set_threads_that_start (BwTiffReader * r, guint n_started)
{
  r->threads_that_start = n_started;
}

gsize
bw_tiff_reader_get_scratch_bytes (BwTiffReader * r)
{
  gsize bytes = 0;
  guint i;

  for (i = 0; i < r->handles->len; i++) {
    Handle *h = g_ptr_array_index (r->handles, i);

    if (h)
      bytes += h->scratch_size;
  }
  return bytes;
}

gboolean
bw_tiff_reader_read_page (BwTiffReader * r, guint page, guint8 * dest,
    gsize stride, GError ** error)
{
  return bw_tiff_reader_read_page_as (r, page, r->info.layout, dest, stride,
      1, NULL, NULL, error);
}

/* Whether data[0..size) lies in one shared mapping (of a file, or shared
 * memory): only there does MADV_DONTNEED give memory back without losing
 * what it holds (private and anonymous memory would read as zeros). */
static gboolean
in_shared_mapping (const guint8 * data, gsize size)
{
  guintptr start = (guintptr) data, end = start + size;
  gchar *maps = NULL, *line, *next;
  gboolean shared = FALSE;

  if (!g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL))
    return FALSE;
  for (line = maps; line && *line; line = next) {
    guint64 lo, hi;
    gchar *p = line;

    next = strchr (line, '\n');
    if (next)
      *next++ = '\0';
    /* "lo-hi perms offset dev inode path" */
    lo = g_ascii_strtoull (p, &p, 16);
    if (*p++ != '-')
      continue;
    hi = g_ascii_strtoull (p, &p, 16);
    if (*p++ != ' ' || strlen (p) < 4)
      continue;
    if (lo <= start && end <= hi) {
      shared = p[3] == 's';
      break;
    }
  }
  g_free (maps);
  return shared;
}

void
bw_tiff_reader_set_release_input (BwTiffReader * r, gboolean release)
{
  r->release_input = release && in_shared_mapping (r->data, r->size);
}

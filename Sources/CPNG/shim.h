#include <stdio.h>
#include <stddef.h>
#include <png.h>
// Composite macros do not import into Swift; re-exported as constants.
static const png_uint_32 cwb_png_format_rgba = PNG_FORMAT_RGBA;
static const png_uint_32 cwb_png_format_rgb = PNG_FORMAT_RGB;
static const png_uint_32 cwb_png_flag_16bit_srgb = PNG_IMAGE_FLAG_16BIT_sRGB;
static const png_uint_32 cwb_png_format_linear_rgba = PNG_FORMAT_LINEAR_RGB_ALPHA;

#pragma once
#include <stddef.h>

// libjpeg reports errors by calling exit() or longjmp; Swift can do neither, so these wrappers
// install a setjmp error manager and return 0 on success or -1 with a message in `message`.

/// Decodes a JPEG held in memory to 8-bit RGB (gray and YCbCr inputs; CMYK is refused).
/// Images with more than `max_pixels` pixels are refused after the header, before decoding.
/// With `strict` set, any libjpeg warning (a truncated or corrupt stream) is an error.
/// On success `*pixels` is a malloc'ed width*height*3 buffer the caller frees with cwb_jpeg_free.
int cwb_jpeg_decode(const unsigned char *data, size_t size, long long max_pixels, int strict,
                    unsigned char **pixels, int *width, int *height, int *components,
                    char *message, size_t message_size);

/// Encodes interleaved 8-bit pixels (`components` 1 = gray, 3 = RGB) at quality 1...100.
/// `chroma444` nonzero disables chroma subsampling (else 4:2:0). `*out` is freed with cwb_jpeg_free.
int cwb_jpeg_encode(const unsigned char *pixels, int width, int height, int components,
                    int quality, int chroma444, int progressive,
                    unsigned char **out, unsigned long *out_size,
                    char *message, size_t message_size);

void cwb_jpeg_free(void *pointer);

#pragma once
#include <stddef.h>
// Placeholder until the JPEG codec lands: returns the libjpeg version it was built against.
int cwb_jpeg_lib_version(void);

#include <stddef.h>
#include <cblas.h>

#include <stdio.h>
#include <stddef.h>
#include <readline/readline.h>
#include <readline/history.h>

// What the fuzz targets share: a check that stops the fuzzer with a reason (libFuzzer saves the input that
// broke it), and a byte string as text.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#define FUZZ_CHECK(cond, ...)                                                  \
    do {                                                                       \
        if (!(cond)) {                                                         \
            std::fprintf(stderr, "fuzz check failed: %s\n  ", #cond);          \
            std::fprintf(stderr, __VA_ARGS__);                                 \
            std::fprintf(stderr, "\n");                                        \
            std::abort();                                                      \
        }                                                                      \
    } while (0)

inline std::string fuzz_text(const uint8_t* data, size_t size) { return std::string(reinterpret_cast<const char*>(data), size); }

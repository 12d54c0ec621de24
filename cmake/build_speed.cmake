# Build time: CI compiles everything three times on 2 cores (Release with GCC, ASan+UBSan and
# TSan with clang-14), and compiling is most of its time (docs/performance.md, "CI time").

# --- Release at -O2 ---
# CMake's Release default is -O3; Debian builds its own packages at -O2, and so does paymand's
# Release build (CI's first phase and the packages). On ten of the heaviest translation units
# under GCC 12 (docs/performance.md, "CI time"): 285 -> 247 CPU s (-14%; the unity test file
# of the audit tests -23%, sandbox/server.cpp -16%, net/http_client.cpp unchanged). paymand's
# work is system calls, TLS and JSON; bench/run --quick after the change showed no regression
# in its CPU figures (same document).
string(REPLACE "-O3" "-O2" CMAKE_CXX_FLAGS_RELEASE "${CMAKE_CXX_FLAGS_RELEASE}")

# --- precompiled headers (clang) ---
# Boost.Asio/Beast/JSON, fmt and the standard library are parsed again by every translation unit
# that includes them (3-4 s each, more than the code of most of ours); gtest/gmock by every test.
# They are precompiled once for the library code (paymand_core's PCH, reused by every target
# with the same flags) and once for the tests (paymand_test_support's, reused by every test
# binary). On src/sandbox/server.cpp under clang-14 ASan+UBSan: 155 -> 125 CPU s (clang also
# instantiates the headers' templates once, in the PCH); a small file loses nothing.
# Only with clang, i.e. the instrumented builds (scripts/configure-instrumented), which are two
# thirds of CI's compile time. With GCC 12 (the Release build) the 270 MB PCH costs 0.8 s to
# load in every file (money/amount.cpp 0.6 -> 1.4 s; audit/codec.cpp 8.7 -> 5.8 s), and with it
# -O3 reports -Wstringop-overflow inside libstdc++'s char_traits in src/reply/payment.cpp, which
# compiles cleanly without it; so GCC builds keep compiling headers the usual way.
# Only third-party and standard headers go in: a project header here would hide a missing
# #include from the build. The fuzz targets (compiled with -fsanitize=fuzzer) keep none.
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  set(paymand_pch_default ON)
else()
  set(paymand_pch_default OFF)
endif()
option(PAYMAND_PCH "Precompile the heavy third-party headers (see cmake/build_speed.cmake)"
       ${paymand_pch_default})
set(paymand_pch_headers
    <algorithm> <array> <chrono> <cstddef> <cstdint> <filesystem> <fstream> <functional> <map>
    <memory> <optional> <set> <sstream> <string> <string_view> <utility> <variant> <vector>
    <boost/asio/any_io_executor.hpp> <boost/asio/as_tuple.hpp> <boost/asio/co_spawn.hpp>
    <boost/asio/detached.hpp> <boost/asio/io_context.hpp> <boost/asio/ip/tcp.hpp>
    <boost/asio/ssl.hpp> <boost/asio/steady_timer.hpp> <boost/asio/use_awaitable.hpp>
    <boost/beast/core.hpp> <boost/beast/http.hpp> <boost/beast/ssl.hpp> <boost/json.hpp>
    <boost/system/result.hpp> <fmt/format.h>)
set(paymand_test_pch_headers ${paymand_pch_headers} <gtest/gtest.h> <gmock/gmock.h>)

# paymand_use_pch(TARGET FROM): TARGET compiles with FROM's precompiled header. FROM must be
# compiled with TARGET's flags and at most its macro definitions (clang accepts extra -D).
function(paymand_use_pch target from)
  if(PAYMAND_PCH)
    target_precompile_headers(${target} REUSE_FROM ${from})
  endif()
endfunction()

# --- unity (jumbo) builds ---
# Every test file parses gtest/gmock, Boost and fmt again and instantiates the same templates
# (3-5 CPU s each under GCC before its own code); compiled as one translation unit per test
# binary, that is paid once per binary. Measured figures: docs/performance.md, "CI time".
# The price: the files of one binary share a translation unit, so names at namespace scope
# (also in anonymous namespaces), `using` directives and macros must not clash between them;
# helpers used by several files live in a header beside them or in tests/support.
# PAYMAND_UNITY_BUILD=OFF compiles file by file (e.g. to check that each file includes what
# it uses).
option(PAYMAND_UNITY_BUILD "Compile test binaries and libraries in unity translation units" ON)

# paymand_unity(TARGET BATCH): TARGET's sources are compiled BATCH files per translation unit
# (0: all of them in one).
function(paymand_unity target batch)
  if(PAYMAND_UNITY_BUILD)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE ${batch})
  endif()
endfunction()

# paymand_unity_by_folder(TARGET BATCH): the libraries' sources are compiled up to BATCH files
# of one src/ folder per translation unit (a folder's files share their heavy headers, and its
# anonymous-namespace helpers are the names that must not clash). Files marked
# SKIP_UNITY_BUILD_INCLUSION (with a comment why) compile alone. Figures: docs/performance.md,
# "CI time".
function(paymand_unity_by_folder target batch)
  if(NOT PAYMAND_UNITY_BUILD)
    return()
  endif()
  get_target_property(sources ${target} SOURCES)
  foreach(source IN LISTS sources)
    get_source_file_property(alone ${source} SKIP_UNITY_BUILD_INCLUSION)
    if(alone)
      continue()
    endif()
    get_filename_component(folder ${source} DIRECTORY)
    get_filename_component(folder ${folder} NAME)
    if(NOT DEFINED count_${folder})
      set(count_${folder} 0)
    endif()
    math(EXPR chunk "${count_${folder}} / ${batch}")
    math(EXPR count_${folder} "${count_${folder}} + 1")
    set_source_files_properties(${source} PROPERTIES UNITY_GROUP ${folder}_${chunk})
  endforeach()
  set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_MODE GROUP)
endfunction()

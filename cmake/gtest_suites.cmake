# Run as `cmake -P` after a test binary is linked (tests/CMakeLists.txt, paymand_add_gtests):
# lists the binary's tests and writes one ctest test per GoogleTest suite, run as
# `BINARY --gtest_filter=SUITE.*`. The instrumented builds use it: under ASan+UBSan a process
# costs about 0.1 s before its first test (2,200 processes: over three minutes of CI), and a
# suite's tests share that. The Release build registers each test on its own
# (gtest_discover_tests), which names the one that failed in ctest's summary.
#
# Variables: BINARY (the test executable), OUTPUT (the ctest file to write), LABELS,
# PER_PROCESS (at most this many tests in one ctest test: 10 for unit tests of milliseconds, 3
# for integration tests of seconds, whose scenarios should spread over the cores),
# TIMEOUT (seconds per test; a ctest test gets it once per test it runs, at most three times),
# COST (ctest's scheduling weight per test: the larger ctest tests, and those of the slow
# binaries, start first on a clean clone, which has no ctest history to order by).
foreach(required BINARY OUTPUT LABELS PER_PROCESS TIMEOUT COST)
  if(NOT DEFINED ${required})
    message(FATAL_ERROR "gtest_suites.cmake: ${required} is not set")
  endif()
endforeach()

execute_process(COMMAND "${BINARY}" --gtest_list_tests
                RESULT_VARIABLE status OUTPUT_VARIABLE listing ERROR_VARIABLE errors
                TIMEOUT 60)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${BINARY} --gtest_list_tests failed (${status}):\n${errors}")
endif()

# A suite line starts in column 0 and ends in "." (a typed or parameterized suite may be
# followed by "  # TypeParam = ..."); its tests are the indented lines below it.
string(REPLACE ";" "\\;" listing "${listing}")
string(REPLACE "\n" ";" lines "${listing}")
set(content "")
set(suite "")
set(count 0)
# A suite of more than PER_PROCESS tests is split into shards run by GoogleTest's own
# sharding (GTEST_TOTAL_SHARDS, GTEST_SHARD_INDEX over the filtered tests), named
# SUITE.shardKofN: a parameterized suite of brute-force checks (50 tests of 5 s each under
# ASan) then spreads over the cores instead of holding one for minutes.
set(per_process ${PER_PROCESS})
macro(flush_suite)
  if(NOT suite STREQUAL "" AND count GREATER 0)
    math(EXPR shards "(${count} + ${per_process} - 1) / ${per_process}")
    math(EXPR shard_size "(${count} + ${shards} - 1) / ${shards}")
    # Larger ctest tests start first: a weight per test it runs.
    math(EXPR cost "${COST} * ${shard_size}")
    if(shard_size GREATER 3)
      set(shard_size 3)
    endif()
    math(EXPR suite_timeout "${TIMEOUT} * ${shard_size}")
    set(properties "LABELS [==[${LABELS}]==] TIMEOUT ${suite_timeout} COST ${cost}")
    set(command "[==[${BINARY}]==] [==[--gtest_filter=${suite}.*]==]")
    if(shards EQUAL 1)
      string(APPEND content "add_test([==[${suite}]==] ${command})\n"
             "set_tests_properties([==[${suite}]==] PROPERTIES ${properties})\n")
    else()
      math(EXPR last "${shards} - 1")
      foreach(index RANGE ${last})
        math(EXPR number "${index} + 1")
        set(name "${suite}.shard${number}of${shards}")
        string(APPEND content "add_test([==[${name}]==] ${command})\n"
               "set_tests_properties([==[${name}]==] PROPERTIES ${properties} ENVIRONMENT "
               "[==[GTEST_TOTAL_SHARDS=${shards};GTEST_SHARD_INDEX=${index}]==])\n")
      endforeach()
    endif()
  endif()
endmacro()
foreach(line IN LISTS lines)
  if(line MATCHES "^([^ #][^ ]*)\\.( .*)?$")
    flush_suite()
    set(suite "${CMAKE_MATCH_1}")
    set(count 0)
  elseif(line MATCHES "^  [^ ]" AND NOT line MATCHES "^  DISABLED_")
    math(EXPR count "${count} + 1")
  endif()
endforeach()
flush_suite()
if(content STREQUAL "")
  message(FATAL_ERROR "${BINARY} lists no test")
endif()
file(WRITE "${OUTPUT}" "${content}")

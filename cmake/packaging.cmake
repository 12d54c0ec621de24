# Install layout and the two Debian packages (CPack DEB, one per component). Included at the
# end of the top-level CMakeLists.txt.
#
# Component paymand (package paymand):
#   <prefix>/bin/paymand
#   <prefix>/lib/systemd/system/paymand.service      (paths rewritten for <prefix>)
#   <sysconf>/paymand/paymand.yaml                   (example; an existing file is kept)
#   <sysconf>/paymand/rules/, <sysconf>/paymand/credentials/ (0700)
#   <prefix>/share/paymand/paymand.yaml, rules/*.yaml   (examples; paths rewritten for <prefix>)
#   <prefix>/share/paymand/schema/rules.json, paymand.json  (JSON Schemas: schema/ of the sources)
#   <prefix>/share/doc/paymand/README.md, *.md, copyright, changelog.gz
#   <prefix>/share/man/man8/paymand.8.gz
#   <prefix>/share/lintian/overrides/paymand
# Component sandbox (package paymand-sandbox: a test server, not for production hosts):
#   <prefix>/bin/payman-sandbox
#   <prefix>/share/doc/paymand-sandbox/sandbox.md, examples/sandbox.yaml, copyright,
#     changelog.gz
#   <prefix>/share/man/man1/payman-sandbox.1.gz
#
# <sysconf> is /etc for the prefix /usr (the package) and <prefix>/etc otherwise, decided when
# installing, so that cpack from any build tree and `cmake --install --prefix` both get it right.
# `cmake --install` installs both components.

set(paymand_deb_dir ${PROJECT_SOURCE_DIR}/packaging/deb)
set(paymand_sandbox_docdir ${CMAKE_INSTALL_DATAROOTDIR}/doc/paymand-sandbox)

# The Debian changelog names the version the packages carry: it must be this project's.
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${paymand_deb_dir}/changelog)
file(STRINGS ${paymand_deb_dir}/changelog paymand_changelog_top LIMIT_COUNT 1)
if(NOT paymand_changelog_top MATCHES "^paymand \\(${PROJECT_VERSION}\\) ")
  message(FATAL_ERROR "packaging/deb/changelog: the latest entry must be version "
                      "${PROJECT_VERSION} (project() in CMakeLists.txt), not: "
                      "${paymand_changelog_top}")
endif()

install(TARGETS paymand RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT paymand)
install(TARGETS payman-sandbox RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT sandbox)

# --- manual pages and changelogs, compressed the way Debian installs them ---
find_program(PAYMAND_GZIP gzip REQUIRED)
set(paymand_gzipped "")
# gzip -9n (no name, no time stamp: the same bytes on every build) of `source` to `output`.
function(paymand_gzip source output what)
  add_custom_command(
    OUTPUT ${output}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/deb-files
    COMMAND ${PAYMAND_GZIP} -9 -n -c ${source} > ${output}
    DEPENDS ${source}
    COMMENT "Compressing ${what}"
    VERBATIM)
  set(paymand_gzipped ${paymand_gzipped} ${output} PARENT_SCOPE)
endfunction()
set(paymand_man_gz ${PROJECT_BINARY_DIR}/deb-files/paymand.8.gz)
set(paymand_sandbox_man_gz ${PROJECT_BINARY_DIR}/deb-files/payman-sandbox.1.gz)
set(paymand_changelog_gz ${PROJECT_BINARY_DIR}/deb-files/changelog.gz)
paymand_gzip(${PROJECT_SOURCE_DIR}/docs/man/paymand.8 ${paymand_man_gz}
             "the manual page paymand(8)")
paymand_gzip(${PROJECT_SOURCE_DIR}/docs/man/payman-sandbox.1 ${paymand_sandbox_man_gz}
             "the manual page payman-sandbox(1)")
paymand_gzip(${paymand_deb_dir}/changelog ${paymand_changelog_gz} "the Debian changelog")
add_custom_target(paymand_man ALL DEPENDS ${paymand_gzipped})
# The install and package tests install this build tree, manual pages included.
if(TARGET paymand_integration_systemd)
  add_dependencies(paymand_integration_systemd paymand_man)
endif()
install(FILES ${paymand_man_gz} DESTINATION ${CMAKE_INSTALL_MANDIR}/man8 COMPONENT paymand)
install(FILES ${paymand_sandbox_man_gz} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT sandbox)

# --- what Debian wants in every package's documentation directory ---
install(FILES ${paymand_deb_dir}/copyright ${paymand_changelog_gz}
        DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT paymand)
install(FILES ${paymand_deb_dir}/copyright ${paymand_changelog_gz}
        DESTINATION ${paymand_sandbox_docdir} COMPONENT sandbox)
install(FILES ${paymand_deb_dir}/paymand.lintian-overrides
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/lintian/overrides RENAME paymand
        COMPONENT paymand)

# --- bash completion: subcommands and options read from the binary's own --help ---
install(FILES ${PROJECT_SOURCE_DIR}/packaging/bash-completion/paymand
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/bash-completion/completions COMPONENT paymand)

# --- schemas and documentation (the examples are installed with the unit, below) ---
# The examples' `$schema` lines name <prefix>/share/paymand/schema/, so that they resolve
# wherever the examples are copied (/etc/paymand/rules).
install(FILES ${PROJECT_SOURCE_DIR}/schema/rules.json ${PROJECT_SOURCE_DIR}/schema/paymand.json
        DESTINATION ${CMAKE_INSTALL_DATADIR}/paymand/schema COMPONENT paymand)
file(GLOB paymand_docs CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${paymand_docs}
        DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT paymand)
install(FILES ${PROJECT_SOURCE_DIR}/docs/sandbox.md DESTINATION ${paymand_sandbox_docdir}
        COMPONENT sandbox)
install(FILES ${PROJECT_SOURCE_DIR}/config/sandbox.yaml
        DESTINATION ${paymand_sandbox_docdir}/examples COMPONENT sandbox)

# --- the unit and /etc: decided at install time from the prefix in force then ---
install(CODE "set(paymand_source_dir \"${PROJECT_SOURCE_DIR}\")
set(paymand_work_root \"${PROJECT_BINARY_DIR}/install-staging\")" COMPONENT paymand)
install(
  CODE [[
if(CMAKE_INSTALL_PREFIX MATCHES "^/usr/?$")
  set(paymand_prefix /usr)
  set(paymand_sysconf /etc)
else()
  string(REGEX REPLACE "/+$" "" paymand_prefix "${CMAKE_INSTALL_PREFIX}")
  set(paymand_sysconf "${paymand_prefix}/etc")
endif()

# Installs may run side by side (a test's cpack and another's cmake --install): each writes its
# rewritten files in its own directory.
string(RANDOM LENGTH 12 paymand_work_name)
set(paymand_work_dir "${paymand_work_root}/${paymand_work_name}")

# file(INSTALL) puts DESTDIR in front of an absolute DESTINATION by itself; file(MAKE_DIRECTORY)
# and EXISTS need it spelled out.
set(paymand_etc "${paymand_sysconf}/paymand")
set(paymand_etc_staged "$ENV{DESTDIR}${paymand_etc}")

# The unit and the configuration name /usr/bin and /etc/paymand; elsewhere they get their own.
function(paymand_install_rewritten source name destination)
  file(READ "${source}" text)
  string(REPLACE "/usr/bin/" "${paymand_prefix}/bin/" text "${text}")
  string(REPLACE "/usr/share/doc/" "${paymand_prefix}/share/doc/" text "${text}")
  string(REPLACE "/usr/share/paymand/" "${paymand_prefix}/share/paymand/" text "${text}")
  string(REPLACE "/etc/paymand" "${paymand_etc}" text "${text}")
  file(WRITE "${paymand_work_dir}/${name}" "${text}")
  file(INSTALL "${paymand_work_dir}/${name}" DESTINATION "${destination}"
       PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
endfunction()

paymand_install_rewritten("${paymand_source_dir}/systemd/paymand.service" paymand.service
                          "${paymand_prefix}/lib/systemd/system")
# The examples: the configuration and the rules, naming this prefix's schemas.
paymand_install_rewritten("${paymand_source_dir}/config/paymand.yaml" paymand.yaml
                          "${paymand_prefix}/share/paymand")
file(GLOB paymand_example_rules "${paymand_source_dir}/rules/*.yaml")
foreach(rules IN LISTS paymand_example_rules)
  get_filename_component(rules_name "${rules}" NAME)
  paymand_install_rewritten("${rules}" "${rules_name}" "${paymand_prefix}/share/paymand/rules")
endforeach()

# Rules are the operator's; credentials (the encrypted client secret) are root's alone.
file(MAKE_DIRECTORY "${paymand_etc_staged}/rules" "${paymand_etc_staged}/credentials")
file(CHMOD "${paymand_etc_staged}/credentials" DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE
     OWNER_EXECUTE)
# The operator's configuration is never overwritten; the example stays in share/paymand.
if(EXISTS "${paymand_etc_staged}/paymand.yaml")
  message(STATUS "Keeping: ${paymand_etc_staged}/paymand.yaml (the example is in share/paymand)")
else()
  paymand_install_rewritten("${paymand_source_dir}/config/paymand.yaml" paymand.yaml
                            "${paymand_etc}")
endif()
file(REMOVE_RECURSE "${paymand_work_dir}")
]]
  COMPONENT paymand)

# --- the Debian packages: paymand and paymand-sandbox, one per component ---
set(CPACK_GENERATOR DEB)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL paymand sandbox)
set(CPACK_PACKAGE_NAME paymand)
set(CPACK_PACKAGE_VENDOR paymand)
set(CPACK_PACKAGE_CONTACT "paymand maintainers <maintainers@paymand.invalid>")
# Each package's Description: its own synopsis line, then the extended description, wrapped
# well inside the 80 columns Debian allows. CPackDeb would put CPACK_PACKAGE_DESCRIPTION_SUMMARY
# in front of both; cpack-project-config.cmake unsets it.
set(CPACK_DEBIAN_PAYMAND_DESCRIPTION
    "scheduled payment automation against Payman\n"
    "paymand runs operator-written YAML payment rules against the Payman\n"
    "platform as a systemd service: local limits are checked before anything\n"
    "is sent, a hash-chained audit log is written before every payment, and\n"
    "a payment whose outcome is unknown is held in doubt, never sent again.")
set(CPACK_DEBIAN_SANDBOX_DESCRIPTION
    "local Payman-compatible server for trying paymand out\n"
    "payman-sandbox speaks Payman's agent API on the local machine: OAuth\n"
    "tokens, JSON-RPC tasks and an agent that answers paymand's prompts, over\n"
    "a ledger of test wallets and payees, with fault injection for tests.\n"
    "It moves no real money. It is for trials, demonstrations and tests,\n"
    "not for production hosts.")
foreach(component IN ITEMS PAYMAND SANDBOX)
  string(REPLACE ";" "" CPACK_DEBIAN_${component}_DESCRIPTION
                 "${CPACK_DEBIAN_${component}_DESCRIPTION}")
endforeach()
set(paymand_cpack_project_config ${PROJECT_BINARY_DIR}/cpack-project-config.cmake)
file(WRITE ${paymand_cpack_project_config} "unset(CPACK_PACKAGE_DESCRIPTION_SUMMARY)\n")
set(CPACK_PROJECT_CONFIG_FILE ${paymand_cpack_project_config})
set(CPACK_DEBIAN_PAYMAND_PACKAGE_NAME paymand)
set(CPACK_DEBIAN_SANDBOX_PACKAGE_NAME paymand-sandbox)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# The packages install under /usr whatever prefix the build tree was configured with.
set(CPACK_INSTALL_PREFIX /usr)
# Absolute paths (/etc) land inside the package only when CPack installs through DESTDIR.
set(CPACK_SET_DESTDIR ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PAYMAND_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_SANDBOX_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Library dependencies come from dpkg-shlibdeps, so they are Debian's runtime packages.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# What no shared library says: zone data (date/tz reads the system's), the CA store.
set(CPACK_DEBIAN_PAYMAND_PACKAGE_DEPENDS "tzdata, ca-certificates")
set(CPACK_DEBIAN_PAYMAND_PACKAGE_RECOMMENDS "systemd")
set(CPACK_DEBIAN_PAYMAND_PACKAGE_SUGGESTS "jq, paymand-sandbox")
set(CPACK_DEBIAN_SANDBOX_PACKAGE_SUGGESTS "paymand")
set(paymand_deb_control ${PROJECT_BINARY_DIR}/deb-control)
file(WRITE ${paymand_deb_control}/conffiles "/etc/paymand/paymand.yaml\n")
foreach(script IN ITEMS postinst prerm postrm)
  configure_file(${paymand_deb_dir}/paymand.${script} ${paymand_deb_control}/${script}
                 COPYONLY USE_SOURCE_PERMISSIONS)
endforeach()
set(CPACK_DEBIAN_PAYMAND_PACKAGE_CONTROL_EXTRA
    ${paymand_deb_control}/conffiles ${paymand_deb_control}/postinst
    ${paymand_deb_control}/prerm ${paymand_deb_control}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)

# Install layout and the Debian package (CPack DEB). Included at the end of the top-level
# CMakeLists.txt.
#
#   <prefix>/bin/paymand, <prefix>/bin/payman-sandbox
#   <prefix>/lib/systemd/system/paymand.service      (paths rewritten for <prefix>)
#   <sysconf>/paymand/paymand.yaml                   (example; an existing file is kept)
#   <sysconf>/paymand/rules/, <sysconf>/paymand/credentials/ (0700)
#   <prefix>/share/paymand/paymand.yaml, rules/*.yaml, rules/schema.json
#   <prefix>/share/doc/paymand/README.md, *.md
#   <prefix>/share/man/man8/paymand.8.gz
#
# <sysconf> is /etc for the prefix /usr (the package) and <prefix>/etc otherwise, decided when
# installing, so that cpack from any build tree and `cmake --install --prefix` both get it right.

install(TARGETS paymand payman-sandbox RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# --- the manual page, compressed the way Debian installs manual pages ---
find_program(PAYMAND_GZIP gzip REQUIRED)
set(paymand_man_source ${PROJECT_SOURCE_DIR}/docs/man/paymand.8)
set(paymand_man_gz ${PROJECT_BINARY_DIR}/man/paymand.8.gz)
add_custom_command(
  OUTPUT ${paymand_man_gz}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man
  COMMAND ${PAYMAND_GZIP} -9 -n -c ${paymand_man_source} > ${paymand_man_gz}
  DEPENDS ${paymand_man_source}
  COMMENT "Compressing the manual page paymand(8)"
  VERBATIM)
add_custom_target(paymand_man ALL DEPENDS ${paymand_man_gz})
# The install and package tests install this build tree, manual page included.
if(TARGET paymand_integration_systemd)
  add_dependencies(paymand_integration_systemd paymand_man)
endif()
install(FILES ${paymand_man_gz} DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)

# --- examples, schema and documentation ---
install(FILES ${PROJECT_SOURCE_DIR}/config/paymand.yaml DESTINATION ${CMAKE_INSTALL_DATADIR}/paymand)
file(GLOB paymand_example_rules CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/rules/*.yaml)
install(FILES ${paymand_example_rules} ${PROJECT_SOURCE_DIR}/rules/schema.json
        DESTINATION ${CMAKE_INSTALL_DATADIR}/paymand/rules)
file(GLOB paymand_docs CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${paymand_docs}
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

# --- the unit and /etc: decided at install time from the prefix in force then ---
install(CODE "set(paymand_source_dir \"${PROJECT_SOURCE_DIR}\")
set(paymand_work_root \"${PROJECT_BINARY_DIR}/install-staging\")")
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
  string(REPLACE "/etc/paymand" "${paymand_etc}" text "${text}")
  file(WRITE "${paymand_work_dir}/${name}" "${text}")
  file(INSTALL "${paymand_work_dir}/${name}" DESTINATION "${destination}"
       PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
endfunction()

paymand_install_rewritten("${paymand_source_dir}/systemd/paymand.service" paymand.service
                          "${paymand_prefix}/lib/systemd/system")

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
]])

# --- the Debian package ---
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME paymand)
set(CPACK_PACKAGE_VENDOR paymand)
set(CPACK_PACKAGE_CONTACT "paymand maintainers <maintainers@paymand.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "scheduled payment automation against Payman")
set(CPACK_PACKAGE_DESCRIPTION
    "paymand runs operator-written YAML payment rules against the Payman platform as a\n"
    "systemd service: local limits before anything is sent, a hash-chained audit log\n"
    "written before every payment, and in-doubt payments that are never re-sent.\n"
    "payman-sandbox, a local Payman-compatible server for trials, is included.")
string(REPLACE ";" "" CPACK_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# The package installs under /usr whatever prefix the build tree was configured with.
set(CPACK_INSTALL_PREFIX /usr)
# Absolute paths (/etc) land inside the package only when CPack installs through DESTDIR.
set(CPACK_SET_DESTDIR ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Library dependencies come from dpkg-shlibdeps, so they are Debian's runtime packages.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# What no shared library says: zone data (date/tz reads the system's), the CA store.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "tzdata, ca-certificates")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "systemd")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "jq")
set(paymand_deb_control ${PROJECT_BINARY_DIR}/deb-control)
file(WRITE ${paymand_deb_control}/conffiles "/etc/paymand/paymand.yaml\n")
foreach(script IN ITEMS postinst prerm postrm)
  configure_file(${PROJECT_SOURCE_DIR}/systemd/deb/${script} ${paymand_deb_control}/${script}
                 COPYONLY USE_SOURCE_PERMISSIONS)
endforeach()
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${paymand_deb_control}/conffiles ${paymand_deb_control}/postinst
    ${paymand_deb_control}/prerm ${paymand_deb_control}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)

# rapport_layer(<target> <folder> ALLOW <folder>... [DEPS <target>...] [LIBS <lib>...])
#
# One layer of the house: a static library of the .cc files directly in <folder>,
# linked to the layers below it (DEPS) and to outside libraries (LIBS). ALLOW lists
# the folders whose headers the layer may include; a build step checks every file
# of the folder against it before the library compiles, so an include that points
# the wrong way fails the build with the file and the header named.
function(rapport_layer target folder)
  cmake_parse_arguments(LAYER "" "" "ALLOW;DEPS;LIBS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS "${CMAKE_SOURCE_DIR}/${folder}/*.cc")
  file(GLOB headers CONFIGURE_DEPENDS "${CMAKE_SOURCE_DIR}/${folder}/*.h")
  set(stamp "${CMAKE_CURRENT_BINARY_DIR}/${target}.layer_ok")
  add_custom_command(
    OUTPUT "${stamp}"
    COMMAND ${CMAKE_COMMAND} -DROOT=${CMAKE_SOURCE_DIR} -DLAYER=${folder} "-DALLOW=${LAYER_ALLOW}"
            -DSTAMP=${stamp} -P ${CMAKE_SOURCE_DIR}/cmake/check_layer_includes.cmake
    DEPENDS ${sources} ${headers} ${CMAKE_SOURCE_DIR}/cmake/check_layer_includes.cmake
    COMMENT "Checking the includes of layer ${folder}"
    VERBATIM)
  add_custom_target(${target}_layer_check DEPENDS "${stamp}")
  add_library(${target} STATIC ${sources})
  add_dependencies(${target} ${target}_layer_check)
  target_link_libraries(${target} PUBLIC ${LAYER_DEPS} ${LAYER_LIBS})
endfunction()

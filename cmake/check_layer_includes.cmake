# Run at build time by rapport_layer(): fails the build when a file of one layer
# includes a project header from a layer it may not use. Includes go by path from
# the repository root, so the first folders of the path name the layer.
#   -DROOT=<source root> -DLAYER=<folder> -DALLOW=<folder;folder> -DSTAMP=<file>
file(GLOB files "${ROOT}/${LAYER}/*.h" "${ROOT}/${LAYER}/*.cc")
set(violations "")
foreach(file IN LISTS files)
  file(STRINGS "${file}" includes REGEX "^[ \t]*#[ \t]*include[ \t]+\"[^\"]+\"")
  foreach(line IN LISTS includes)
    string(REGEX REPLACE "^[^\"]*\"([^\"]+)\".*$" "\\1" header "${line}")
    if(NOT header MATCHES "/")
      continue()  # a system-style or generated header beside the file
    endif()
    set(allowed FALSE)
    foreach(prefix IN LISTS LAYER ALLOW)
      string(LENGTH "${prefix}/" length)
      string(SUBSTRING "${header}" 0 ${length} head)
      if(head STREQUAL "${prefix}/")
        set(allowed TRUE)
        break()
      endif()
    endforeach()
    if(NOT allowed)
      file(RELATIVE_PATH relative "${ROOT}" "${file}")
      string(APPEND violations "\n  ${relative} includes \"${header}\"")
    endif()
  endforeach()
endforeach()
if(violations)
  message(FATAL_ERROR "layer ${LAYER} may include only ${ALLOW} (and itself):${violations}\n"
                      "see docs/architecture.md for the direction of the layers")
endif()
file(WRITE "${STAMP}" "ok\n")

# SPDX-License-Identifier: MIT
# bpf_compile(TARGET OUTDIR SOURCES...): BPF C to objects the way libbpf
# users build them (clang -O2 -g -target bpf, libbpf's headers), one
# OUTDIR/NAME.bpf.o per source, and a target building them all.
find_program(CLANG clang REQUIRED)
execute_process(COMMAND uname -m OUTPUT_VARIABLE BPFVM_ARCH
                OUTPUT_STRIP_TRAILING_WHITESPACE)
set(BPF_CFLAGS -O2 -g -target bpf -Wall -Werror
    -I/usr/include/${BPFVM_ARCH}-linux-gnu -I${CMAKE_SOURCE_DIR}/progs)
file(GLOB BPF_HEADERS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/progs/*.h
     ${CMAKE_SOURCE_DIR}/tests/bpf/*.h)

function(bpf_compile target outdir)
  set(objs)
  foreach(src ${ARGN})
    get_filename_component(name ${src} NAME_WE)
    set(obj ${outdir}/${name}.bpf.o)
    add_custom_command(OUTPUT ${obj}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${outdir}
      COMMAND ${CLANG} ${BPF_CFLAGS} -c ${src} -o ${obj}
      DEPENDS ${src} ${BPF_HEADERS}
      COMMENT "BPF ${name}.bpf.o" VERBATIM)
    list(APPEND objs ${obj})
  endforeach()
  add_custom_target(${target} ALL DEPENDS ${objs})
endfunction()

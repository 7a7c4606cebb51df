# The web app: Dear ImGui on SDL2 + WebGL2, requests through the Emscripten Fetch API.
# Included from the top-level CMakeLists.txt only when building with Emscripten.

if(NOT EXISTS "${IMGUI_DIR}/imgui.cpp")
    message(FATAL_ERROR "Dear ImGui sources not found in ${IMGUI_DIR}: run tools/setup first.")
endif()
include(${PROJECT_SOURCE_DIR}/cmake/sdl2.cmake)

# Dear ImGui's SDL2 and OpenGL ES 3 backends: the platform's half of ImGui (its core is the app's, above).
add_library(imgui_backends STATIC ${IMGUI_DIR}/backends/imgui_impl_sdl.cpp ${IMGUI_DIR}/backends/imgui_impl_opengl3.cpp)
target_include_directories(imgui_backends SYSTEM PUBLIC ${IMGUI_DIR}/backends)
target_compile_definitions(imgui_backends PUBLIC IMGUI_IMPL_OPENGL_ES3)
target_link_libraries(imgui_backends PUBLIC imgui sdl2)

# The GLSL of the instanced bar pass, compiled in as text (src/web/bar_layer.cpp).
file(GLOB AP_SHADER_FILES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/shaders/*.vert ${PROJECT_SOURCE_DIR}/shaders/*.frag)
list(JOIN AP_SHADER_FILES "|" AP_SHADER_FILES_ARG)
add_custom_command(
    OUTPUT ${CMAKE_BINARY_DIR}/generated/embedded_shaders.cpp
    COMMAND ${CMAKE_COMMAND} "-DFILES=${AP_SHADER_FILES_ARG}" -DTABLE=embedded_shaders
            -DOUT=${CMAKE_BINARY_DIR}/generated/embedded_shaders.cpp -P ${PROJECT_SOURCE_DIR}/cmake/embed_text.cmake
    DEPENDS ${AP_SHADER_FILES} ${PROJECT_SOURCE_DIR}/cmake/embed_text.cmake
    COMMENT "Embedding shaders"
    VERBATIM)

add_executable(index
    src/web/main.cpp
    src/web/bridge.cpp
    src/web/bar_layer.cpp
    ${CMAKE_BINARY_DIR}/generated/embedded_shaders.cpp
    src/web/fetch_transport.cpp)
target_include_directories(index PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_compile_definitions(index PRIVATE SDL_MAIN_HANDLED)
target_compile_options(index PRIVATE -Wall -Wextra)
target_link_libraries(index PRIVATE app imgui_backends)
set_target_properties(index PROPERTIES SUFFIX ".html")

set(AP_SHELL ${PROJECT_SOURCE_DIR}/web/shell.html)
target_link_options(index PRIVATE
    -sFETCH=1
    -sFETCH_SUPPORT_INDEXEDDB=0  # else every request first waits on an IndexedDB cache lookup, inside its timing
    -sUSE_WEBGL2=1 -sMIN_WEBGL_VERSION=2 -sMAX_WEBGL_VERSION=2
    -sALLOW_MEMORY_GROWTH=1
    -sMALLOC=emmalloc  # a small allocator: the page allocates little, and every learner downloads it
    -sSUPPORT_LONGJMP=0 -sTEXTDECODER=2  # no setjmp; every browser the page supports has TextDecoder
    # What the page does not use, left out of index.js: GL error tracking and extension emulation (ImGui
    # needs none), a virtual file system (nothing is read from files), errno strings.
    -sGL_TRACK_ERRORS=0 -sGL_SUPPORT_AUTOMATIC_ENABLE_EXTENSIONS=0 -sGL_EXTENSIONS_IN_PREFIXED_FORMAT=0
    -sGL_EMULATE_GLES_VERSION_STRING_FORMAT=0 -sFILESYSTEM=0 -sSUPPORT_ERRNO=0
    -sENVIRONMENT=web
    -sEXIT_RUNTIME=0
    -sMINIFY_HTML=0
    "-sEXPORTED_FUNCTIONS=['_main','_malloc','_free']"
    "-sEXPORTED_RUNTIME_METHODS=['UTF8ToString','stringToUTF8','lengthBytesUTF8']"
    --shell-file ${AP_SHELL})
set_property(TARGET index APPEND PROPERTY LINK_DEPENDS ${AP_SHELL})

# The page's static companions, beside index.html: every web/*.js (playground.js and the modules it imports,
# the service worker that serves the in-page API, the Python host and worker), the CSS, the example course
# page. tools/devserver.mjs serves the same names (tests/surface.test.mjs checks it).
file(GLOB AP_WEB_SCRIPTS CONFIGURE_DEPENDS RELATIVE ${PROJECT_SOURCE_DIR}/web ${PROJECT_SOURCE_DIR}/web/*.js)
set(AP_WEB_ASSETS)
foreach(asset ${AP_WEB_SCRIPTS} style.css host-example.html)
    add_custom_command(
        OUTPUT ${CMAKE_BINARY_DIR}/${asset}
        COMMAND ${CMAKE_COMMAND} -E copy_if_different ${PROJECT_SOURCE_DIR}/web/${asset} ${CMAKE_BINARY_DIR}/${asset}
        DEPENDS ${PROJECT_SOURCE_DIR}/web/${asset}
        VERBATIM)
    list(APPEND AP_WEB_ASSETS ${CMAKE_BINARY_DIR}/${asset})
endforeach()
add_custom_target(web_assets ALL DEPENDS ${AP_WEB_ASSETS})
add_dependencies(index web_assets)

# The learner's own Python (loaded only when the editor first opens): Pyodide from the npm package
# (node_modules, installed by tools/setup) and the pure-Python libraries from Debian's packages, packed by
# tools/pack_python.py, all served from the build folder's python/.
set(AP_PYODIDE_DIR ${PROJECT_SOURCE_DIR}/node_modules/pyodide)
set(AP_PYTHON_ASSETS)
foreach(asset pyodide.mjs pyodide.asm.mjs pyodide.asm.wasm python_stdlib.zip pyodide-lock.json)
    add_custom_command(
        OUTPUT ${CMAKE_BINARY_DIR}/python/${asset}
        COMMAND ${CMAKE_COMMAND} -E copy_if_different ${AP_PYODIDE_DIR}/${asset} ${CMAKE_BINARY_DIR}/python/${asset}
        DEPENDS ${AP_PYODIDE_DIR}/${asset}
        COMMENT "Pyodide: ${asset}"
        VERBATIM)
    list(APPEND AP_PYTHON_ASSETS ${CMAKE_BINARY_DIR}/python/${asset})
endforeach()
find_package(Python3 REQUIRED COMPONENTS Interpreter)
find_program(AP_NODE node REQUIRED)
add_custom_command(
    OUTPUT ${CMAKE_BINARY_DIR}/python-source/site.zip
    COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tools/pack_python.py ${CMAKE_BINARY_DIR}/python-source/site.zip
    DEPENDS ${PROJECT_SOURCE_DIR}/tools/pack_python.py
    COMMENT "Packing httpx, requests and their dependencies from Debian's packages"
    VERBATIM)
# ... compiled to bytecode by the page's own interpreter, so the browser does not compile them at import.
add_custom_command(
    OUTPUT ${CMAKE_BINARY_DIR}/python/site.zip
    COMMAND ${AP_NODE} ${PROJECT_SOURCE_DIR}/tools/compile_python.mjs ${CMAKE_BINARY_DIR}/python-source/site.zip ${CMAKE_BINARY_DIR}/python/site.zip
    DEPENDS ${CMAKE_BINARY_DIR}/python-source/site.zip ${PROJECT_SOURCE_DIR}/tools/compile_python.mjs ${AP_PYODIDE_DIR}/pyodide.asm.wasm
    COMMENT "Compiling them to bytecode with Pyodide"
    VERBATIM)
list(APPEND AP_PYTHON_ASSETS ${CMAKE_BINARY_DIR}/python/site.zip)
add_custom_target(python_assets ALL DEPENDS ${AP_PYTHON_ASSETS})

# The program editor: CodeMirror 6 from npm, bundled by esbuild (npm) into one file, loaded on first use.
set(AP_ESBUILD ${PROJECT_SOURCE_DIR}/node_modules/.bin/esbuild)
add_custom_command(
    OUTPUT ${CMAKE_BINARY_DIR}/editor.js
    COMMAND ${AP_ESBUILD} ${PROJECT_SOURCE_DIR}/web/editor.mjs --bundle --format=esm --minify --log-level=warning
            --outfile=${CMAKE_BINARY_DIR}/editor.js
    DEPENDS ${PROJECT_SOURCE_DIR}/web/editor.mjs ${PROJECT_SOURCE_DIR}/package-lock.json
    COMMENT "Bundling the program editor (CodeMirror 6)"
    VERBATIM)
add_custom_target(editor_bundle ALL DEPENDS ${CMAKE_BINARY_DIR}/editor.js)

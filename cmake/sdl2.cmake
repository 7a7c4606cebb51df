# SDL2 for the page, compiled as a target of this project from Debian's libsdl2 source package, the way
# Emscripten's own SDL2 port does it: a fixed list of SDL's source files and a fixed configuration header
# (cmake/sdl2/SDL_config.h: SDL's SDL_config_emscripten.h with the unused subsystems off). SDL's own CMake
# would first run ~300 configure checks, each a full emcc link: minutes on a two-core machine, for a library
# of which the page uses the video (a window, a WebGL2 context) and the events.
# Included from cmake/web.cmake; SDL2_SOURCE_DIR is the unpacked source package (tools/setup fetches it).

set(SDL2_SOURCE_DIR "${AP_CACHE}/sdl2-src" CACHE PATH "SDL2 sources (Debian source package libsdl2, fetched by tools/setup)")
if(NOT EXISTS "${SDL2_SOURCE_DIR}/src/SDL.c")
    message(FATAL_ERROR "SDL2 sources not found in ${SDL2_SOURCE_DIR}: run tools/setup first.")
endif()

# The core, the event and video layers with the Emscripten video driver, and the stand-ins ("dummy")
# that SDL needs for each subsystem that is switched off. Objects the page never calls are left out at
# link time.
set(AP_SDL2_SOURCES
    SDL.c SDL_assert.c SDL_dataqueue.c SDL_error.c SDL_guid.c SDL_hints.c SDL_list.c SDL_log.c SDL_utils.c
    atomic/SDL_atomic.c atomic/SDL_spinlock.c
    audio/SDL_audio.c audio/SDL_audiocvt.c audio/SDL_audiodev.c audio/SDL_audiotypecvt.c audio/SDL_mixer.c
    audio/SDL_wave.c audio/dummy/SDL_dummyaudio.c
    cpuinfo/SDL_cpuinfo.c dynapi/SDL_dynapi.c
    events/SDL_clipboardevents.c events/SDL_displayevents.c events/SDL_dropevents.c events/SDL_events.c
    events/SDL_gesture.c events/SDL_keyboard.c events/SDL_keysym_to_scancode.c events/SDL_mouse.c
    events/SDL_quit.c events/SDL_scancode_tables.c events/SDL_touch.c events/SDL_windowevents.c
    events/imKStoUCS.c
    file/SDL_rwops.c filesystem/dummy/SDL_sysfilesystem.c
    haptic/SDL_haptic.c haptic/dummy/SDL_syshaptic.c hidapi/SDL_hidapi.c
    joystick/SDL_gamecontroller.c joystick/SDL_joystick.c joystick/controller_type.c joystick/dummy/SDL_sysjoystick.c
    loadso/dummy/SDL_sysloadso.c locale/SDL_locale.c locale/dummy/SDL_syslocale.c
    misc/SDL_url.c misc/dummy/SDL_sysurl.c power/SDL_power.c
    render/SDL_render.c render/SDL_yuv_sw.c
    sensor/SDL_sensor.c sensor/dummy/SDL_dummysensor.c
    stdlib/SDL_crc16.c stdlib/SDL_crc32.c stdlib/SDL_getenv.c stdlib/SDL_iconv.c stdlib/SDL_malloc.c
    stdlib/SDL_qsort.c stdlib/SDL_stdlib.c stdlib/SDL_string.c stdlib/SDL_strtokr.c
    thread/SDL_thread.c thread/generic/SDL_syscond.c thread/generic/SDL_sysmutex.c thread/generic/SDL_syssem.c
    thread/generic/SDL_systhread.c thread/generic/SDL_systls.c
    timer/SDL_timer.c timer/unix/SDL_systimer.c
    video/SDL_bmp.c
    video/SDL_clipboard.c video/SDL_egl.c video/SDL_fillrect.c video/SDL_pixels.c video/SDL_rect.c
    video/SDL_shape.c video/SDL_stretch.c video/SDL_surface.c video/SDL_video.c video/SDL_vulkan_utils.c
    video/SDL_yuv.c video/yuv2rgb/yuv_rgb.c
    video/emscripten/SDL_emscriptenevents.c video/emscripten/SDL_emscriptenframebuffer.c
    video/emscripten/SDL_emscriptenmouse.c video/emscripten/SDL_emscriptenopengles.c
    video/emscripten/SDL_emscriptenvideo.c)
list(TRANSFORM AP_SDL2_SOURCES PREPEND "${SDL2_SOURCE_DIR}/src/")
# SDL's software blitters are left out (the page draws with WebGL): cmake/sdl2/no_blit.c stands in for them.
list(APPEND AP_SDL2_SOURCES ${PROJECT_SOURCE_DIR}/cmake/sdl2/no_blit.c)

add_library(sdl2 STATIC ${AP_SDL2_SOURCES})
# Our SDL_config.h first, so it shadows SDL's generic one for SDL and for everything that includes SDL.
target_include_directories(sdl2 SYSTEM BEFORE PUBLIC ${PROJECT_SOURCE_DIR}/cmake/sdl2 ${SDL2_SOURCE_DIR}/include)
target_include_directories(sdl2 PRIVATE ${SDL2_SOURCE_DIR}/src)
target_compile_definitions(sdl2 PRIVATE SDL_STATIC_LIB)
target_compile_options(sdl2 PRIVATE -w -fno-strict-aliasing "SHELL:-idirafter ${SDL2_SOURCE_DIR}/src/video/khronos")

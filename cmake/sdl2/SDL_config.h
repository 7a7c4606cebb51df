/* SDL's own configuration for Emscripten (SDL_config_emscripten.h, from the libsdl2 source package), with
 * every subsystem the page does not use switched off: it needs a window, a WebGL2 context and events.
 * cmake/sdl2.cmake puts this folder ahead of SDL's include folder, so SDL's sources and its public headers
 * (included by Dear ImGui's SDL backend) read this file as their SDL_config.h. No configure step. */
#ifndef SDL_config_h_
#define SDL_config_h_

#include "SDL_platform.h"
#include "SDL_config_emscripten.h"

#undef SDL_AUDIO_DRIVER_DISK
#undef SDL_AUDIO_DRIVER_DUMMY
#undef SDL_AUDIO_DRIVER_EMSCRIPTEN
#undef SDL_JOYSTICK_EMSCRIPTEN
#undef SDL_SENSOR_DUMMY
#undef SDL_LOADSO_DLOPEN
#undef SDL_VIDEO_RENDER_OGL_ES2
#undef SDL_POWER_EMSCRIPTEN
#undef SDL_FILESYSTEM_EMSCRIPTEN

#define SDL_ATOMIC_DISABLED 1
#define SDL_AUDIO_DISABLED 1
#define SDL_JOYSTICK_DISABLED 1
#define SDL_SENSOR_DISABLED 1
#define SDL_LOADSO_DISABLED 1
#define SDL_RENDER_DISABLED 1
#define SDL_POWER_DISABLED 1
#define SDL_FILESYSTEM_DISABLED 1
#define SDL_LOCALE_DISABLED 1
#define SDL_MISC_DISABLED 1
#ifndef SDL_THREADS_DISABLED
#define SDL_THREADS_DISABLED 1
#endif

/* The stand-ins SDL links when a subsystem is off (what SDL's own CMake picks for these options). */
#define SDL_AUDIO_DRIVER_DUMMY 1
#define SDL_JOYSTICK_DUMMY 1
#define SDL_HAPTIC_DUMMY 1
#define SDL_SENSOR_DUMMY 1
#define SDL_LOADSO_DUMMY 1
#define SDL_FILESYSTEM_DUMMY 1
#define SDL_MISC_DUMMY 1
#define SDL_LOCALE_DUMMY 1

#endif /* SDL_config_h_ */

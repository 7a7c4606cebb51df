/* Stand-ins for SDL's software blitters (SDL_blit*.c and SDL_RLEaccel.c, about 80 KB of wasm), which this
   build of SDL leaves out: the page draws with WebGL through Dear ImGui and never blits an SDL surface.
   SDL still reaches for them through pointers it cannot see are unused (a window's framebuffer, a colour
   cursor), so they exist, and a blit that was never expected fails with a message instead of drawing. */
#include "SDL_internal.h"
#include "video/SDL_blit.h"
#include "video/SDL_RLEaccel_c.h"

int SDL_CalculateBlit(SDL_Surface *surface)
{
    (void)surface;
    return SDL_SetError("software blits are left out of the playground's SDL (it draws with WebGL)");
}

int SDL_RLESurface(SDL_Surface *surface)
{
    (void)surface;
    return SDL_SetError("RLE surfaces are left out of the playground's SDL (it draws with WebGL)");
}

void SDL_UnRLESurface(SDL_Surface *surface, int recode)
{
    (void)surface;
    (void)recode;
}

// bar_layer.h — the waterfall's bars in one instanced WebGL2 draw call (shaders/bars.vert, bars.frag).
// ImGui would draw 10,000 bars as 10,000 blended quads through its own buffers; this pass uploads 28 bytes
// per shape (bars that line up are merged into one, see src/app/bar_merge.h) and draws them opaque, which is
// what keeps a big run's frame cheap on a software renderer.
#pragma once
#include <string>

struct ImDrawList;
struct ImDrawCmd;

namespace ap {
// Compiles the shaders. On failure returns false and says why; the page then draws bars through ImGui.
bool bar_layer_init(std::string* error);
// An ImDrawCallback: draws the BarBatch in cmd->UserCallbackData, clipped to cmd->ClipRect.
void bar_layer_draw(const ImDrawList* list, const ImDrawCmd* cmd);
}  // namespace ap

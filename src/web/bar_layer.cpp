#include "bar_layer.h"

#include <cstring>

#include <GLES3/gl3.h>

#include "app/app.h"
#include "core/embedded_text.h"
#include "imgui.h"

namespace ap {

// The GLSL of shaders/, compiled into the program at build time (cmake/web.cmake).
extern const EmbeddedText embedded_shaders[];
extern const int embedded_shaders_count;

namespace {
GLuint program = 0, vao = 0, rect_buffer = 0, color_buffer = 0;
GLint u_origin = -1, u_size = -1;

const char* shader_text(const char* name) {
    for (int i = 0; i < embedded_shaders_count; ++i) {
        if (std::strcmp(embedded_shaders[i].name, name) == 0) return embedded_shaders[i].text;
    }
    return nullptr;
}

GLuint compile(GLenum kind, const char* name, std::string* error) {
    const char* text = shader_text(name);
    if (!text) {
        *error = std::string("no shader ") + name + " in the build";
        return 0;
    }
    // The embedded file starts with a newline after the raw-string opener; #version must be the first line.
    while (*text == '\n') ++text;
    const GLuint s = glCreateShader(kind);
    glShaderSource(s, 1, &text, nullptr);
    glCompileShader(s);
    GLint ok = 0;
    glGetShaderiv(s, GL_COMPILE_STATUS, &ok);
    if (!ok) {
        char log[1024] = "";
        glGetShaderInfoLog(s, sizeof log, nullptr, log);
        *error = std::string(name) + ": " + log;
        glDeleteShader(s);
        return 0;
    }
    return s;
}
}  // namespace

bool bar_layer_init(std::string* error) {
    const GLuint vs = compile(GL_VERTEX_SHADER, "bars.vert", error);
    const GLuint fs = vs ? compile(GL_FRAGMENT_SHADER, "bars.frag", error) : 0;
    if (!vs || !fs) return false;
    program = glCreateProgram();
    glAttachShader(program, vs);
    glAttachShader(program, fs);
    glLinkProgram(program);
    glDeleteShader(vs);
    glDeleteShader(fs);
    GLint ok = 0;
    glGetProgramiv(program, GL_LINK_STATUS, &ok);
    if (!ok) {
        char log[1024] = "";
        glGetProgramInfoLog(program, sizeof log, nullptr, log);
        *error = std::string("linking the bar shaders: ") + log;
        return false;
    }
    u_origin = glGetUniformLocation(program, "u_origin");
    u_size = glGetUniformLocation(program, "u_size");
    glGenVertexArrays(1, &vao);
    glGenBuffers(1, &rect_buffer);
    glGenBuffers(1, &color_buffer);
    glBindVertexArray(vao);
    glBindBuffer(GL_ARRAY_BUFFER, rect_buffer);  // 6 floats a shape: edges (4), then y0 y1
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 4, GL_FLOAT, GL_FALSE, 6 * sizeof(float), nullptr);
    glVertexAttribDivisor(0, 1);
    glEnableVertexAttribArray(1);
    glVertexAttribPointer(1, 2, GL_FLOAT, GL_FALSE, 6 * sizeof(float), reinterpret_cast<void*>(4 * sizeof(float)));
    glVertexAttribDivisor(1, 1);
    glBindBuffer(GL_ARRAY_BUFFER, color_buffer);
    glEnableVertexAttribArray(2);
    glVertexAttribPointer(2, 4, GL_UNSIGNED_BYTE, GL_TRUE, 0, nullptr);
    glVertexAttribDivisor(2, 1);
    glBindVertexArray(0);
    return true;
}

void bar_layer_draw(const ImDrawList*, const ImDrawCmd* cmd) {
    const BarBatch* batch = static_cast<const BarBatch*>(cmd->UserCallbackData);
    const ImDrawData* dd = ImGui::GetDrawData();
    if (!batch || !dd || batch->colors.empty()) return;
    const GLsizei count = GLsizei(batch->colors.size());
    // Clip as ImGui clips its own commands (its backend sets no scissor for a callback).
    const ImVec2 off = dd->DisplayPos, scale = dd->FramebufferScale;
    const float fb_h = dd->DisplaySize.y * scale.y;
    const float x0 = (cmd->ClipRect.x - off.x) * scale.x, y0 = (cmd->ClipRect.y - off.y) * scale.y;
    const float x1 = (cmd->ClipRect.z - off.x) * scale.x, y1 = (cmd->ClipRect.w - off.y) * scale.y;
    if (x1 <= x0 || y1 <= y0) return;
    glEnable(GL_SCISSOR_TEST);
    glScissor(GLint(x0), GLint(fb_h - y1), GLsizei(x1 - x0), GLsizei(y1 - y0));
    glDisable(GL_BLEND);
    glUseProgram(program);
    glUniform2f(u_origin, off.x, off.y);
    glUniform2f(u_size, dd->DisplaySize.x, dd->DisplaySize.y);
    glBindVertexArray(vao);
    glBindBuffer(GL_ARRAY_BUFFER, rect_buffer);
    glBufferData(GL_ARRAY_BUFFER, GLsizeiptr(batch->rects.size() * sizeof(float)), batch->rects.data(), GL_STREAM_DRAW);
    glBindBuffer(GL_ARRAY_BUFFER, color_buffer);
    glBufferData(GL_ARRAY_BUFFER, GLsizeiptr(batch->colors.size() * sizeof(uint32_t)), batch->colors.data(), GL_STREAM_DRAW);
    glDrawArraysInstanced(GL_TRIANGLE_STRIP, 0, 4, count);
    glBindVertexArray(0);
    // The ImDrawCallback_ResetRenderState that follows restores ImGui's program, buffers and blending.
}

}  // namespace ap

#version 300 es
// One waterfall bar per instance: a rectangle in ImGui's coordinates (CSS pixels) and an opaque colour.
// The four corners come from gl_VertexID (a triangle strip), so the only per-frame upload is the
// instances: 20 bytes per bar, one draw call for 10,000 of them.
precision highp float;

layout(location = 0) in vec4 a_rect;   // x0, y0, x1, y1
layout(location = 1) in vec4 a_color;  // normalised RGBA bytes

uniform vec2 u_origin;  // the draw data's display position
uniform vec2 u_size;    // the draw data's display size

out vec4 v_color;

void main() {
    vec2 corner = vec2(float(gl_VertexID & 1), float(gl_VertexID >> 1));
    vec2 p = mix(a_rect.xy, a_rect.zw, corner);
    vec2 ndc = (p - u_origin) / u_size * 2.0 - 1.0;
    gl_Position = vec4(ndc.x, -ndc.y, 0.0, 1.0);
    v_color = a_color;
}

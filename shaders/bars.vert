#version 300 es
// One shape of waterfall bars per instance: a rectangle (one bar, or a block of bars covering the same
// pixels) or a parallelogram (a staircase of bars, each shifted by the same step), in ImGui's coordinates
// (CSS pixels), with an opaque colour. The four corners come from gl_VertexID (a triangle strip), so the
// only per-frame upload is the instances: 28 bytes each, one draw call for 10,000 bars.
precision highp float;

layout(location = 0) in vec4 a_edges;  // top edge x0, x1; bottom edge x0, x1
layout(location = 1) in vec2 a_y;      // y0 (top), y1 (bottom)
layout(location = 2) in vec4 a_color;  // normalised RGBA bytes

uniform vec2 u_origin;  // the draw data's display position
uniform vec2 u_size;    // the draw data's display size

out vec4 v_color;

void main() {
    float right = float(gl_VertexID & 1);
    float bottom = float(gl_VertexID >> 1);
    vec2 edge = mix(a_edges.xy, a_edges.zw, bottom);
    vec2 p = vec2(mix(edge.x, edge.y, right), mix(a_y.x, a_y.y, bottom));
    vec2 ndc = (p - u_origin) / u_size * 2.0 - 1.0;
    gl_Position = vec4(ndc.x, -ndc.y, 0.0, 1.0);
    v_color = a_color;
}

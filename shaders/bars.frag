#version 300 es
// Opaque: the colours were blended against the page's background on the CPU, so the pass needs no
// blending, which is most of a software rasteriser's cost per pixel.
precision mediump float;

in vec4 v_color;
out vec4 o_color;

void main() {
    o_color = v_color;
}

// One stage layer: a picture (RGBA, sampled as linear from an sRGB texture)
// or a video frame (Y, U, V planes as the decoder made them, converted here).

#import bevy_sprite::mesh2d_vertex_output::VertexOutput

struct StageParams {
    // Rows of the matrix taking (Y, U, V, 1) as stored to R'G'B'.
    to_r: vec4<f32>,
    to_g: vec4<f32>,
    to_b: vec4<f32>,
    // The part of the picture drawn (for `fit: cover`), in texture coordinates.
    uv_min: vec2<f32>,
    uv_size: vec2<f32>,
    // How the planes are laid out. 0: RGBA picture in plane0; 1: Y, U, V
    // (I420, Y42B or Y444: each plane's texture is its own size); 2: NV12
    // (Y, UV).
    planes: u32,
    alpha: f32,
};

@group(#{MATERIAL_BIND_GROUP}) @binding(0) var<uniform> params: StageParams;
@group(#{MATERIAL_BIND_GROUP}) @binding(1) var plane0: texture_2d<f32>;
@group(#{MATERIAL_BIND_GROUP}) @binding(2) var plane_sampler: sampler;
@group(#{MATERIAL_BIND_GROUP}) @binding(3) var plane1: texture_2d<f32>;
@group(#{MATERIAL_BIND_GROUP}) @binding(4) var plane2: texture_2d<f32>;

// The render target is sRGB: the hardware encodes what we return, so a
// gamma-encoded R'G'B' is decoded to linear first.
fn srgb_to_linear(c: vec3<f32>) -> vec3<f32> {
    let low = c / 12.92;
    let high = pow((c + vec3(0.055)) / 1.055, vec3(2.4));
    return select(high, low, c <= vec3(0.04045));
}

@fragment
fn fragment(mesh: VertexOutput) -> @location(0) vec4<f32> {
    let uv = params.uv_min + mesh.uv * params.uv_size;
    let first = textureSample(plane0, plane_sampler, uv);
    let second = textureSample(plane1, plane_sampler, uv);
    let third = textureSample(plane2, plane_sampler, uv);
    if params.planes == 0u {
        return vec4(first.rgb, params.alpha);
    }
    var yuv = vec4(first.r, second.r, third.r, 1.0);
    if params.planes == 2u {
        yuv = vec4(first.r, second.r, second.g, 1.0);
    }
    let rgb = vec3(dot(params.to_r, yuv), dot(params.to_g, yuv), dot(params.to_b, yuv));
    return vec4(srgb_to_linear(clamp(rgb, vec3(0.0), vec3(1.0))), params.alpha);
}

// One stage layer: a picture (RGBA, sampled as linear from an sRGB texture)
// or a video frame (Y, U, V planes as the decoder made them, 8 or 10 bits,
// converted here; HDR frames tone-mapped to the SDR panel).
//
// Compiled once per kind of source (`StageKey` in material.rs): with none
// of the defs below, a picture; PLANES_YUV or PLANES_SEMI_PLANAR, a video
// frame; TRANSFER_HLG or TRANSFER_PQ, an HDR one; WIDE_GAMUT, BT.2020
// primaries; PIXEL_EXACT, a picture drawn pixel for pixel. A software
// renderer would otherwise run every branch for every pixel.

#import bevy_sprite::mesh2d_vertex_output::VertexOutput

struct StageParams {
    // Rows of the matrix taking (Y, U, V, 1) as stored to R'G'B'.
    to_r: vec4<f32>,
    to_g: vec4<f32>,
    to_b: vec4<f32>,
    // The part of the picture drawn (for `fit: cover`), in texture coordinates.
    uv_min: vec2<f32>,
    uv_size: vec2<f32>,
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

// BT.2020 luminance weights, for linear BT.2020 RGB.
const BT2020_LUMA = vec3(0.2627, 0.6780, 0.0593);

// HDR is shown with its reference white (BT.2408: 203 cd/m², HLG's 75 %
// signal) a little below the panel's white, so highlights up to the assumed
// peak keep some room: linear up to KNEE (relative to reference white),
// then compressed so that PEAK_NITS reaches the panel's white.
const REFERENCE_WHITE_NITS = 203.0;
const PEAK_NITS = 1000.0;
const KNEE = 0.5;

// HLG inverse OETF (BT.2100): signal 0..1 to scene light 0..1.
fn hlg_to_scene(e: vec3<f32>) -> vec3<f32> {
    let a = 0.17883277;
    let b = 0.28466892;
    let c = 0.55991073;
    let low = e * e / 3.0;
    let high = (exp((e - vec3(c)) / a) + vec3(b)) / 12.0;
    return select(high, low, e <= vec3(0.5));
}

// PQ EOTF (SMPTE ST 2084): signal 0..1 to display light in cd/m².
fn pq_to_nits(e: vec3<f32>) -> vec3<f32> {
    let m1 = 0.1593017578125;
    let m2 = 78.84375;
    let c1 = 0.8359375;
    let c2 = 18.8515625;
    let c3 = 18.6875;
    let p = pow(max(e, vec3(0.0)), vec3(1.0 / m2));
    return 10000.0 * pow(max(p - vec3(c1), vec3(0.0)) / (vec3(c2) - c3 * p), vec3(1.0 / m1));
}

// Luminance relative to reference white, to the panel's 0..1: itself up to
// KNEE, above it an extended Reinhard curve that meets it with the same
// slope and reaches 1 at PEAK_NITS.
fn tone_map(y: f32) -> f32 {
    if y <= KNEE {
        return y;
    }
    let excess = (y - KNEE) / (1.0 - KNEE);
    let peak = (PEAK_NITS / REFERENCE_WHITE_NITS - KNEE) / (1.0 - KNEE);
    return KNEE + (1.0 - KNEE) * excess * (1.0 + excess / (peak * peak)) / (1.0 + excess);
}

// HLG R'G'B' to display light in cd/m²: HLG's OOTF for a 1000 cd/m²
// display (system gamma 1.2).
fn hlg_to_nits(signal: vec3<f32>) -> vec3<f32> {
    let scene = hlg_to_scene(signal);
    let ys = max(dot(BT2020_LUMA, scene), 1e-6);
    return 1000.0 * pow(ys, 0.2) * scene;
}

// HDR display light (BT.2020) to linear light for an SDR panel, still in
// BT.2020 primaries: the luminance is tone-mapped and the colour scaled
// with it, keeping its hue.
fn hdr_to_sdr(nits: vec3<f32>) -> vec3<f32> {
    let relative = nits / REFERENCE_WHITE_NITS;
    let y = dot(BT2020_LUMA, relative);
    if y <= 0.0 {
        return vec3(0.0);
    }
    return relative * (tone_map(y) / y);
}

// Linear BT.2020 RGB to linear BT.709 (ITU-R BT.2087); colours outside
// BT.709 are clipped by the caller.
fn bt2020_to_bt709(c: vec3<f32>) -> vec3<f32> {
    return vec3(
        dot(vec3(1.660491, -0.587641, -0.072850), c),
        dot(vec3(-0.124550, 1.132900, -0.008349), c),
        dot(vec3(-0.018151, -0.100579, 1.118730), c),
    );
}

// A video frame's (Y, U, V, 1), as stored, to light for the panel.
fn video_to_linear(yuv: vec4<f32>) -> vec3<f32> {
    let rgb = clamp(
        vec3(dot(params.to_r, yuv), dot(params.to_g, yuv), dot(params.to_b, yuv)),
        vec3(0.0),
        vec3(1.0),
    );
#ifdef TRANSFER_HLG
    var linear = hdr_to_sdr(hlg_to_nits(rgb));
#else ifdef TRANSFER_PQ
    var linear = hdr_to_sdr(pq_to_nits(rgb));
#else
    var linear = srgb_to_linear(rgb);
#endif
#ifdef WIDE_GAMUT
    linear = bt2020_to_bt709(linear);
#endif
    return clamp(linear, vec3(0.0), vec3(1.0));
}

@fragment
fn fragment(mesh: VertexOutput) -> @location(0) vec4<f32> {
    let uv = params.uv_min + mesh.uv * params.uv_size;
#ifdef PLANES_YUV
    let y = textureSample(plane0, plane_sampler, uv).r;
    let u = textureSample(plane1, plane_sampler, uv).r;
    let v = textureSample(plane2, plane_sampler, uv).r;
    return vec4(video_to_linear(vec4(y, u, v, 1.0)), params.alpha);
#else ifdef PLANES_SEMI_PLANAR
    let y = textureSample(plane0, plane_sampler, uv).r;
    let uv_pair = textureSample(plane1, plane_sampler, uv).rg;
    return vec4(video_to_linear(vec4(y, uv_pair, 1.0)), params.alpha);
#else ifdef PIXEL_EXACT
    // uv is at this pixel's centre, inside its texel.
    let texel = vec2<i32>(uv * vec2<f32>(textureDimensions(plane0)));
    return vec4(textureLoad(plane0, texel, 0).rgb, params.alpha);
#else
    return vec4(textureSample(plane0, plane_sampler, uv).rgb, params.alpha);
#endif
}

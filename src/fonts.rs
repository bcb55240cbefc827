//! The bundled fonts, compiled into the binary so that no install layout can
//! lose them: Noto Sans (Vietnamese, English) and Noto Sans Khmer.

use bevy::prelude::*;

#[derive(Resource, Clone)]
pub struct Fonts {
    pub sans: Handle<Font>,
    pub sans_bold: Handle<Font>,
    pub khmer: Handle<Font>,
    pub khmer_bold: Handle<Font>,
}

pub fn plugin(app: &mut App) {
    let mut fonts = app.world_mut().resource_mut::<Assets<Font>>();
    let mut add = |bytes: &[u8]| fonts.add(Font::from_bytes(bytes.to_vec()));
    let loaded = Fonts {
        sans: add(include_bytes!("../assets/fonts/NotoSans-Regular.ttf")),
        sans_bold: add(include_bytes!("../assets/fonts/NotoSans-Bold.ttf")),
        khmer: add(include_bytes!("../assets/fonts/NotoSansKhmer-Regular.ttf")),
        khmer_bold: add(include_bytes!("../assets/fonts/NotoSansKhmer-Bold.ttf")),
    };
    app.insert_resource(loaded);
}

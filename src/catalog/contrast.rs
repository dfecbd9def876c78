//! The contrast of the bureau's brand colours (WCAG 2.1, success criterion 1.4.3, level AA):
//! the primary colour is drawn as text on white (headings, links) and behind white text
//! (buttons), the accent colour behind white text (badges), so each needs at least 4.5:1
//! against white. A colour that falls short is refused with the contrast it has and the
//! nearest colour that passes: the same colour darkened just enough.

use super::{Catalog, Problem};

/// The least contrast text and buttons need (AA, normal text).
pub const MINIMUM: f64 = 4.5;

/// `#rrggbb` as its three channels.
pub fn parse(hex: &str) -> Option<[u8; 3]> {
    let digits = hex.strip_prefix('#').filter(|d| d.len() == 6)?;
    let channel = |i: usize| u8::from_str_radix(&digits[i..i + 2], 16).ok();
    Some([channel(0)?, channel(2)?, channel(4)?])
}

fn hex(rgb: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2])
}

/// The relative luminance of a colour (WCAG 2.1).
pub fn luminance(rgb: [u8; 3]) -> f64 {
    let linear = |c: u8| {
        let s = f64::from(c) / 255.0;
        if s <= 0.03928 {
            s / 12.92
        } else {
            ((s + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(rgb[0]) + 0.7152 * linear(rgb[1]) + 0.0722 * linear(rgb[2])
}

/// The contrast ratio of two colours, 1 to 21.
pub fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

const WHITE: [u8; 3] = [255, 255, 255];

/// The nearest colour to `rgb` with at least [`MINIMUM`] contrast against white: `rgb` itself
/// when it passes, else its channels scaled down by the largest factor that passes.
pub fn nearest_passing(rgb: [u8; 3]) -> [u8; 3] {
    let scaled = |f: f64| rgb.map(|c| (f64::from(c) * f).floor() as u8);
    if contrast(rgb, WHITE) >= MINIMUM {
        return rgb;
    }
    let (mut low, mut high) = (0.0_f64, 1.0_f64);
    for _ in 0..40 {
        let mid = (low + high) / 2.0;
        if contrast(scaled(mid), WHITE) >= MINIMUM {
            low = mid;
        } else {
            high = mid;
        }
    }
    scaled(low)
}

/// The problems of a version's brand colours (the file's colours are already known to be
/// `#rrggbb`; anything else is left to that check).
pub fn problems(catalog: &Catalog) -> Vec<Problem> {
    let bureau = &catalog.bureau;
    let mut found = Vec::new();
    for (key, value, use_) in [
        (
            "primary_colour",
            &bureau.primary_colour,
            "text on white and buttons with white text",
        ),
        (
            "accent_colour",
            &bureau.accent_colour,
            "badges with white text",
        ),
    ] {
        let Some(rgb) = parse(value) else { continue };
        let ratio = contrast(rgb, WHITE);
        if ratio < MINIMUM {
            found.push(Problem {
                file: catalog.file.clone(),
                path: format!("bureau.{key}"),
                message: format!(
                    "`{value}` has a contrast of {ratio:.2}:1 with white, used for {use_}; \
                     at least {MINIMUM}:1 is needed (WCAG 2.1 AA); the nearest colour that \
                     passes is {}",
                    hex(nearest_passing(rgb))
                ),
            });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn contrasts_as_wcag_computes_them() {
        let cases = [
            ("#000000", "#ffffff", 21.0),
            ("#ffffff", "#ffffff", 1.0),
            ("#1f4e79", "#ffffff", 8.66),
            ("#e07a1f", "#ffffff", 3.01),
            ("#cccccc", "#ffffff", 1.61),
            ("#767676", "#ffffff", 4.54),
        ];
        for (a, b, expected) in cases {
            let ratio = contrast(parse(a).unwrap(), parse(b).unwrap());
            assert!((ratio - expected).abs() < 0.01, "{a} on {b}: {ratio:.3}");
        }
        assert_eq!(parse("#1F4e79"), Some([0x1f, 0x4e, 0x79]));
        assert_eq!(parse("1f4e79"), None);
        assert_eq!(parse("#1f4e7"), None);
        assert_eq!(parse("#1f4e7g"), None);
    }

    #[test]
    fn the_nearest_passing_colour_of_a_light_grey() {
        let grey = parse("#cccccc").unwrap();
        let near = nearest_passing(grey);
        assert!(contrast(near, WHITE) >= MINIMUM);
        assert_eq!(hex(near), "#767676");
    }

    proptest! {
        /// The nearest colour passes, is the colour itself when that passes, and is never
        /// lighter in any channel.
        #[test]
        fn the_nearest_colour_passes_and_is_no_lighter(r: u8, g: u8, b: u8) {
            let rgb = [r, g, b];
            let near = nearest_passing(rgb);
            prop_assert!(contrast(near, WHITE) >= MINIMUM);
            prop_assert!(near.iter().zip(rgb).all(|(n, c)| *n <= c));
            if contrast(rgb, WHITE) >= MINIMUM {
                prop_assert_eq!(near, rgb);
            }
        }
    }
}

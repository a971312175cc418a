//! RFC 6238 codes (SHA-1, 6 digits, 30 s, ±1 step) through `totp-rs`, and the
//! enrolment QR code drawn as SVG by `qrcode`: nothing is fetched from elsewhere.

use qrcode::QrCode;
use qrcode::render::svg;
use rand::RngCore;
use totp_rs::{Algorithm, Secret, TOTP};

/// Seconds per step.
pub const STEP: u64 = 30;

/// A new secret: 160 random bits (RFC 4226's recommendation), as base32.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    Secret::Raw(bytes.to_vec()).to_encoded().to_string()
}

fn totp(secret: &str, issuer: &str, account: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret.to_owned()).to_bytes().ok()?;
    // `:` separates issuer and account in the URI label; neither may hold one.
    let issuer = Some(issuer.replace(':', " "));
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        STEP,
        bytes,
        issuer,
        account.replace(':', " "),
    )
    .ok()
}

/// The step of `code` within ±1 step of `now`, if it is valid then and comes after
/// `last_step` (a code is accepted once: replay refused).
pub fn matching_step(secret: &str, code: &str, now: i64, last_step: u64) -> Option<u64> {
    let totp = totp(secret, "", "")?;
    let current = u64::try_from(now).ok()? / STEP;
    let mut found = None;
    // Every candidate is compared, so the time taken does not say which matched.
    for step in current.saturating_sub(1)..=current + 1 {
        let expected = totp.generate(step * STEP);
        let same: bool = subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), code.as_bytes()).into();
        if same && step > last_step {
            found = Some(step);
        }
    }
    found
}

/// The code for `now` (tests and the CLI's checks).
pub fn code_at(secret: &str, now: i64) -> Option<String> {
    Some(totp(secret, "", "")?.generate(u64::try_from(now).ok()?))
}

/// The `otpauth://` URI an authenticator app reads.
pub fn uri(secret: &str, issuer: &str, account: &str) -> Option<String> {
    Some(totp(secret, issuer, account)?.get_url())
}

/// The URI as an inline SVG QR code (dark modules on a light ground, so it scans
/// in dark mode too).
pub fn qr_svg(uri: &str) -> Option<String> {
    let code = QrCode::new(uri.as_bytes()).ok()?;
    let image = code
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build();
    // Drop the XML declaration: the SVG is embedded in the page.
    Some(match image.find("<svg") {
        Some(start) => image[start..].to_owned(),
        None => image,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 6238 appendix B, SHA-1: the 20-byte secret "12345678901234567890".
    const RFC_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn codes_match_the_rfc_vectors() {
        assert_eq!(code_at(RFC_SECRET, 59).unwrap(), "287082");
        assert_eq!(code_at(RFC_SECRET, 1_111_111_109).unwrap(), "081804");
        assert_eq!(code_at(RFC_SECRET, 2_000_000_000).unwrap(), "279037");
    }

    #[test]
    fn one_step_either_side_is_accepted_and_no_further() {
        let now = 1_111_111_109;
        let step = 1_111_111_109 / 30;
        let code = code_at(RFC_SECRET, now).unwrap();
        assert_eq!(matching_step(RFC_SECRET, &code, now, 0), Some(step));
        assert_eq!(matching_step(RFC_SECRET, &code, now + 30, 0), Some(step));
        assert_eq!(matching_step(RFC_SECRET, &code, now - 30, 0), Some(step));
        assert_eq!(matching_step(RFC_SECRET, &code, now + 60, 0), None);
        assert_eq!(matching_step(RFC_SECRET, &code, now - 60, 0), None);
        assert_eq!(matching_step(RFC_SECRET, &code, now, step), None);
    }

    #[test]
    fn the_uri_and_qr_code_carry_the_secret() {
        let uri = uri(RFC_SECRET, "Portcullis", "alice@example.com").unwrap();
        assert!(uri.starts_with("otpauth://totp/"), "{uri}");
        assert!(uri.contains(RFC_SECRET));
        let svg = qr_svg(&uri).unwrap();
        assert!(svg.starts_with("<svg") && !svg.contains("<script"));
    }
}
